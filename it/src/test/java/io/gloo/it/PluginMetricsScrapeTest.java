package io.gloo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.gloo.core.server.GlooServer;
import io.gloo.core.testing.Await;
import io.gloo.core.testing.Scrape;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gloo serve} with the enterprise plugin archives, scraped after a scenario: an ext-auth check allowed and one
 * denied, a rate-limit request over its limit. The services' series move (decisions by outcome, latency histograms,
 * the config version in use), the plugin host counts and times calls into every plugin and shows each plugin's
 * version; then every dashboard query over plugin metrics ({@code gloo_plugin_*}, which core's MetricsScrapeTest
 * cannot see without plugins) names a metric this scrape saw.
 */
class PluginMetricsScrapeTest {

  private static final String CONFIG = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata: {name: gloo-gateway}
      spec: {controllerName: solo.io/gloo-gateway}
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: default}
      spec:
        gatewayClassName: gloo-gateway
        listeners: [{name: http, protocol: HTTP, port: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: svc, namespace: default}
      spec: {ports: [{port: 80}]}
      ---
      """ + EnterprisePlugins.apiKeyAuth("alice-secret-key") + """
      ---
      apiVersion: gateway.solo.io/v1
      kind: RouteOption
      metadata: {name: auth, namespace: default}
      spec:
        options:
          extauth: {configRef: {name: keys}}
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: r, namespace: default}
      spec:
        parentRefs: [{name: gw}]
        rules:
          - filters: [{type: ExtensionRef, extensionRef: {group: gateway.solo.io, kind: RouteOption, name: auth}}]
            backendRefs: [{name: svc, port: 80}]
      """;

  @TempDir
  Path dir;

  @Test
  void theServicesSeriesMoveAndTheDashboardsPluginPanelsNameOnlyThem() throws Exception {
    Path custom = dir.resolve("custom.yaml");
    Files.writeString(custom, "descriptors: [{key: generic_key, value: whole-host, rateLimit: {unit: MINUTE, "
        + "requestsPerUnit: 1}}]\n");
    String authPort = EnterprisePlugins.freePort();
    String rateLimitPort = EnterprisePlugins.freePort();
    try (GlooServer server = EnterprisePlugins.serve(dir).manifest("all.yaml", CONFIG)
        .setting("extauth", "port", authPort).setting("ratelimit", "port", rateLimitPort)
        .setting("ratelimit", "customRules", custom.toString()).start()) {
      ManagedChannel auth = NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(authPort)).usePlaintext()
          .build();
      ManagedChannel rateLimit = NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(rateLimitPort))
          .usePlaintext().build();
      try {
        AuthorizationGrpc.AuthorizationBlockingStub authClient = AuthorizationGrpc.newBlockingStub(auth);
        // until the first translation's auth configs are served (and the connection is up, on a loaded machine)
        Await.until(Duration.ofSeconds(60), () -> allowed(authClient), () -> "the key was never allowed");
        assertEquals(401, authClient.withDeadlineAfter(30, TimeUnit.SECONDS).check(check("wrong"))
            .getDeniedResponse().getStatus().getCodeValue());

        RateLimitServiceGrpc.RateLimitServiceBlockingStub rls = RateLimitServiceGrpc.newBlockingStub(rateLimit);
        RateLimitRequest request = RateLimitRequest.newBuilder().setDomain("custom")
            .addDescriptors(RateLimitDescriptor.newBuilder().addEntries(RateLimitDescriptor.Entry.newBuilder()
                .setKey("generic_key").setValue("whole-host"))).build();
        assertEquals(Code.OK, rls.withDeadlineAfter(30, TimeUnit.SECONDS).shouldRateLimit(request).getOverallCode());
        assertEquals(Code.OVER_LIMIT, rls.withDeadlineAfter(30, TimeUnit.SECONDS).shouldRateLimit(request)
            .getOverallCode());
      } finally {
        auth.shutdownNow();
        rateLimit.shutdownNow();
      }

      // rate-limit counts reach the registry within a flush (every second)
      Await.until(Duration.ofSeconds(10), () -> value(server, "gloo_plugin_ratelimit_decisions_total",
          "outcome", "limited") == 1.0, () -> server.metrics().scrape());
      String scrape = server.metrics().scrape();
      assertEquals(1.0, Scrape.value(scrape, "gloo_plugin_ratelimit_decisions_total", "outcome", "allowed"));
      assertEquals(2.0, Scrape.value(scrape, "gloo_plugin_ratelimit_decision_duration_seconds_count"));
      assertEquals(2.0, Scrape.value(scrape, "gloo_plugin_ratelimit_store_duration_seconds_count",
          "store", "memory", "result", "ok"));
      assertTrue(Scrape.value(scrape, "gloo_plugin_extauth_checks_total", "decision", "allow") >= 1.0, scrape);
      assertEquals(1.0, Scrape.value(scrape, "gloo_plugin_extauth_checks_total", "decision", "deny"));
      assertEquals(1.0, Scrape.value(scrape, "gloo_plugin_extauth_check_duration_seconds_count",
          "decision", "deny"));
      assertTrue(Scrape.value(scrape, "gloo_plugin_ratelimit_config_version", "plugin", "ratelimit") > 0);
      assertTrue(Scrape.value(scrape, "gloo_plugin_extauth_config_version", "plugin", "extauth") > 0);
      // the plugin host: calls into the extauth plugin (its AuthConfig kind and RouteOption field), each timed
      assertTrue(Scrape.value(scrape, "gloo_plugin_calls_total", "plugin", "extauth", "result", "ok") >= 1.0,
          scrape);
      assertTrue(Scrape.value(scrape, "gloo_plugin_call_duration_seconds_count", "plugin", "extauth") >= 1.0);
      for (String plugin : List.of("routeoption", "virtualhostoption", "upstream", "ratelimit", "extauth")) {
        assertEquals(1.0, Scrape.value(scrape, "gloo_plugin_info", "plugin", plugin, "state", "started"),
            plugin + ": " + scrape);
      }

      Set<String> seen = Scrape.metricNames(scrape);
      List<Scrape.Query> pluginQueries = Scrape.dashboardQueries(Scrape.DASHBOARD).stream()
          .filter(q -> q.metrics().stream().anyMatch(m -> m.startsWith("gloo_plugin_"))).toList();
      assertTrue(pluginQueries.size() >= 8, "plugin queries: " + pluginQueries.size());
      assertEquals(Map.of(), Scrape.missing(pluginQueries, seen), "seen: " + seen);
    }
  }

  private static boolean allowed(AuthorizationGrpc.AuthorizationBlockingStub client) {
    try {
      return client.withDeadlineAfter(30, TimeUnit.SECONDS).check(check("alice-secret-key")).getStatus()
          .getCode() == 0;
    } catch (io.grpc.StatusRuntimeException e) {
      return false; // not serving yet
    }
  }

  private static double value(GlooServer server, String name, String... labels) {
    return Scrape.value(server.metrics().scrape(), name, labels);
  }

  private static CheckRequest check(String apiKey) {
    return CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
        .putContextExtensions("config_id", "default.keys")
        .setRequest(AttributeContext.Request.newBuilder().setHttp(AttributeContext.HttpRequest.newBuilder()
            .setMethod("GET").setPath("/").putHeaders("api-key", apiKey)))).build();
  }
}
