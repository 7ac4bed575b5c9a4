#!/usr/bin/env bash
# Memory that returns (issue #19, item 4), one command:
#   bench/memory.sh [CONFIG...]        CONFIG: launcher (the distribution's memory flags, the default) or jvm-defaults
#                                      (GLOO_JVM_MEMORY=off: the JVM's own ergonomics), or any other word, taken as
#                                      JAVA_OPTS for that run (e.g. "-XX:+UseShenandoahGC"). Default: jvm-defaults launcher
# Runs `gloo serve --config-dir DIR --xds-insecure` from the distribution built from this checkout (as a process, with
# its launcher) and walks it through the steps of Envoy Gateway's benchmark: 10, 1,000, 10,000 HTTPRoutes (the bench
# Workload: 10 routes per Service, 3 endpoints each) and back to 10, then one file of 100,000 tiny documents
# (ConfigMaps) added and removed again. At each step, once /metrics shows every HTTPRoute accepted (and the
# translation count has settled), it prints:
#   rss     VmRSS of the serve process as it stands (no forced GC): what a pod's memory metric would show
#   heap    heap in use after full GCs (jcmd GC.run twice, 1 s apart, then jvm_memory_used_bytes{area="heap"} from /metrics)
#   rss-gc  VmRSS after that GC
#   committed  the heap committed after that GC
# After the last step back to 10 routes it waits IDLE seconds (default 70) without forcing anything and prints the RSS
# again: what the process hands back by itself (G1's periodic collection).
# Environment: IDLE (seconds), HISTOGRAMS=DIR (class histograms at each step), HEAPDUMPS=DIR (heap dumps at each step),
#   NMT=DIR (runs with -XX:NativeMemoryTracking=summary, which costs a little memory itself, and writes its summary at each step), GLOO_FLAVOR (enterprise|oss, default enterprise), MVN_ONLINE=1 to build online.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
offline=(-o)
[[ ${MVN_ONLINE:-} == 1 ]] && offline=()
flavor=${GLOO_FLAVOR:-enterprise}
idle=${IDLE:-70}
version=$(sed -n '/<artifactId>gloo-parent<\/artifactId>/,/<version>/ s:.*<version>\([^<]*\)</version>.*:\1:p' pom.xml \
  | head -n 1)
gloo=$root/dist/target/gloo-$flavor-$version/bin/gloo
if [[ ! -x $gloo || ! -f bench/target/benchmarks.jar ]]; then
  ./mvnw -q -B "${offline[@]}" -DskipTests -Dfuzz.skip=true package -pl dist -am
  ./mvnw -q -B "${offline[@]}" -Pbench -DskipTests -Dfuzz.skip=true package -pl bench -am
fi
configs=("$@")
[[ ${#configs[@]} -eq 0 ]] && configs=(jvm-defaults launcher)

work=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The workloads, generated once (same objects for every configuration).
for n in 10 1000 10000; do
  java -cp bench/target/benchmarks.jar io.gloo.bench.Workload "$work/w$n" "$n" 100
done
python3 - "$work/tiny.yaml" << 'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(100_000):
        f.write(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: default\n")
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
metric() { # the sum of the samples of a series (name and label filter as a regex prefix)
  curl -sf "http://127.0.0.1:$admin/metrics" | awk -v re="^$1" '$0 ~ re { s += $NF; n++ } END { if (n) printf "%.0f\n", s; else print -1 }'
}
rss_mib() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
# Copies workload $1 into the served directory: routes files first removed or replaced, then the rest.
serve_workload() {
  local src=$work/w$1
  find "$work/served" -name 'routes-*.yaml' | while read -r f; do
    [[ -f $src/$(basename "$f") ]] || rm -f "$f"
  done
  for f in "$src"/*.yaml; do
    cp "$f" "$work/served/.$(basename "$f").tmp" && mv "$work/served/.$(basename "$f").tmp" "$work/served/$(basename "$f")"
  done
}
# Waits until $1 HTTPRoutes are accepted, more than $2 translations ran, and no translation ran for 2 s.
settle() {
  local want=$1 after=$2 deadline=$((SECONDS + 900)) last=-1 same=0
  while ((SECONDS < deadline)); do
    local got count
    got=$(metric 'gloo_resources\{kind="HTTPRoute",status="accepted"')
    count=$(metric 'gloo_translations_total\{result="ok"')
    if [[ $got == "$want" || ($want == 0 && $got == -1) ]] && ((count > after)) && [[ $count == "$last" ]]; then
      same=$((same + 1))
      ((same >= 4)) && return 0
    else
      same=0
    fi
    last=$count
    sleep 0.5
  done
  echo "memory.sh: timed out waiting for $want accepted HTTPRoutes (have $got)" >&2
  return 1
}
translations() { metric 'gloo_translations_total\{result="ok"'; }
step() { # label, expected accepted routes, translations before the change
  settle "$2" "$3"
  local rss heap rssgc committed
  rss=$(rss_mib)
  # Two collections: weakly keyed caches drop the values of collected keys after the first (WeakIdentityCache).
  jcmd "$pid" GC.run > /dev/null
  sleep 1
  jcmd "$pid" GC.run > /dev/null
  heap=$(mib "$(metric 'jvm_memory_used_bytes\{area="heap"')")
  committed=$(mib "$(metric 'jvm_memory_committed_bytes\{area="heap"')")
  rssgc=$(rss_mib)
  if [[ -n ${HISTOGRAMS:-} ]]; then # the top of the live-object histogram at each step, for finding what holds memory
    mkdir -p "$HISTOGRAMS"
    jcmd "$pid" GC.class_histogram | head -n 60 > "$HISTOGRAMS/$config-$(tr -c 'a-z0-9\n' - <<< "$1").txt"
  fi
  if [[ -n ${NMT:-} ]]; then # where the RSS goes: Native Memory Tracking's summary at each step
    mkdir -p "$NMT"
    jcmd "$pid" VM.native_memory summary > "$NMT/$config-$(tr -c 'a-z0-9\n' - <<< "$1").txt"
  fi
  if [[ -n ${HEAPDUMPS:-} ]]; then # a heap dump of live objects at each step (bench/heap-paths.sh reads them)
    mkdir -p "$HEAPDUMPS"
    jcmd "$pid" GC.heap_dump "$HEAPDUMPS/$config-$(tr -c 'a-z0-9\n' - <<< "$1").hprof" > /dev/null
  fi
  printf '%-14s %-26s %8s %8s %8s %10s   load %s\n' "$config" "$1" "$rss" "$heap" "$rssgc" "$committed" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
}

printf '%-14s %-26s %8s %8s %8s %10s\n' config step rss heap rss-gc committed
printf '%-14s %-26s %8s %8s %8s %10s\n' '' '' MiB MiB MiB MiB
for config in "${configs[@]}"; do
  rm -rf "$work/served" "$work/.gloo"
  mkdir -p "$work/served"
  serve_workload 10
  xds=$(free_port)
  admin=$(free_port)
  case $config in
    launcher) env=() opts= ;;
    jvm-defaults) env=(GLOO_JVM_MEMORY=off) opts= ;;
    *) env=() opts=$config ;;
  esac
  [[ -n ${NMT:-} ]] && opts="$opts -XX:NativeMemoryTracking=summary"
  env "${env[@]}" JAVA_OPTS="$opts -Dorg.slf4j.simpleLogger.defaultLogLevel=warn" "$gloo" serve \
    --config-dir "$work/served" --xds-insecure --bind 127.0.0.1 --xds-port "$xds" --admin-port "$admin" \
    > "$work/serve.log" 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$admin/readyz" > /dev/null 2>&1; do
    kill -0 "$pid" 2> /dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.5
  done
  step "10 routes" 10 0
  before=$(translations)
  serve_workload 1000
  step "1,000 routes" 1000 "$before"
  before=$(translations)
  serve_workload 10000
  step "10,000 routes" 10000 "$before"
  before=$(translations)
  serve_workload 10
  step "back to 10 routes" 10 "$before"
  sleep "$idle"
  printf '%-14s %-26s %8s   (no forced GC, after %s s idle)\n' "$config" "10 routes, idle" "$(rss_mib)" "$idle"
  before=$(translations)
  cp "$work/tiny.yaml" "$work/served/.tiny.tmp" && mv "$work/served/.tiny.tmp" "$work/served/tiny.yaml"
  step "+100,000 tiny documents" 10 "$before"
  before=$(translations)
  rm -f "$work/served/tiny.yaml"
  step "tiny file removed" 10 "$before"
  sleep "$idle"
  printf '%-14s %-26s %8s   (no forced GC, after %s s idle)\n' "$config" "tiny removed, idle" "$(rss_mib)" "$idle"
  kill "$pid"
  wait "$pid" 2> /dev/null || true
  pid=
done
