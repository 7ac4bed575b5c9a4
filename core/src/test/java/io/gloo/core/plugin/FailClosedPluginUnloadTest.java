package io.gloo.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.gloo.core.server.GlooServer;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.ServeFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gloo serve with a plugin whose kind is fail-closed (test-headers' AccessGuard): removing the plugin's archive
 * closes the routes its policies guard (by targetRef on a route and on a Gateway, and by ExtensionRef) instead of
 * serving them unguarded; putting it back serves them guarded again.
 */
class FailClosedPluginUnloadTest {

  private static final ResourceKey GW = new ResourceKey("Gateway", "web", "gw");
  private static final ResourceKey GW2 = new ResourceKey("Gateway", "web", "gw2");

  @TempDir
  Path temp;

  @Test
  void removingTheGuardsPluginClosesTheRoutesItGuardedAndReinstallingItReopensThem() throws Exception {
    Path plugins = temp.resolve("plugins");
    ServeFixture serve = ServeFixture.in(temp).plugins(plugins).manifest("gateway.yaml", """
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
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw2, namespace: web}
        spec:
          gatewayClassName: gloo-gateway
          listeners: [{name: http, protocol: HTTP, port: 8081}]
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
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: ext, namespace: web}
        spec:
          parentRefs: [{name: gw}]
          rules:
            - matches: [{path: {type: PathPrefix, value: /ext}}]
              filters:
                - {type: ExtensionRef, extensionRef: {group: example.gloo.io, kind: AccessGuard, name: by-ref}}
              backendRefs: [{name: svc, port: 80}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: open, namespace: web}
        spec:
          parentRefs: [{name: gw}]
          rules:
            - matches: [{path: {type: PathPrefix, value: /open}}]
              backendRefs: [{name: svc, port: 80}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: other, namespace: web}
        spec:
          parentRefs: [{name: gw2}]
          rules:
            - matches: [{path: {type: PathPrefix, value: /other}}]
              backendRefs: [{name: svc, port: 80}]
        """).manifest("guards.yaml", """
        apiVersion: example.gloo.io/v1alpha1
        kind: AccessGuard
        metadata: {name: on-route, namespace: web}
        spec:
          marker: route
          targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: app}]
        ---
        apiVersion: example.gloo.io/v1alpha1
        kind: AccessGuard
        metadata: {name: by-ref, namespace: web}
        spec:
          marker: ref
        ---
        apiVersion: example.gloo.io/v1alpha1
        kind: AccessGuard
        metadata: {name: on-gateway, namespace: web}
        spec:
          marker: gateway
          targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw2}]
        """);
    Path archive = TestPlugins.install(TestPlugins.HEADERS, plugins);
    try (GlooServer server = serve.start()) {
      await(() -> guarded(route(server, GW, "/targeted")), () -> String.valueOf(route(server, GW, "/targeted")));
      assertTrue(guarded(route(server, GW, "/ext")));
      assertTrue(route(server, GW2, "/other").map(Route::hasRoute).orElse(false));

      Files.delete(archive);
      await(() -> answers500(route(server, GW, "/targeted")), () -> String.valueOf(route(server, GW, "/targeted")));
      assertTrue(answers500(route(server, GW, "/ext")), "ExtensionRef: its kind is no longer served");
      await(() -> answers500(route(server, GW2, "/other")), () -> String.valueOf(route(server, GW2, "/other")));
      assertTrue(route(server, GW, "/open").orElseThrow().hasRoute(), "routes no guard targets are served");
      assertTrue(server.kinds().isHeld("example.gloo.io/v1alpha1", "AccessGuard"), "still read while held");

      Condition refs = condition(server, "app", "ResolvedRefs");
      assertEquals("False", refs.getStatus());
      assertEquals("InvalidKind", refs.getReason());
      assertTrue(refs.getMessage().contains("example.gloo.io/AccessGuard web/on-route is no longer served: plugin "
          + TestPlugins.HEADERS + ", which served it, is not loaded"), refs.getMessage());
      assertTrue(String.valueOf(server.reporter().statuses().get(new ResourceKey("AccessGuard", "web", "on-route")))
          .contains("state=Rejected"));
      java.net.http.HttpResponse<String> statuses = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.adminPort()
              + "/statuses")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertTrue(statuses.body().matches("(?s).*\"pluginCircuits\"\\s*:\\s*\\[.*"), statuses.body());

      TestPlugins.install(TestPlugins.HEADERS, plugins);
      await(() -> guarded(route(server, GW, "/targeted")), () -> String.valueOf(route(server, GW, "/targeted")));
      await(() -> guarded(route(server, GW, "/ext")), () -> String.valueOf(route(server, GW, "/ext")));
      await(() -> route(server, GW2, "/other").map(Route::hasRoute).orElse(false),
          () -> String.valueOf(route(server, GW2, "/other")));
      assertTrue(server.plugins().get(TestPlugins.HEADERS).orElseThrow().started(), "took the held kind over");
    }
  }

  private static Optional<Route> route(GlooServer server, ResourceKey gateway, String prefix) {
    PublishedSnapshot snapshot = server.publisher().current().get(gateway);
    if (snapshot == null) {
      return Optional.empty();
    }
    return snapshot.resources().routes().stream().flatMap(c -> c.getVirtualHostsList().stream())
        .flatMap(v -> v.getRoutesList().stream())
        .filter(r -> r.getMatch().getPathSeparatedPrefix().equals(prefix)).findFirst();
  }

  private static boolean guarded(Optional<Route> route) {
    return route.map(r -> r.hasRoute() && r.getResponseHeadersToAddList().stream()
        .anyMatch(h -> h.getHeader().getKey().equals("x-guarded"))).orElse(false);
  }

  private static boolean answers500(Optional<Route> route) {
    return route.map(r -> r.hasDirectResponse() && r.getDirectResponse().getStatus() == 500).orElse(false);
  }

  private static Condition condition(GlooServer server, String route, String type) {
    HTTPRouteStatus status = (HTTPRouteStatus) server.reporter().statuses()
        .get(new ResourceKey("HTTPRoute", "web", route));
    return status.getParents().get(0).getConditions().stream().filter(c -> c.getType().equals(type)).findFirst()
        .orElseThrow();
  }

  private static void await(BooleanSupplier condition, Supplier<String> state) throws InterruptedException {
    io.gloo.core.testing.Await.until(Duration.ofSeconds(20), condition, state);
  }
}
