package io.gloo.plugins.extauth.service;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.gloo.core.testing.GrpcFloor;
import io.gloo.plugins.extauth.TestConfigs;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The ext-auth service benchmark (run by {@code plugins/extauth/bench.sh}; not a test). {@code Check} over gRPC on
 * loopback for an API key (among 1,000 keys), a basic-auth user and an RS256 JWT validated against a remote JWKS
 * (WireMock) that is cached after the first call, each as a ratio of its floor: a no-op Authorization service
 * answering a fixed OK, served and loaded the same way ({@link GrpcFloor}: Netty with calls on the event loop, as
 * {@code registerNonBlockingGrpcService} serves it; same requests, connections and calls in flight). Every case has
 * its own warm-up and runs in every round (default 3), alternating with its floor; the table gives median and spread.
 * The JWT case repeats one token, so after the first call it is served from the verified-token cache, as a client
 * reusing its token is. Basic auth remembers verified credentials for 30 s (keyed by a SHA-256), as in production.
 *
 * <p>In process (no gRPC) it also measures the service's own cost per check and, for a token never seen before, the
 * RS256 validation against a bare nimbus {@code JWSVerifier} ({@code SignedJWT.parse(token).verify(verifier)}) in
 * alternating rounds. Results are printed and written to {@code plugins/extauth/target/extauth-bench.json}.
 *
 * <pre>
 * plugins/extauth/bench.sh [--seconds 5] [--warmup 3] [--rounds 3] [--concurrency 32] [--connections 4]
 * </pre>
 */
public final class CheckThroughputBenchmark {

  private CheckThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>(Map.of("seconds", "5", "warmup", "3", "rounds", "3",
        "concurrency", "32", "connections", "4"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int seconds = Integer.parseInt(opts.get("seconds"));
    int warmup = Integer.parseInt(opts.get("warmup"));
    int rounds = Integer.parseInt(opts.get("rounds"));
    int concurrency = Integer.parseInt(opts.get("concurrency"));
    int connections = Integer.parseInt(opts.get("connections"));
    System.out.printf("ext-auth service benchmark: %d rounds; per case and per floor %d s warm-up + %d s measured; "
        + "%d calls in flight over %d connections; %d CPUs; load average %.2f%n", rounds, warmup, seconds,
        concurrency, connections, Runtime.getRuntime().availableProcessors(), loadAverage());
    WireMockServer idp = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    idp.start();
    RSAKey key = Tokens.rsa("bench-1");
    idp.stubFor(get("/jwks").willReturn(aResponse().withBody(Tokens.jwks(key))));
    AuthRuntime runtime = new AuthRuntime(OutboundPolicy.DEFAULTS.allowingInsecure()); // WireMock: http
    TestConfigs.Secrets secrets = new TestConfigs.Secrets();
    for (int i = 0; i < 1000; i++) {
      secrets.put("ns", "key-" + i, "extauth.solo.io/apikey", Map.of("bench", "yes"),
          Map.of("api-key", "api-key-" + i + "-0123456789abcdef", "user-id", "user-" + i));
    }
    runtime.update(TestConfigs.set(
        TestConfigs.compile("ns", "apikey", """
            configs:
            - apiKeyAuth: {labelSelector: {bench: 'yes'}, headersFromMetadataEntry: {x-user-id: {name: user-id}}}
            """, secrets, new TestConfigs.Reports()),
        TestConfigs.compile("ns", "basic", """
            configs:
            - basicAuth: {apr: {users: {user: {salt: TESTSALT, hashedPassword: /qh1NeASK65KivtI8Dg4a0}}}}
            """, secrets, new TestConfigs.Reports()),
        TestConfigs.compile("ns", "jwt", """
            configs:
            - oauth2:
                accessTokenValidation:
                  jwt: {remoteJwks: {url: '%s/jwks', refreshInterval: 5m}, issuer: %s, audiences: [%s]}
                  claimsToHeaders: [{claim: sub, header: x-sub}]
            """.formatted(idp.baseUrl(), Tokens.ISSUER, Tokens.AUDIENCE), secrets, new TestConfigs.Reports())));
    String token = Tokens.sign(key, Tokens.claims().expirationTime(new java.util.Date(
        System.currentTimeMillis() + 3_600_000)).build());
    List<String> distinctTokens = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      distinctTokens.add(Tokens.sign(key, Tokens.claims().subject("user-" + i).expirationTime(new java.util.Date(
          System.currentTimeMillis() + 3_600_000)).build()));
    }
    String basic = "Basic " + Base64.getEncoder().encodeToString("user:password".getBytes(StandardCharsets.UTF_8));
    Map<String, CheckRequest> requests = new LinkedHashMap<>();
    requests.put("Check, API key (1 of 1,000)",
        AuthServer.req("ns.apikey").header("api-key", "api-key-517-0123456789abcdef").build());
    requests.put("Check, basic auth (cached verification)", AuthServer.req("ns.basic").header("authorization", basic)
        .build());
    requests.put("Check, RS256 JWT (cached JWKS, verified-token hit)",
        AuthServer.req("ns.jwt").header("authorization", "Bearer " + token).build());
    AuthorizationService service = new AuthorizationService(runtime, AuthorizationService.Metrics.NONE,
        LoggerFactory.getLogger("bench.extauth"));
    GrpcFloor floor = new GrpcFloor(concurrency, connections, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds));
    Map<String, Double> inProcessMicros = new LinkedHashMap<>();
    List<double[]> jwtRounds = new ArrayList<>();
    List<GrpcFloor.Case<CheckRequest, CheckResponse>> cases = new ArrayList<>();
    for (Map.Entry<String, CheckRequest> c : requests.entrySet()) {
      // the floor answers what the service answers to this request (headers it adds included): same bytes
      CheckResponse floorResponse = GrpcFloor.sampleResponse(service, AuthorizationGrpc.getCheckMethod(),
          c.getValue());
      cases.add(new GrpcFloor.Case<>(c.getKey(), service, AuthorizationGrpc.getCheckMethod(), List.of(c.getValue()),
          floorResponse, response -> response.getStatus().getCode() == 0));
    }
    try {
      System.out.println("JIT warm-up of every case and its floor (not measured)");
      for (GrpcFloor.Case<CheckRequest, CheckResponse> c : cases) {
        floor.warmUp(c);
      }
      for (int r = 1; r <= rounds; r++) {
        System.out.printf("round %d of %d%n", r, rounds);
        for (GrpcFloor.Case<CheckRequest, CheckResponse> c : cases) {
          floor.round(c);
        }
        jwtRounds.add(uncachedJwtAgainstBareNimbus(key, distinctTokens));
      }
      for (Map.Entry<String, CheckRequest> c : requests.entrySet()) {
        // the service's own work per check, without gRPC: one thread's CPU time, after the load above warmed it up
        AuthChain chain = runtime.chain(c.getValue().getAttributes().getContextExtensionsMap().get("config_id"));
        int n = 20_000;
        java.lang.management.ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long t0 = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
          chain.check(new CheckContext(c.getValue())).toCompletableFuture().join();
        }
        inProcessMicros.put(c.getKey(), (cpu.getCurrentThreadCpuTime() - t0) / 1e3 / n);
      }
    } finally {
      runtime.close();
      idp.stop();
    }
    Map<String, Double> targets = new LinkedHashMap<>();
    requests.keySet().forEach(name -> targets.put(name, 0.8));
    System.out.println();
    System.out.print(floor.table(targets));
    System.out.printf(Locale.ROOT, "in-process µs per check: %s%n", inProcessMicros);
    double[] ours = jwtRounds.stream().mapToDouble(x -> x[0]).sorted().toArray();
    double[] bare = jwtRounds.stream().mapToDouble(x -> x[1]).sorted().toArray();
    double[] sigOnly = jwtRounds.stream().mapToDouble(x -> x[2]).sorted().toArray();
    double[] ratio = jwtRounds.stream().mapToDouble(x -> x[0] / x[1]).sorted().toArray();
    double[] withClaims = jwtRounds.stream().mapToDouble(x -> x[3]).sorted().toArray();
    System.out.printf(Locale.ROOT, "RS256 JWT never seen before (200 distinct tokens), CPU µs per token "
            + "(median [min-max] of %d rounds): "
            + "service %.1f [%.1f-%.1f], bare nimbus parse+verify %.1f [%.1f-%.1f] (signature alone %.1f, "
            + "parse+verify+claims %.1f); ratio %.2f [%.2f-%.2f] (target <= 1.2: %s)%n", jwtRounds.size(),
        median(ours), ours[0], ours[ours.length - 1], median(bare), bare[0], bare[bare.length - 1], median(sigOnly),
        median(withClaims), median(ratio), ratio[0], ratio[ratio.length - 1], median(ratio) <= 1.2 ? "met" : "MISSED");
    System.out.printf("load average at the end: %.2f%n", loadAverage());
    StringBuilder json = new StringBuilder("{\"loadAverage\": " + loadAverage() + ", \"cpus\": "
        + Runtime.getRuntime().availableProcessors() + ", \"concurrency\": " + concurrency
        + ", \"connections\": " + connections + ", \"seconds\": " + seconds + ", \"rounds\": " + rounds
        + ", \"cases\": {");
    int j = 0;
    for (String name : requests.keySet()) {
      json.append(j++ == 0 ? "" : ", ").append(String.format(Locale.ROOT,
          "\"%s\": {\"callsPerSecond\": %.0f, \"ratioToFloor\": %.3f, \"floorCallsPerSecond\": %.0f, "
              + "\"inProcessMicrosPerCheck\": %.2f}", name, floor.median(name, 2), floor.median(name, 0),
          floor.median(name, 4), inProcessMicros.get(name)));
    }
    json.append(String.format(Locale.ROOT, "}, \"uncachedJwtMicros\": %.1f, \"bareNimbusMicros\": %.1f, "
        + "\"uncachedJwtRatio\": %.3f}%n", median(ours), median(bare), median(ratio)));
    Files.writeString(Path.of("plugins/extauth/target/extauth-bench.json"), json);
  }

  /**
   * One round of never-seen RS256 tokens through the service's validator as production builds it (verified-token
   * cache on, so each token also costs its SHA-256 key, a miss and a put; a fresh validator per block, so every token
   * is new to it), and of a bare nimbus verifier on the same tokens, alternating in blocks so drifting load hits both
   * alike. Returns µs per token: {validator, bare parse+verify, bare signature check alone, bare parse+verify+claims
   * (the claims set parsed from its JSON, which the validator needs for expiry, issuer and audience)}.
   */
  static double[] uncachedJwtAgainstBareNimbus(RSAKey key, List<String> tokens) throws Exception {
    JWKSet jwks = JWKSet.parse(Tokens.jwks(key));
    RSASSAVerifier bare = new RSASSAVerifier(key.toRSAPublicKey());
    List<SignedJWT> parsed = new ArrayList<>();
    for (String token : tokens) {
      parsed.add(SignedJWT.parse(token));
    }
    long oursNanos = 0;
    long bareNanos = 0;
    long sigNanos = 0;
    long claimsNanos = 0;
    int measuredBlocks = 0;
    // CPU time of this thread, not wall time: on a busy machine the wall clock counts other processes' time slices
    java.lang.management.ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (int b = 0; b < 12; b++) {
      boolean measured = b >= 4; // the first four blocks warm all three up
      JwtValidator validator = new JwtValidator(JwksSource.fixed(jwks), Tokens.ISSUER, List.of(Tokens.AUDIENCE),
          java.time.Clock.systemUTC());
      long t0 = cpu.getCurrentThreadCpuTime();
      for (String token : tokens) {
        if (validator.validate(token).toCompletableFuture().join().claims() == null) {
          throw new AssertionError("token did not verify");
        }
      }
      long t1 = cpu.getCurrentThreadCpuTime();
      for (String token : tokens) {
        if (!SignedJWT.parse(token).verify(bare)) {
          throw new AssertionError("token did not verify");
        }
      }
      long t2 = cpu.getCurrentThreadCpuTime();
      for (SignedJWT jwt : parsed) {
        if (!bare.verify(jwt.getHeader(), jwt.getSigningInput(), jwt.getSignature())) {
          throw new AssertionError("token did not verify");
        }
      }
      long t3 = cpu.getCurrentThreadCpuTime();
      for (String token : tokens) {
        SignedJWT jwt = SignedJWT.parse(token);
        if (!jwt.verify(bare) || jwt.getJWTClaimsSet().getExpirationTime() == null) {
          throw new AssertionError("token did not verify");
        }
      }
      long t4 = cpu.getCurrentThreadCpuTime();
      if (measured) {
        measuredBlocks++;
        oursNanos += t1 - t0;
        bareNanos += t2 - t1;
        sigNanos += t3 - t2;
        claimsNanos += t4 - t3;
      }
    }
    int n = measuredBlocks * tokens.size();
    return new double[] {oursNanos / 1e3 / n, bareNanos / 1e3 / n, sigNanos / 1e3 / n, claimsNanos / 1e3 / n};
  }

  private static double median(double[] sorted) {
    return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
