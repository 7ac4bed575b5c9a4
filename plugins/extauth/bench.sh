#!/usr/bin/env bash
# The ext-auth service benchmark, one command:
#   plugins/extauth/bench.sh [--seconds 5] [--warmup 3] [--rounds 3] [--concurrency 32] [--connections 4]
# Check calls/s and p99 over gRPC on loopback for an API key (1 of 1,000), a basic-auth user and an RS256 JWT with a
# cached remote JWKS (WireMock), each as a ratio of a no-op Authorization service served and loaded the same way (the
# floor); the service's own in-process cost per check; and a never-seen RS256 JWT against a bare nimbus JWSVerifier.
# Prints the table; JSON in plugins/extauth/target/extauth-bench.json.
# PROFILE=1 also records a JFR profile (plugins/extauth/target/bench.jfr) and prints its top frames.
# Builds offline what it needs first, without installing anything into ~/.m2 (MVN_ONLINE=1 on a machine whose ~/.m2
# lacks the third-party dependencies).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
offline=(-o)
[[ ${MVN_ONLINE:-} == 1 ]] && offline=()
./mvnw -q "${offline[@]}" -pl plugins/extauth -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="plugins/extauth/target/test-classes:plugins/extauth/target/classes:$(cat plugins/extauth/target/bench.classpath)"
jfr=()
[[ ${PROFILE:-} == 1 ]] && jfr=(-XX:StartFlightRecording=filename=plugins/extauth/target/bench.jfr,settings=profile)
java -Xms1g -Xmx1g "${jfr[@]}" -cp "$cp" io.gloo.plugins.extauth.service.CheckThroughputBenchmark "$@"
[[ ${PROFILE:-} == 1 ]] && bench/jfr-top.sh plugins/extauth/target/bench.jfr io.gloo.plugins.extauth
exit 0
