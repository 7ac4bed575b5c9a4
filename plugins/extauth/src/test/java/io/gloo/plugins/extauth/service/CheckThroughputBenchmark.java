package io.gloo.plugins.extauth.service;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.jwk.RSAKey;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.gloo.plugins.extauth.TestConfigs;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Benchmark harness (not a test: surefire's default includes do not match it; run it by name). {@code Check}
 * calls per second and latency percentiles over gRPC on loopback, for an API key (among 1,000 keys), a basic-auth
 * user and an RS256 JWT validated against a remote JWKS that is cached after the first call. Many concurrent async
 * calls over a few HTTP/2 connections; the service runs as in production (the runtime, the gRPC service, Netty with
 * calls on the event loop, as {@code registerNonBlockingGrpcService} serves it). The JWT case repeats one token, so
 * after the first call it is served from the verified-token cache, as a client reusing its token is; the in-process
 * figures include a never-seen token (signature verified).
 * Basic auth remembers verified credentials for 30 s (keyed by a SHA-256), as the service does in production.
 *
 * <pre>
 * ./mvnw -o -pl plugins/extauth test -Dtest=CheckThroughputBenchmark \
 *     [-Dbench.seconds=10] [-Dbench.warmup=5] [-Dbench.concurrency=32] [-Dbench.connections=4] [-Dbench.handOff=true]
 * </pre>
 * Results are printed and written to {@code plugins/extauth/target/extauth-bench.json}.
 */
class CheckThroughputBenchmark {

  private static final int SECONDS = Integer.getInteger("bench.seconds", 10);
  private static final int WARMUP = Integer.getInteger("bench.warmup", 5);
  private static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 32);
  private static final int CONNECTIONS = Integer.getInteger("bench.connections", 4);

  /** Latency histogram with 10 µs buckets up to 1 s. Thread-safe. */
  static final class Histogram {
    private static final long BUCKET_NANOS = 10_000;
    private final AtomicLongArray buckets = new AtomicLongArray(100_000);
    final AtomicLong count = new AtomicLong();

    void record(long nanos) {
      buckets.incrementAndGet((int) Math.min(buckets.length() - 1, nanos / BUCKET_NANOS));
      count.incrementAndGet();
    }

    double percentileMillis(double p) {
      long target = (long) Math.ceil(count.get() * p);
      long seen = 0;
      for (int i = 0; i < buckets.length(); i++) {
        seen += buckets.get(i);
        if (seen >= target) {
          return (i + 1) * BUCKET_NANOS / 1e6;
        }
      }
      return Double.NaN;
    }
  }

  record Result(String name, double callsPerSecond, double p50, double p99, double p999, long errors) {}

  @Test
  void run() throws Exception {
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
    NettyServerBuilder serverBuilder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    // as core serves it (PluginContext.registerNonBlockingGrpcService): calls run on the event loop;
    // -Dbench.handOff=true measures gRPC's default executor (a hand-off per call) instead
    if (!Boolean.getBoolean("bench.handOff")) {
      // as core's plugin gRPC servers run a service registered non-blocking: lookup and call on the event loop
      serverBuilder.directExecutor();
    }
    Server server = serverBuilder
        .addService(new AuthorizationService(runtime, AuthorizationService.Metrics.NONE,
            LoggerFactory.getLogger("bench.extauth")))
        .build().start();
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < CONNECTIONS; i++) {
      // like Envoy, the client does no work of its own per call: responses are handled on the transport thread
      channels.add(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().directExecutor()
          .build());
    }
    String token = Tokens.sign(key, Tokens.claims().expirationTime(new java.util.Date(
        System.currentTimeMillis() + 3_600_000)).build());
    String basic = "Basic " + Base64.getEncoder().encodeToString("user:password".getBytes(StandardCharsets.UTF_8));
    Map<String, CheckRequest> cases = new LinkedHashMap<>();
    cases.put("api-key", AuthServer.req("ns.apikey").header("api-key", "api-key-517-0123456789abcdef").build());
    cases.put("basic-auth", AuthServer.req("ns.basic").header("authorization", basic).build());
    cases.put("jwt-rs256", AuthServer.req("ns.jwt").header("authorization", "Bearer " + token).build());

    List<Result> results = new ArrayList<>();
    Map<String, Double> inProcessMicros = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, CheckRequest> c : cases.entrySet()) {
        CheckResponse first = AuthorizationGrpc.newBlockingStub(channels.get(0)).check(c.getValue());
        if (first.getStatus().getCode() != 0) {
          throw new AssertionError(c.getKey() + " is not allowed: " + first);
        }
        load(channels, c.getValue(), WARMUP, new Histogram(), new AtomicLong());
      }
      for (Map.Entry<String, CheckRequest> c : cases.entrySet()) {
        // the service's own work per check, without gRPC: one thread, after warm-up
        AuthChain chain = runtime.chain(c.getValue().getAttributes().getContextExtensionsMap().get("config_id"));
        int n = 20_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          chain.check(new CheckContext(c.getValue())).toCompletableFuture().join();
        }
        inProcessMicros.put(c.getKey(), (System.nanoTime() - t0) / 1e3 / n);
      }
      // what a never-seen token costs: RS256 signature verification and claim checks, no verified-token cache
      JwtValidator uncached = new JwtValidator(JwksSource.fixed(com.nimbusds.jose.jwk.JWKSet.parse(Tokens.jwks(key))),
          Tokens.ISSUER, List.of(Tokens.AUDIENCE), java.time.Clock.systemUTC(), java.time.Duration.ZERO);
      for (int i = 0; i < 2_000; i++) {
        uncached.validate(token).toCompletableFuture().join();
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < 5_000; i++) {
        if (uncached.validate(token).toCompletableFuture().join().claims() == null) {
          throw new AssertionError("token did not verify");
        }
      }
      inProcessMicros.put("jwt-rs256 (no verified-token cache)", (System.nanoTime() - t0) / 1e3 / 5_000);
      for (Map.Entry<String, CheckRequest> c : cases.entrySet()) {
        Histogram h = new Histogram();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        load(channels, c.getValue(), SECONDS, h, errors);
        double seconds = (System.nanoTime() - start) / 1e9;
        results.add(new Result(c.getKey(), h.count.get() / seconds, h.percentileMillis(0.50), h.percentileMillis(0.99),
            h.percentileMillis(0.999), errors.get()));
      }
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      runtime.close();
      idp.stop();
    }
    double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    StringBuilder json = new StringBuilder("{\"loadAverage\": " + load + ", \"cpus\": "
        + Runtime.getRuntime().availableProcessors()
        + ", \"handOff\": " + Boolean.getBoolean("bench.handOff") + ", \"concurrency\": " + CONCURRENCY
        + ", \"connections\": " + CONNECTIONS + ", \"seconds\": " + SECONDS
        + ", \"results\": [");
    System.out.printf("%n%-12s %14s %10s %10s %10s %8s %16s%n", "case", "calls/s", "p50 ms", "p99 ms", "p99.9 ms",
        "errors", "in-process µs");
    for (int i = 0; i < results.size(); i++) {
      Result r = results.get(i);
      System.out.printf("%-12s %14.0f %10.2f %10.2f %10.2f %8d %16.1f%n", r.name(), r.callsPerSecond(), r.p50(),
          r.p99(), r.p999(), r.errors(), inProcessMicros.get(r.name()));
      json.append(i == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT,
          "{\"case\": \"%s\", \"callsPerSecond\": %.0f, \"p50Ms\": %.2f, \"p99Ms\": %.2f, \"p999Ms\": %.2f, "
              + "\"errors\": %d, \"inProcessMicrosPerCheck\": %.1f}", r.name(), r.callsPerSecond(), r.p50(), r.p99(),
          r.p999(), r.errors(), inProcessMicros.get(r.name())));
    }
    json.append("], \"inProcessMicrosPerCheck\": {");
    int j = 0;
    for (Map.Entry<String, Double> e : inProcessMicros.entrySet()) {
      json.append(j++ == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "\"%s\": %.1f", e.getKey(),
          e.getValue()));
    }
    System.out.printf("in-process µs per check: %s%n", inProcessMicros);
    json.append("}}\n");
    Files.writeString(Path.of("target/extauth-bench.json"), json);
  }

  /** Keeps CONCURRENCY calls in flight, spread over the channels, for {@code seconds}. */
  private static void load(List<ManagedChannel> channels, CheckRequest request, int seconds, Histogram h,
      AtomicLong errors) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(CONCURRENCY);
    Map<Integer, AuthorizationGrpc.AuthorizationStub> stubs = new HashMap<>();
    for (int i = 0; i < channels.size(); i++) {
      stubs.put(i, AuthorizationGrpc.newStub(channels.get(i)));
    }
    for (int i = 0; i < CONCURRENCY; i++) {
      AuthorizationGrpc.AuthorizationStub stub = stubs.get(i % channels.size());
      new Object() {
        void next() {
          if (stop.get() || System.nanoTime() > deadline) {
            stop.set(true);
            done.countDown();
            return;
          }
          long start = System.nanoTime();
          stub.check(request, new StreamObserver<>() {
            @Override
            public void onNext(CheckResponse value) {
              h.record(System.nanoTime() - start);
              if (value.getStatus().getCode() != 0) {
                errors.incrementAndGet();
              }
            }

            @Override
            public void onError(Throwable t) {
              errors.incrementAndGet();
              next();
            }

            @Override
            public void onCompleted() {
              next();
            }
          });
        }
      }.next();
    }
    done.await(seconds + 30L, TimeUnit.SECONDS);
  }
}
