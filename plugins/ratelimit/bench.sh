#!/usr/bin/env bash
# The rate-limit service benchmark, one command:
#   plugins/ratelimit/bench.sh [--seconds 10] [--warmup 3] [--inflight 128] [--channels 2]
# ShouldRateLimit calls/s over gRPC on loopback (in-memory and Redis stores, 1 and 5 descriptors per request), and
# redis-benchmark -t incr -c 50 -n 200000 -q against the same Redis (a redis-server the harness starts on a free
# loopback port), with the ratio. Needs redis-server and redis-benchmark (apt-get install redis-server).
# Builds offline what it needs first (add MVN_ONLINE=1 on a machine whose ~/.m2 lacks the dependencies).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
offline=(-o)
[[ ${MVN_ONLINE:-} == 1 ]] && offline=()
./mvnw -q "${offline[@]}" -pl plugins/ratelimit -am install -DskipTests
./mvnw -q "${offline[@]}" -pl plugins/ratelimit test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="plugins/ratelimit/target/test-classes:plugins/ratelimit/target/classes:$(cat plugins/ratelimit/target/bench.classpath)"
exec java -Xms1g -Xmx1g -cp "$cp" io.gloo.plugins.ratelimit.bench.RateLimitBench "$@"
