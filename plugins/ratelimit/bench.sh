#!/usr/bin/env bash
# The rate-limit service benchmark, one command:
#   plugins/ratelimit/bench.sh [--seconds 5] [--warmup 3] [--rounds 3] [--inflight 128] [--channels 2]
# ShouldRateLimit calls/s and p99 over gRPC on loopback (in-memory and Redis stores, 1 and 5 descriptors per
# request), each as a ratio of a no-op ShouldRateLimit service served and loaded the same way (the floor), and the
# Redis cases as a ratio of redis-benchmark -t incr -c 50 -n 200000 -q against the same Redis (a redis-server the
# harness starts on a free loopback port) in the same round. Needs redis-server and redis-benchmark.
# PROFILE=1 also records a JFR profile (plugins/ratelimit/target/bench.jfr) and prints its top frames.
# Builds offline what it needs first, without installing anything into ~/.m2 (MVN_ONLINE=1 on a machine whose ~/.m2
# lacks the third-party dependencies).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
offline=(-o)
[[ ${MVN_ONLINE:-} == 1 ]] && offline=()
./mvnw -q "${offline[@]}" -pl plugins/ratelimit -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="plugins/ratelimit/target/test-classes:plugins/ratelimit/target/classes:$(cat plugins/ratelimit/target/bench.classpath)"
jfr=()
[[ ${PROFILE:-} == 1 ]] && jfr=(-XX:StartFlightRecording=filename=plugins/ratelimit/target/bench.jfr,settings=profile)
java -Xms1g -Xmx1g "${jfr[@]}" -cp "$cp" io.gloo.plugins.ratelimit.bench.RateLimitBench "$@"
[[ ${PROFILE:-} == 1 ]] && bench/jfr-top.sh plugins/ratelimit/target/bench.jfr io.gloo.plugins.ratelimit
exit 0
