#!/usr/bin/env bash
# The ext-auth service benchmark, one command:
#   plugins/extauth/bench.sh [--seconds 10] [--warmup 5] [--concurrency 32] [--connections 4] [--handOff true]
# Check calls/s and p50/p99 latency over gRPC on loopback for an API key (1 of 1,000), a basic-auth user and an
# RS256 JWT with a cached remote JWKS (WireMock), plus the service's own in-process cost per check (also for a JWT
# never seen before, i.e. with its RS256 signature verified). Prints the table; JSON in
# plugins/extauth/target/extauth-bench.json. Builds offline first (MVN_ONLINE=1 when ~/.m2 lacks dependencies).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
offline=(-o)
[[ ${MVN_ONLINE:-} == 1 ]] && offline=()
props=()
while (($# >= 2)); do
  props+=("-Dbench.${1#--}=$2")
  shift 2
done
./mvnw -q "${offline[@]}" -pl plugins/extauth -am install -DskipTests
./mvnw -q "${offline[@]}" -pl plugins/extauth surefire:test -Dtest=CheckThroughputBenchmark \
  -Dsurefire.failIfNoSpecifiedTests=false "${props[@]}"
cat plugins/extauth/target/surefire-reports/*CheckThroughputBenchmark-output.txt
