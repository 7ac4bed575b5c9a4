#!/bin/sh
# Whole-process wall time of the offline CLI and of `gloo serve` start-up, as an operator sees it (issue #21).
#
#   bench/cli-startup.sh [RUNS]        (default 10 runs each, after 1 warm-up run)
#
# Times, with hyperfine (Debian/Ubuntu: apt-get install hyperfine): the median of RUNS whole-process runs, with min
# and max to show the noise:
#   1. gloo translate -f examples/quickstart
#   2. gloo translate -f <1,000 HTTPRoutes written by bench's Workload>
#   3. gloo --version
#   4. gloo serve --config-dir examples/quickstart, until its /readyz answers 200 (then it is stopped)
# against the distribution already built in dist/target (build it with ./mvnw -q -DskipTests package -pl dist -am).
# GLOO_FLAVOR=oss|enterprise (default enterprise) picks the image. Prints `uptime` before and after: on a shared
# machine quote the figures with the load average.
set -eu
runs=${1:-10}
root=$(cd -P -- "$(dirname -- "$0")/.." > /dev/null && pwd -P)
flavor=${GLOO_FLAVOR:-enterprise}
version=$(sed -n '/<artifactId>gloo-parent<\/artifactId>/,/<version>/ s:.*<version>\([^<]*\)</version>.*:\1:p' \
  "$root/pom.xml" | head -n 1)
gloo=$root/dist/target/gloo-$flavor-$version/bin/gloo
[ -x "$gloo" ] || { echo "cli-startup: $gloo is missing; build the distribution first" >&2; exit 1; }
lib=$root/dist/target/gloo-$flavor-$version/lib

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# 1,000 HTTPRoutes in 10 files, 10 Services (Workload needs only the distribution's libraries).
java -cp "$lib/*" "$root/bench/src/main/java/io/gloo/bench/Workload.java" "$work/routes1000" 1000 100 > /dev/null

# serve: start, poll /readyz until 200, stop. One whole-process "run".
cat > "$work/serve-ready.sh" <<SH
#!/bin/sh
port=\$(( 20000 + \$\$ % 20000 ))
"$gloo" serve --config-dir "$root/examples/quickstart" --xds-insecure --xds-port 0 --admin-port \$port \
  --state-dir "$work/state" > "$work/serve.log" 2>&1 &
pid=\$!
while ! curl -fs -o /dev/null "http://127.0.0.1:\$port/readyz"; do
  kill -0 \$pid 2> /dev/null || { echo "serve exited; see $work/serve.log" >&2; exit 1; }
  sleep 0.02
done
kill \$pid; wait \$pid 2> /dev/null || true
SH
chmod +x "$work/serve-ready.sh"

command -v hyperfine > /dev/null || { echo "cli-startup: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
# time NAME COMMAND: RUNS runs after one warm-up; prints the median, min and max wall time in seconds
time_runs() {
  hyperfine --style none --warmup 1 --runs "$runs" --export-json "$work/t.json" -- "$2" > /dev/null
  printf '%s: median %s s, min %s s, max %s s (%s runs)\n' "$1" \
    "$(sed -n 's/.*"median": *\([0-9.]*\).*/\1/p' "$work/t.json" | head -n 1)" \
    "$(sed -n 's/.*"min": *\([0-9.]*\).*/\1/p' "$work/t.json" | head -n 1)" \
    "$(sed -n 's/.*"max": *\([0-9.]*\).*/\1/p' "$work/t.json" | head -n 1)" "$runs"
}

echo "== $(uptime)"
echo "== gloo translate -f examples/quickstart"
time_runs "translate quick start" "'$gloo' translate -f '$root/examples/quickstart' > /dev/null"
echo "== gloo translate -f <1,000 HTTPRoutes>"
time_runs "translate 1,000 routes" "'$gloo' translate -f '$work/routes1000' > /dev/null"
echo "== gloo --version"
time_runs "--version" "'$gloo' --version"
echo "== gloo serve --config-dir examples/quickstart until /readyz is 200"
time_runs "serve until /readyz" "'$work/serve-ready.sh'"
echo "== $(uptime)"
