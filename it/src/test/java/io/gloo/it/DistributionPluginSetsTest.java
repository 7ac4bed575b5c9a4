package io.gloo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.server.GlooServer;
import io.gloo.core.server.ServeOptions;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.SharedDir;
import io.gloo.core.translate.XdsResources;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two distributions' plugin sets, with the archives the reactor built loaded by a running server: the
 * enterprise set serves RouteOption, VirtualHostOption and Upstream from real Gloo 1.18 manifests (unchanged, from
 * shared/gloo-examples); OSS (no plugins) answers 500 for a RouteOption ExtensionRef and says why on the route.
 */
class DistributionPluginSetsTest {

  private static final String GATEWAY_CLASS = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata:
        name: gloo-gateway
      spec:
        controllerName: solo.io/gloo-gateway
      """;
  private static final ResourceKey GW = new ResourceKey("Gateway", "default", "gw");

  private static Path examples() {
    Path shared = SharedDir.find().orElse(null);
    Assumptions.assumeTrue(shared != null, "shared/gloo-examples not found: set -Dgloo.shared.dir");
    return shared.resolve("gloo-examples");
  }

  /** A config dir holding the given example files as they are, plus the GatewayClass Gloo's install creates. */
  private static Path configDir(Path dir, String... exampleFiles) throws IOException {
    Files.writeString(dir.resolve("gatewayclass.yaml"), GATEWAY_CLASS);
    for (String f : exampleFiles) {
      Files.copy(examples().resolve(f), dir.resolve(f.replace('/', '_')));
    }
    return dir;
  }

  private static GlooServer serve(Path config, Path plugins) throws IOException {
    return GlooServer.start(new ServeOptions(config, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50), EnterprisePlugins.options(plugins)));
  }

  private static Path enterprisePlugins() {
    Path dir = Path.of(System.getProperty("gloo.it.plugins", "target/plugins-enterprise"));
    assertTrue(Files.isRegularFile(dir.resolve("gloo-plugin-routeoption.zip")), "archives missing in " + dir);
    return dir;
  }

  private static XdsResources served(GlooServer server) {
    PublishedSnapshot snapshot = server.publisher().current().get(GW);
    assertTrue(snapshot != null, "no snapshot for " + GW);
    return snapshot.resources();
  }

  private static VirtualHost vhost(XdsResources xds) {
    return xds.routes().get(0).getVirtualHosts(0);
  }

  private static Map<String, String> headers(List<HeaderValueOption> options) {
    return options.stream().collect(java.util.stream.Collectors.toMap(o -> o.getHeader().getKey(),
        o -> o.getHeader().getValue()));
  }

  @SuppressWarnings("unchecked")
  private static String glooState(GlooServer server, String kind, String name) {
    Map<String, Object> status = (Map<String, Object>) server.reporter().statuses()
        .get(new ResourceKey(kind, "default", name));
    Map<String, Object> entry = (Map<String, Object>) ((Map<String, Object>) status.get("statuses")).get("gloo-system");
    return (String) entry.get("state");
  }

  @Test
  void enterpriseServesRouteOptionAndVirtualHostOption(@TempDir Path config, @TempDir Path work) throws Exception {
    configDir(config, "e2e/virtualhost_options/setup.yaml", "e2e/virtualhost_options/vho-remove-x-bar.yaml");
    try (GlooServer server = serve(config, enterprisePlugins())) {
      assertEquals(List.of("extauth", "ratelimit", "routeoption", "upstream", "virtualhostoption"),
          server.plugins().started().stream().map(p -> p.id()).sorted().toList());
      XdsResources xds = served(server);
      Route route = vhost(xds).getRoutes(0);
      assertTrue(route.hasRoute(), "the route forwards: " + route);
      assertTrue(headers(route.getResponseHeadersToAddList()).containsKey("x-baz"),
          "RouteOption header-manipulation (ExtensionRef) applied: " + route.getResponseHeadersToAddList());
      assertTrue(vhost(xds).getResponseHeadersToRemoveList().contains("x-bar"),
          "VirtualHostOption (targetRef to the Gateway) applied: " + vhost(xds));
      assertEquals("Accepted", glooState(server, "RouteOption", "header-manipulation"));
      assertEquals("Accepted", glooState(server, "VirtualHostOption", "remove-x-bar-header"));
    }
  }

  @Test
  void enterpriseServesRateLimitConfigsReferencedFromARouteOption(@TempDir Path config) throws Exception {
    configDir(config, "e2e/virtualhost_options/setup.yaml");
    // the example's route, rate limited by a RouteOption (targetRef) that references a RateLimitConfig
    Files.writeString(config.resolve("ratelimit.yaml"), """
        apiVersion: ratelimit.solo.io/v1alpha1
        kind: RateLimitConfig
        metadata: {name: per-client, namespace: default}
        spec:
          raw:
            descriptors:
              - {key: client, rateLimit: {unit: MINUTE, requestsPerUnit: 10}}
            rateLimits:
              - actions: [{requestHeaders: {headerName: x-client, descriptorKey: client}}]
        ---
        apiVersion: gateway.solo.io/v1
        kind: RouteOption
        metadata: {name: limited, namespace: default}
        spec:
          targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: example-route}]
          options:
            rateLimitConfigs:
              refs: [{name: per-client}]
        """);
    try (GlooServer server = serve(config, enterprisePlugins())) {
      XdsResources xds = served(server);
      assertTrue(xds.listeners().get(0).toString().contains("envoy.filters.http.ratelimit"),
          "the rate-limit filter is in the HTTP connection manager");
      assertTrue(xds.clusters().stream().anyMatch(c -> c.getName().equals("gloo-system_rate-limit")),
          "the rate-limit service's cluster: " + xds.clusters());
      Route route = vhost(xds).getRoutes(0);
      assertEquals("gloo.config", route.getRoute().getRateLimits(0).getActions(0).getGenericKey()
          .getDescriptorKey(), route.toString());
      @SuppressWarnings("unchecked")
      Map<String, Object> status = (Map<String, Object>) server.reporter().statuses()
          .get(new ResourceKey("RateLimitConfig", "default", "per-client"));
      assertEquals("ACCEPTED", status.get("state"), String.valueOf(status));
    }
  }

  @Test
  void enterpriseServesUpstreamBackends(@TempDir Path config) throws Exception {
    configDir(config, "e2e/upstreams/route-with-upstream.yaml", "e2e/upstreams/upstream-for-route.yaml");
    try (GlooServer server = serve(config, enterprisePlugins())) {
      XdsResources xds = served(server);
      assertEquals("upstream_default_json-upstream", vhost(xds).getRoutes(0).getRoute().getCluster());
      assertTrue(xds.clusters().stream().anyMatch(c -> c.getName().equals("upstream_default_json-upstream")
          && c.getType() == io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType.STRICT_DNS),
          "the static Upstream with a hostname is a STRICT_DNS cluster: " + xds.clusters());
      assertEquals("Accepted", glooState(server, "Upstream", "json-upstream"));
    }
  }

  @Test
  void ossAnswers500ForARouteOptionExtensionRefAndSaysWhy(@TempDir Path config, @TempDir Path noPlugins)
      throws Exception {
    configDir(config, "e2e/virtualhost_options/setup.yaml");
    try (GlooServer server = serve(config, noPlugins)) {
      assertTrue(server.plugins().started().isEmpty());
      Route route = vhost(served(server)).getRoutes(0);
      assertEquals(500, route.getDirectResponse().getStatus(), "the rule is never served without its filter");
      HTTPRouteStatus status = (HTTPRouteStatus) server.reporter().statuses()
          .get(new ResourceKey("HTTPRoute", "default", "example-route"));
      Condition refs = status.getParents().get(0).getConditions().stream()
          .filter(c -> c.getType().equals("ResolvedRefs")).findFirst().orElseThrow();
      assertEquals("False", refs.getStatus());
      assertTrue(refs.getMessage().contains("gateway.solo.io/RouteOption header-manipulation is not served by any"
          + " installed plugin"), refs.getMessage());
    }
  }
}
