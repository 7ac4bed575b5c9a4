package io.gloo.core.server;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.AdsTestClient;
import io.gloo.core.testing.Await;
import io.gloo.core.testing.Manifests;
import io.gloo.core.testing.Scrape;
import io.gloo.core.xds.BootstrapGenerator;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes {@code /metrics} after a scenario an operator alerts on (a proxy connects, ACKs listeners, NACKs clusters;
 * a route is rejected; a file change is parsed; a rule Envoy would reject is replaced by a 500, then removed) and
 * checks that the series move as expected; then checks that every query of the chart's Grafana dashboard names a
 * metric this scrape saw (so the dashboard never shows a panel of a metric that does not exist), except the panels
 * of plugin metrics, which {@code io.gloo.it.PluginMetricsScrapeTest} checks with the plugins loaded; and that the
 * chart's three example alert rules name only metrics, and select only series, that this scrape has.
 */
class MetricsScrapeTest {

  static final Path DASHBOARD = Scrape.DASHBOARD;

  @TempDir
  Path dir;

  @Test
  void seriesMoveAfterAScenarioAndTheDashboardNamesOnlyThem() throws Exception {
    Manifests.write(dir, "gw.yaml", Manifests.docs(Manifests.gatewayClass(), Manifests.gateway("default", "gw", 8080),
        Manifests.service("default", "echo", 80), Manifests.endpointSlice("default", "echo", 8080, "10.0.0.1"),
        Manifests.httpRoute("default", "echo", "gw", null, "/echo", "echo:80")));
    try (GlooServer server = GlooServer.start(new ServeOptions(dir, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(20)))) {
      String group = "default~gw";
      try (AdsTestClient envoy = AdsTestClient.connect("127.0.0.1", server.xdsPort(),
          BootstrapGenerator.bootstrap(new ResourceKey("Gateway", "default", "gw"), "127.0.0.1:9977").getNode())) {
        DiscoveryResponse lds = envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
        envoy.ack(lds, List.of());
        DiscoveryResponse cds = envoy.request(CLUSTER_TYPE_URL, List.of(), "", "");
        envoy.nack(cds, "test: cluster refused");
        Await.until(Duration.ofSeconds(10), () -> value(server, "gloo_xds_nack_total{type=\"cluster\"}") == 1.0,
            () -> server.metrics().scrape());
        String connectedGroup = groupLabel(server.metrics().scrape());
        assertTrue(connectedGroup.contains("gw"), connectedGroup);
        group = connectedGroup;
        assertEquals(1.0, value(server, "gloo_xds_gateway_connected_proxies{gateway=\"" + group + "\"}"));
        assertTrue(value(server, "gloo_xds_gateway_push_total{gateway=\"" + group + "\"}") >= 2.0);
        assertTrue(value(server, "gloo_xds_ack_total{type=\"listener\"}") >= 1.0);
        assertTrue(value(server, "gloo_xds_ack_latency_seconds_count{type=\"listener\"}") >= 1.0);
      }
      String g = group;
      Await.until(Duration.ofSeconds(10),
          () -> value(server, "gloo_xds_gateway_connected_proxies{gateway=\"" + g + "\"}") == 0.0,
          () -> server.metrics().scrape());

      double translations = value(server, "gloo_translation_phase_seconds_count{phase=\"translate\"}");
      assertTrue(translations >= 1.0);
      double parses = value(server, "gloo_translation_phase_seconds_count{phase=\"parse\"}");
      assertTrue(parses >= 1.0, "the first read of the directory is timed");
      assertEquals(0.0, value(server, "gloo_invalid_routes{outcome=\"replaced\"}"));
      assertEquals(0.0, value(server, "gloo_resources{kind=\"HTTPRoute\",status=\"rejected\"}"));
      Manifests.write(dir, "orphan.yaml", Manifests.httpRoute("default", "orphan", "no-such-gw", null, "/orphan",
          "echo:80"));
      Await.until(Duration.ofSeconds(10),
          () -> value(server, "gloo_resources{kind=\"HTTPRoute\",status=\"rejected\"}") == 1.0,
          () -> server.metrics().scrape());
      assertTrue(value(server, "gloo_translation_phase_seconds_count{phase=\"translate\"}") > translations);
      assertTrue(value(server, "gloo_translation_phase_seconds_count{phase=\"publish\"}") > translations - 1);
      assertTrue(value(server, "gloo_translation_phase_seconds_count{phase=\"report\"}") >= 1.0);
      assertTrue(value(server, "gloo_resources{kind=\"HTTPRoute\",status=\"accepted\"}") == 1.0);
      assertTrue(value(server, "gloo_translation_phase_seconds_count{phase=\"parse\"}") > parses,
          "reading the changed file is timed");

      // a rule Envoy would reject (it sets Host, which Envoy refuses to modify; the CRDs admit it) is replaced by a
      // direct 500: counted while served, back to 0 once it is gone
      Manifests.write(dir, "sets-host.yaml", """
          apiVersion: gateway.networking.k8s.io/v1
          kind: HTTPRoute
          metadata: {name: sets-host, namespace: default}
          spec:
            parentRefs: [{name: gw}]
            rules:
              - matches: [{path: {type: PathPrefix, value: /host}}]
                filters:
                  - type: RequestHeaderModifier
                    requestHeaderModifier: {set: [{name: Host, value: evil.example.com}]}
                backendRefs: [{name: echo, port: 80}]
          """);
      Await.until(Duration.ofSeconds(10), () -> value(server, "gloo_invalid_routes{outcome=\"replaced\"}") == 1.0,
          () -> server.metrics().scrape());
      assertEquals(0.0, value(server, "gloo_invalid_routes{outcome=\"dropped\"}"));
      Files.delete(dir.resolve("sets-host.yaml"));
      Await.until(Duration.ofSeconds(10), () -> value(server, "gloo_invalid_routes{outcome=\"replaced\"}") == 0.0,
          () -> server.metrics().scrape());

      // GC pause series exist once a collection happened (Micrometer registers them on the first GC notification,
      // which a short test may not have seen yet): collect, then wait for the notification to be counted
      System.gc();
      Await.until(Duration.ofSeconds(10), () -> server.metrics().scrape().contains("jvm_gc_pause_seconds_sum"),
          () -> "no GC pause series after System.gc()");
      Set<String> seen = Scrape.metricNames(server.metrics().scrape());
      List<Scrape.Query> queries = Scrape.dashboardQueries(DASHBOARD);
      for (Scrape.Query q : queries) {
        assertTrue(!q.metrics().isEmpty(), "a query names no metric: " + q.expr());
      }
      assertTrue(queries.size() >= 10, "dashboard queries: " + queries.size());
      // the panels of plugin metrics (gloo_plugin_*: the rate-limit and ext-auth services, calls into plugins) need
      // the plugins loaded: io.gloo.it.PluginMetricsScrapeTest checks those with the enterprise archives
      List<Scrape.Query> core = queries.stream()
          .filter(q -> q.metrics().stream().noneMatch(m -> m.startsWith("gloo_plugin_"))).toList();
      assertEquals(Map.of(), Scrape.missing(core, seen), "dashboard metrics the scrape did not show; seen: " + seen);

      // the chart's three example alerts: every metric they name, and every series their label matchers select
      // (gloo_resources{status="rejected"}, jvm_memory_used_bytes{area="heap"}), is in this scrape
      List<Scrape.Query> alerts = Scrape.alertQueries(Scrape.ALERT_RULES);
      assertEquals(List.of("GlooProxiesNacking", "GlooConfigNotConverging", "GlooControlPlaneNearMemoryLimit"),
          alerts.stream().map(Scrape.Query::panel).toList());
      for (Scrape.Query alert : alerts) {
        assertTrue(!alert.metrics().isEmpty(), "an alert names no metric: " + alert.expr());
      }
      assertEquals(Map.of(), Scrape.missing(alerts, seen), "alert metrics the scrape did not show; seen: " + seen);
      String scrape = server.metrics().scrape();
      assertEquals(Map.of(), Scrape.unmatchedSelectors(alerts, scrape), "alert selectors matching no series");
    }
  }

  /** The value of one series line ({@code name{labels}}) in the scrape, or -1 when absent. */
  static double value(GlooServer server, String series) {
    for (String line : server.metrics().scrape().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return -1;
  }

  private static String groupLabel(String scrape) {
    Matcher m = Pattern.compile("gloo_xds_gateway_connected_proxies\\{gateway=\"([^\"]+)\"").matcher(scrape);
    return m.find() ? m.group(1) : "";
  }

}
