#!/usr/bin/env bash
# The control-plane benchmarks as measured for bench/README.md, one command:
#   bench/run.sh [--quick]
# Builds the JMH jar, then runs on one core (taskset -c 0, when available):
#   TranslationBenchmark                     full translation + publish of 100 / 1,000 / 10,000 HTTPRoutes
#   ChangeToSnapshotBenchmark.inProcess      one-route change at 10,000 routes, in process
#   ChangeToSnapshotBenchmark.throughWatcher one-file change at 10,000 routes through the directory watcher
# and prints the median and p90 of each, and the heap after translation. Raw JMH JSON goes to
# bench/results/run-<UTC time>-*.json (ignored by git). --quick runs fewer iterations (to check that it works; figures are noisy).
# Builds offline first (add MVN_ONLINE=1 on a machine whose ~/.m2 lacks the dependencies).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
offline=(-o)
[[ ${MVN_ONLINE:-} == 1 ]] && offline=()
./mvnw -q -B "${offline[@]}" -Pbench -DskipTests package -pl bench -am

pin=()
command -v taskset > /dev/null && pin=(taskset -c 0)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/run-$stamp
timing=(-wi 3 -i 5 -w 2s -r 3s)
shots=()
if [[ ${1:-} == --quick ]]; then
  timing=(-wi 1 -i 2 -w 1s -r 1s)
  shots=(-wi 5 -i 10)
fi
run() { # name, JSON suffix, JMH arguments...
  local name=$1 suffix=$2
  shift 2
  echo "== $name" >&2
  "${pin[@]}" java -jar bench/target/benchmarks.jar "$@" -f 1 -rf json -rff "$out-$suffix.json" \
    | tee "$out-$suffix.log" | grep -E '^\[heap\]|^(Translation|ChangeToSnapshot)Benchmark\.[A-Za-z]+ ' >&2 || true
}
run "full translation" translation TranslationBenchmark "${timing[@]}"
run "one-route change, in process" inprocess ChangeToSnapshotBenchmark.inProcess "${timing[@]}"
run "one-file change through the watcher" watcher ChangeToSnapshotBenchmark.throughWatcher "${shots[@]}"

echo
echo "Medians (p90), ms — raw results in $out-*.json"
python3 - "$out" <<'PY' 2>/dev/null || echo "(python3 not found: read the medians from the JSON files)"
import json, sys
for suffix in ("translation", "inprocess", "watcher"):
    for b in json.load(open(f"{sys.argv[1]}-{suffix}.json")):
        p = b["primaryMetric"]["scorePercentiles"]
        params = ", ".join(f"{k}={v}" for k, v in (b.get("params") or {}).items())
        name = b["benchmark"].rsplit(".", 2)[-2] + "." + b["benchmark"].rsplit(".", 1)[-1]
        print(f"  {name:<50} {params:<20} {p['50.0']:8.1f} ({p['90.0']:.1f})")
PY
grep -h '^\[heap\]' "$out-translation.log" || true
