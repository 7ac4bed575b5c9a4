package io.gloo.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.server.GlooServer;
import io.gloo.core.testing.Await;
import io.gloo.core.testing.Scrape;
import io.gloo.core.testing.ServeFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the plugin host measures of any plugin, scraped from a running server with a real plugin archive: calls into
 * the plugin by kind and result and their latency ({@code gloo_plugin_calls_total},
 * {@code gloo_plugin_call_duration_seconds}), and which plugins are loaded with which version and state
 * ({@code gloo_plugin_info}), including an archive that failed to load.
 */
class PluginMetricsServeTest {

  @TempDir
  Path temp;

  @Test
  void callsAreCountedAndTimedPerPluginAndKindAndLoadedPluginsShowTheirVersion() throws Exception {
    ServeFixture serve = ServeFixture.in(temp).plugins(temp.resolve("plugins")).manifest("gateway.yaml", """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: gloo-gateway}
        spec: {controllerName: solo.io/gloo-gateway}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: web}
        spec:
          gatewayClassName: gloo-gateway
          listeners: [{name: http, protocol: HTTP, port: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: svc, namespace: web}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: app, namespace: web}
        spec:
          parentRefs: [{name: gw}]
          rules:
            - matches: [{path: {type: PathPrefix, value: /targeted}}]
              backendRefs: [{name: svc, port: 80}]
        ---
        apiVersion: example.gloo.io/v1alpha1
        kind: AccessGuard
        metadata: {name: on-route, namespace: web}
        spec:
          marker: route
          targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: app}]
        """);
    Path plugins = temp.resolve("plugins");
    TestPlugins.install(TestPlugins.HEADERS, plugins);
    try (GlooServer server = serve.start()) {
      String scrape = server.metrics().scrape();
      String[] guard = {"plugin", TestPlugins.HEADERS, "kind", "example.gloo.io/AccessGuard"};
      double calls = Scrape.value(scrape, "gloo_plugin_calls_total", "plugin", TestPlugins.HEADERS, "result", "ok");
      assertTrue(calls >= 1.0, scrape);
      assertTrue(Scrape.value(scrape, "gloo_plugin_call_duration_seconds_count", "plugin", TestPlugins.HEADERS)
          >= calls, scrape);
      assertEquals(-1.0, Scrape.value(scrape, "gloo_plugin_calls_total", "plugin", TestPlugins.HEADERS,
          "result", "timeout"));
      assertEquals(1.0, Scrape.value(scrape, "gloo_plugin_info", "plugin", TestPlugins.HEADERS,
          "version", "0.1.0-SNAPSHOT", "state", "started"), scrape);

      // a change to the policy translates again: more calls into the plugin, per kind
      double before = Scrape.value(scrape, "gloo_plugin_calls_total", guard);
      assertTrue(before >= 1.0, "the kind label is the policy kind: " + scrape);
      Path gateway = serve.config().resolve("gateway.yaml");
      Files.writeString(gateway, Files.readString(gateway).replace("marker: route", "marker: changed"));
      Await.until(Duration.ofSeconds(20), () -> Scrape.value(server.metrics().scrape(), "gloo_plugin_calls_total",
          guard) > before, () -> server.metrics().scrape());

      // an archive that cannot load is listed as failed next to the one that serves
      TestPlugins.install(TestPlugins.BAD_REQUIRES, plugins);
      server.pluginManager().rescan(); // the watcher may have got there first: the same result either way
      scrape = server.metrics().scrape();
      assertEquals(1.0, Scrape.value(scrape, "gloo_plugin_info", "plugin", TestPlugins.HEADERS,
          "state", "started"), scrape);
      assertEquals(1.0, Scrape.value(scrape, "gloo_plugin_info", "plugin", TestPlugins.BAD_REQUIRES,
          "state", "failed"), scrape);
    }
  }
}
