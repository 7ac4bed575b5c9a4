package io.gloo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.gloo.core.cli.GlooCli;
import io.gloo.core.server.GlooServer;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.testing.Await;
import io.gloo.core.testing.Scrape;
import io.gloo.core.testing.ServeFixture;
import io.gloo.core.testing.TestCertificates;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The standalone services as an operator runs them: {@code gloo ratelimit-server} and {@code gloo extauth-server}
 * (the real CLI, loading the enterprise plugin archives, with {@code --cert-dir} certificates from the control
 * plane's CA) pull rate-limit rules and auth configs over mutual TLS from a running {@code gloo serve}, enforce them,
 * and go on enforcing them after the control plane stops.
 */
class StandaloneServersTest {

  private static final String CONFIG = EnterprisePlugins.apiKeyAuth("alice-secret-key") + """
      ---
      apiVersion: ratelimit.solo.io/v1alpha1
      kind: RateLimitConfig
      metadata: {name: per-user, namespace: default}
      spec:
        raw:
          descriptors:
          - key: user
            rateLimit: {unit: DAY, requestsPerUnit: 3}
          rateLimits:
          - actions: [{requestHeaders: {headerName: x-user, descriptorKey: user}}]
      """;

  /** The control plane's selector-signing key ({@code ratelimit.descriptorKeyFile}); replicas get it with the rules. */
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  /**
   * The config selector the control plane would put in the actions of a route (option {@code default/limited})
   * referencing default/per-user: {@code <domain>/<referrer>/<HMAC-SHA256(key, domain LF referrer)[0..16], base64url>}
   * (the ratelimit plugin's ConfigGrants; unsigned selectors select nothing).
   */
  private static final String SELECTOR = selector("default.per-user", "default/limited");

  private static String selector(String domain, String referrer) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
      byte[] signature = mac.doFinal((domain + "\n" + referrer).getBytes(StandardCharsets.UTF_8));
      return domain + "/" + referrer + "/"
          + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(signature, 16));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static int freePort() {
    return Integer.parseInt(EnterprisePlugins.freePort());
  }

  /** Runs a gloo command on its own thread until interrupted (as a signal would stop it). */
  private static Thread run(StringWriter out, String... args) {
    Thread thread = new Thread(() -> {
      CommandLine cli = GlooCli.commandLine();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(out, true));
      cli.execute(args);
    }, "gloo-" + args[0]);
    thread.start();
    return thread;
  }

  @Test
  void standaloneServersEnforceWhatTheControlPlanePublishesAndKeepItWhenItStops(@TempDir Path dir,
      @TempDir Path state) throws Exception {
    Path descriptorKey = dir.resolve("descriptor.key");
    Files.write(descriptorKey, KEY);
    Path plugins = EnterprisePlugins.dir();
    TestCertificates certs = new TestCertificates(state);
    int controlRateLimit = freePort();
    int controlExtAuth = freePort();
    int rateLimitStream = freePort();
    int extAuthStream = freePort();
    int rateLimitPort = freePort();
    int extAuthPort = freePort();
    int rateLimitMetrics = freePort();
    int extAuthMetrics = freePort();
    ServeFixture controlPlaneServe = EnterprisePlugins.serve(dir).manifest("all.yaml", CONFIG)
        .setting("ratelimit", "port", String.valueOf(controlRateLimit))
        .setting("ratelimit", "configStreamPort", String.valueOf(rateLimitStream))
        .setting("ratelimit", "descriptorKeyFile", descriptorKey.toString())
        .setting("extauth", "port", String.valueOf(controlExtAuth))
        .setting("extauth", "configStreamPort", String.valueOf(extAuthStream))
        .tune(o -> o.withCa(certs.ca()));
    List<Thread> servers = new ArrayList<>();
    StringWriter out = new StringWriter();
    ManagedChannel rateLimitChannel = NettyChannelBuilder.forAddress("127.0.0.1", rateLimitPort).usePlaintext()
        .build();
    ManagedChannel extAuthChannel = NettyChannelBuilder.forAddress("127.0.0.1", extAuthPort).usePlaintext().build();
    try {
      try (GlooServer controlPlane = controlPlaneServe.start()) {
        servers.add(run(out, "ratelimit-server", "--plugins-dir", plugins.toString(),
            "--control-plane", "127.0.0.1:" + rateLimitStream, "--port", String.valueOf(rateLimitPort),
            "--bind", "127.0.0.1", "--cert-dir", certs.certDir(SpiffeId.service("ratelimit-server")).toString(),
            "--metrics-port", String.valueOf(rateLimitMetrics)));
        Path extAuthCerts = certs.certDir(SpiffeId.service("extauth-server"));
        servers.add(run(out, "extauth-server", "--plugins-dir", plugins.toString(),
            "--control-plane", "127.0.0.1:" + extAuthStream, "--port", String.valueOf(extAuthPort),
            "--bind", "127.0.0.1", "--tls-cert", extAuthCerts.resolve("tls.crt").toString(),
            "--tls-key", extAuthCerts.resolve("tls.key").toString(),
            "--tls-ca", extAuthCerts.resolve("ca.crt").toString(), "--metrics-port", String.valueOf(extAuthMetrics)));

        var auth = AuthorizationGrpc.newBlockingStub(extAuthChannel);
        Await.until(new LinkedBlockingQueue<>(), Duration.ofSeconds(30),
            () -> check(auth, "alice-secret-key") == 0, () -> "extauth-server never allowed the key: " + out);
        var limits = RateLimitServiceGrpc.newBlockingStub(rateLimitChannel);
        // the replica serves before the first rules arrive and answers OK to what no rule matches: wait for an
        // answer that carries the rule's limit, or bob's first requests go uncounted
        Await.until(new LinkedBlockingQueue<>(), Duration.ofSeconds(30),
            () -> appliedLimit(limits, "probe") == 3, () -> "ratelimit-server never applied the rules: " + out);
        assertEquals(Code.OK, shouldRateLimit(limits, "bob"));
        assertEquals(Code.OK, shouldRateLimit(limits, "bob"));
        assertEquals(Code.OK, shouldRateLimit(limits, "bob"));
        assertEquals(Code.OVER_LIMIT, shouldRateLimit(limits, "bob"), "3 per day");

        // each standalone server's own /metrics (loopback by default): its decisions, latencies, config version in
        // use, and the JVM and process series (decision counts are flushed every second, hence the wait)
        Await.until(new LinkedBlockingQueue<>(), Duration.ofSeconds(30),
            () -> Scrape.value(scrape(rateLimitMetrics), "gloo_plugin_ratelimit_decisions_total",
                "outcome", "limited") >= 1, () -> scrape(rateLimitMetrics));
        String rateLimitScrape = scrape(rateLimitMetrics);
        for (String metric : List.of("gloo_plugin_ratelimit_decision_duration_seconds_count",
            "gloo_plugin_ratelimit_config_version", "jvm_memory_used_bytes", "process_cpu_usage")) {
          assertTrue(Scrape.value(rateLimitScrape, metric) >= 0, metric + " missing: " + rateLimitScrape);
        }
        String extAuthScrape = scrape(extAuthMetrics);
        assertTrue(Scrape.value(extAuthScrape, "gloo_plugin_extauth_checks_total", "decision", "allow") >= 1,
            extAuthScrape);
        for (String metric : List.of("gloo_plugin_extauth_check_duration_seconds_count",
            "gloo_plugin_extauth_config_version", "jvm_threads_live_threads")) {
          assertTrue(Scrape.value(extAuthScrape, metric) >= 0, metric + " missing: " + extAuthScrape);
        }

        // the control plane's own in-process service enforces the same rules, and its admin view says which rule
        // limited a request (never the request's values)
        ManagedChannel inProcess = NettyChannelBuilder.forAddress("127.0.0.1", controlRateLimit).usePlaintext()
            .build();
        try {
          var control = RateLimitServiceGrpc.newBlockingStub(inProcess);
          for (int i = 0; i < 3; i++) {
            assertEquals(Code.OK, shouldRateLimit(control, "dave"));
          }
          assertEquals(Code.OVER_LIMIT, shouldRateLimit(control, "dave"));
        } finally {
          inProcess.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        var http = java.net.http.HttpClient.newHttpClient();
        var view = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
            + controlPlane.adminPort() + "/plugins/ratelimit/decisions")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, view.statusCode(), view.body());
        assertTrue(view.body().contains("\"domain\":\"default.per-user\"") && view.body().contains("\"rule\":\"user\""),
            view.body());
        assertTrue(!view.body().contains("dave"), "request values are never shown: " + view.body());
      }
      // the control plane is gone; the standalone servers keep their last rules and configs
      assertEquals(0, check(AuthorizationGrpc.newBlockingStub(extAuthChannel), "alice-secret-key"));
      assertEquals(16, check(AuthorizationGrpc.newBlockingStub(extAuthChannel), "mallory"),
          "still denied: 401 maps to gRPC UNAUTHENTICATED");
      var limits = RateLimitServiceGrpc.newBlockingStub(rateLimitChannel);
      assertEquals(Code.OVER_LIMIT, shouldRateLimit(limits, "bob"));
      assertEquals(Code.OK, shouldRateLimit(limits, "carol"));
      assertTrue(out.toString().contains("serving plugin ratelimit"), out.toString());
      assertFalse(out.toString().contains("PRIVATE KEY"), "key material in the output");
    } finally {
      servers.forEach(Thread::interrupt);
      for (Thread t : servers) {
        t.join(10_000);
      }
      rateLimitChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      extAuthChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The body of {@code GET /metrics} on a standalone server's metrics port, or "" while it does not answer. */
  private static String scrape(int port) {
    try {
      var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body() : "";
    } catch (java.io.IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static int check(AuthorizationGrpc.AuthorizationBlockingStub auth, String apiKey) {
    try {
      return auth.withDeadlineAfter(5, TimeUnit.SECONDS).check(CheckRequest.newBuilder()
          .setAttributes(AttributeContext.newBuilder()
              .putContextExtensions("config_id", "default.keys")
              .setRequest(AttributeContext.Request.newBuilder().setHttp(AttributeContext.HttpRequest.newBuilder()
                  .setMethod("GET").setPath("/").putHeaders("api-key", apiKey))))
          .build()).getStatus().getCode();
    } catch (io.grpc.StatusRuntimeException e) {
      return -1; // not serving yet
    }
  }

  private static RateLimitRequest request(String user) {
    return RateLimitRequest.newBuilder().setDomain("custom")
        .addDescriptors(RateLimitDescriptor.newBuilder()
            .addEntries(RateLimitDescriptor.Entry.newBuilder().setKey("gloo.config").setValue(SELECTOR))
            .addEntries(RateLimitDescriptor.Entry.newBuilder().setKey("user").setValue(user)))
        .build();
  }

  private static Code shouldRateLimit(RateLimitServiceGrpc.RateLimitServiceBlockingStub limits, String user) {
    try {
      return limits.withDeadlineAfter(5, TimeUnit.SECONDS).shouldRateLimit(request(user)).getOverallCode();
    } catch (io.grpc.StatusRuntimeException e) {
      return Code.UNKNOWN; // not serving yet
    }
  }

  /** The requests per unit of the rule applied to a user's request; 0 when no rule matched (or not serving yet). */
  private static int appliedLimit(RateLimitServiceGrpc.RateLimitServiceBlockingStub limits, String user) {
    try {
      return limits.withDeadlineAfter(5, TimeUnit.SECONDS).shouldRateLimit(request(user)).getStatuses(0)
          .getCurrentLimit().getRequestsPerUnit();
    } catch (io.grpc.StatusRuntimeException e) {
      return 0;
    }
  }
}
