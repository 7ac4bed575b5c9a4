#!/usr/bin/env bash
# Summarises a JFR recording's CPU samples: jfr-top.sh FILE.jfr [PACKAGE_PREFIX] [N]
# Prints the N (default 15) most frequent top frames (where the CPU was), the samples per thread group, and, with a
# package prefix, the N most frequent frames of that package anywhere on the stack (inclusive: what our code costs,
# callees included). JFR sees Java frames only; native work shows as the JNI/native method that called it.
set -euo pipefail
file=$1
prefix=${2:-}
n=${3:-15}
jfr print --events jdk.ExecutionSample "$file" | awk -v prefix="$prefix" -v n="$n" '
  /sampledThread = / { t = $0; sub(/.*sampledThread = "/, "", t); sub(/".*/, "", t); gsub(/[0-9]+/, "#", t);
                       threads[t]++; total++ }
  /stackTrace = \[/ { inStack = 1; depth = 0; delete seen; next }
  inStack && /^[[:space:]]*\]/ { inStack = 0; next }
  inStack {
    f = $0; sub(/^[[:space:]]+/, "", f); sub(/[[:space:]]+line:.*/, "", f)
    if (depth++ == 0) top[f]++
    if (prefix != "" && index(f, prefix) == 1 && !(f in seen)) { seen[f] = 1; mine[f]++ }
  }
  function show(title, a,    k, i, j, keys, m, tmp) {
    m = 0; for (k in a) keys[++m] = k
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[keys[j]] > a[keys[i]]) { tmp = keys[i]; keys[i] = keys[j]; keys[j] = tmp }
    printf "%s\n", title
    for (i = 1; i <= m && i <= n; i++) printf "  %6d %5.1f%%  %s\n", a[keys[i]], 100 * a[keys[i]] / total, keys[i]
  }
  END {
    printf "%d CPU samples\n", total
    show("top frames (self):", top)
    show("threads:", threads)
    if (prefix != "") show("frames of " prefix " (inclusive):", mine)
  }'
