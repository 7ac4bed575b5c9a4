package io.gloo.core.server;

import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.AdsTestClient;
import io.gloo.core.testing.Manifests;
import io.gloo.core.testing.MockKube;
import io.gloo.core.xds.BootstrapGenerator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code gloo serve} in Kubernetes mode with the Gloo Edge kinds (fabric8's mock API server in CRUD mode): an Edge
 * Gateway, a VirtualService delegating by selector to a RouteTable in another namespace, an UpstreamGroup and a
 * route to an Upstream are informed, translated and served to the Edge proxy over ADS; the leader writes Gloo-style
 * statuses ({@code status.statuses.gloo-system.state}) back to them; an edit that breaks the VirtualService is
 * reported Rejected on it while its last accepted routes keep serving.
 */
class EdgeKubeServeTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ResourceKey PROXY = new ResourceKey("Proxy", "default", "edge-proxy");

  private KubernetesMockServer api;
  private KubernetesClient admin;
  private final List<GlooServer> servers = new ArrayList<>();
  private final List<AdsTestClient> proxies = new ArrayList<>();

  @BeforeEach
  void startApi() {
    api = MockKube.start();
    admin = api.createClient();
  }

  @AfterEach
  void stop() throws Exception {
    for (AdsTestClient p : proxies) {
      p.close();
    }
    for (GlooServer s : servers) {
      s.close();
    }
    admin.close();
    api.destroy();
  }

  private static ResourceDefinitionContext context(String group, String kind, String plural) {
    return new ResourceDefinitionContext.Builder().withGroup(group).withVersion("v1").withKind(kind)
        .withPlural(plural).withNamespaced(true).build();
  }

  private static final ResourceDefinitionContext GATEWAYS = context("gateway.solo.io", "Gateway", "gateways");
  private static final ResourceDefinitionContext VIRTUAL_SERVICES =
      context("gateway.solo.io", "VirtualService", "virtualservices");
  private static final ResourceDefinitionContext ROUTE_TABLES = context("gateway.solo.io", "RouteTable", "routetables");
  private static final ResourceDefinitionContext UPSTREAM_GROUPS =
      context("gloo.solo.io", "UpstreamGroup", "upstreamgroups");

  private void create(ResourceDefinitionContext ctx, String yaml) {
    GenericKubernetesResource r = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    admin.genericKubernetesResources(ctx).inNamespace(r.getMetadata().getNamespace()).resource(r).create();
  }

  private GenericKubernetesResource get(ResourceDefinitionContext ctx, String namespace, String name) {
    return admin.genericKubernetesResources(ctx).inNamespace(namespace).withName(name).get();
  }

  private void seed() {
    admin.resource(Manifests.service("default", "echo", 80)).create();
    admin.resource(Manifests.endpointSlice("default", "echo", 8080, "10.0.0.1")).create();
    admin.resource(Manifests.service("team", "users", 80)).create();
    admin.resource(Manifests.endpointSlice("team", "users", 8080, "10.0.1.1")).create();
    create(GATEWAYS, """
        apiVersion: gateway.solo.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: default, generation: 1}
        spec:
          bindPort: 8080
          proxyNames: [edge-proxy]
          httpGateway:
            options:
              httpConnectionManagerSettings: {serverName: edge-kube}
        """);
    create(VIRTUAL_SERVICES, """
        apiVersion: gateway.solo.io/v1
        kind: VirtualService
        metadata: {name: shop, namespace: default, generation: 1}
        spec:
          virtualHost:
            domains: [shop.example.com]
            routes:
              - matchers: [{prefix: /team}]
                delegateAction:
                  selector:
                    labels: {owner: team}
                    namespaces: [team]
              - matchers: [{prefix: /legacy}]
                routeAction: {single: {upstream: {name: legacy, namespace: default}}}
              - matchers: [{prefix: /}]
                routeAction: {single: {kube: {ref: {name: echo, namespace: default}, port: 80}}}
        """);
    create(ROUTE_TABLES, """
        apiVersion: gateway.solo.io/v1
        kind: RouteTable
        metadata: {name: users, namespace: team, generation: 1, labels: {owner: team}}
        spec:
          routes:
            - matchers: [{prefix: /team/users}]
              routeAction: {single: {upstreamGroup: {name: users-split, namespace: team}}}
            - matchers: [{prefix: /elsewhere}]
              directResponseAction: {status: 404}
        """);
    create(UPSTREAM_GROUPS, """
        apiVersion: gloo.solo.io/v1
        kind: UpstreamGroup
        metadata: {name: users-split, namespace: team, generation: 1}
        spec:
          destinations:
            - weight: 3
              destination: {kube: {ref: {name: users, namespace: team}, port: 80}}
            - weight: 1
              destination: {kube: {ref: {name: echo, namespace: default}, port: 80}}
        """);
  }

  @Test
  void edgeKindsAreServedAndGetGlooStatusesWrittenByTheLeader() throws Exception {
    seed();
    GlooServer server = GlooServer.start(new ServeOptions(null, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50))
        .withKubernetes(ServeOptions.Kubernetes.of(api.createClient(), null, "test").withSyncTimeout(WAIT)));
    servers.add(server);

    Node node = BootstrapGenerator.bootstrap(PROXY, "127.0.0.1:" + server.xdsPort()).getNode();
    AdsTestClient envoy = AdsTestClient.connect("127.0.0.1", server.xdsPort(), node);
    proxies.add(envoy);
    DiscoveryResponse lds = envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
    assertEquals(1, lds.getResourcesCount());
    HttpConnectionManager hcm = lds.getResources(0).unpack(Listener.class).getFilterChains(0).getFilters(0)
        .getTypedConfig().unpack(HttpConnectionManager.class);
    assertEquals("edge-kube", hcm.getServerName(), "httpGateway.options reach the listener");
    envoy.ack(lds, List.of());
    String routeName = hcm.getRds().getRouteConfigName();
    DiscoveryResponse rds = envoy.request(ROUTE_TYPE_URL, List.of(routeName), "", "");
    envoy.ack(rds, List.of(routeName));
    String routes = routes(rds);
    assertTrue(routes.contains("/team/users") && routes.contains("kube_team_users_80")
        && routes.contains("/legacy") && routes.contains("shop.example.com"), routes);
    assertTrue(!routes.contains("/elsewhere"), "a child route outside the parent's prefix is left out: " + routes);

    // Gloo-style statuses, written by the (single, so leading) replica
    await(() -> "Accepted".equals(state(get(UPSTREAM_GROUPS, "team", "users-split"))),
        () -> String.valueOf(get(UPSTREAM_GROUPS, "team", "users-split").getAdditionalProperties()));
    await(() -> "Warning".equals(state(get(VIRTUAL_SERVICES, "default", "shop"))),
        () -> String.valueOf(get(VIRTUAL_SERVICES, "default", "shop").getAdditionalProperties()));
    assertTrue(reason(get(VIRTUAL_SERVICES, "default", "shop")).contains("legacy"),
        "the Upstream no plugin serves is named: " + reason(get(VIRTUAL_SERVICES, "default", "shop")));
    await(() -> "Warning".equals(state(get(ROUTE_TABLES, "team", "users"))),
        () -> String.valueOf(get(ROUTE_TABLES, "team", "users").getAdditionalProperties()));
    assertTrue(reason(get(ROUTE_TABLES, "team", "users")).contains("/elsewhere"),
        reason(get(ROUTE_TABLES, "team", "users")));
    await(() -> "Accepted".equals(state(get(GATEWAYS, "default", "edge"))),
        () -> String.valueOf(get(GATEWAYS, "default", "edge").getAdditionalProperties()));

    // An edit that breaks the VirtualService: Rejected on it, its last accepted routes keep serving
    GenericKubernetesResource vs = get(VIRTUAL_SERVICES, "default", "shop");
    Map<String, Object> spec = Serialization.unmarshal("""
        virtualHost:
          domains: [shop.example.com]
          routes:
            - matchers: [{prefix: /broken}]
              directResponseAction: {status: 99}
        """, Map.class);
    vs.getAdditionalProperties().put("spec", spec);
    vs.getMetadata().setGeneration(2L);
    admin.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace("default").resource(vs).update();
    await(() -> "Rejected".equals(state(get(VIRTUAL_SERVICES, "default", "shop"))),
        () -> String.valueOf(get(VIRTUAL_SERVICES, "default", "shop").getAdditionalProperties()));
    assertTrue(reason(get(VIRTUAL_SERVICES, "default", "shop")).contains("directResponseAction.status 99"),
        reason(get(VIRTUAL_SERVICES, "default", "shop")));
    String served = routes(currentRoutes(server, node, routeName));
    assertTrue(served.contains("/team/users") && !served.contains("/broken"), served);
    assertEquals(0, server.statusWriter().failures());
  }

  /** What the proxy is served now: a second proxy of the same group connects and asks. */
  private DiscoveryResponse currentRoutes(GlooServer server, Node node, String routeName) throws Exception {
    AdsTestClient fresh = AdsTestClient.connect("127.0.0.1", server.xdsPort(), node);
    proxies.add(fresh);
    return fresh.request(ROUTE_TYPE_URL, List.of(routeName), "", "");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> glooStatus(GenericKubernetesResource r) {
    Map<String, Object> status = (Map<String, Object>) r.getAdditionalProperties().get("status");
    if (status == null) {
      return null;
    }
    return (Map<String, Object>) ((Map<String, Object>) status.get("statuses")).get("gloo-system");
  }

  private static String state(GenericKubernetesResource r) {
    Map<String, Object> s = glooStatus(r);
    return s == null ? null : String.valueOf(s.get("state"));
  }

  private static String reason(GenericKubernetesResource r) {
    Map<String, Object> s = glooStatus(r);
    return s == null ? "" : String.valueOf(s.get("reason"));
  }

  private static String routes(DiscoveryResponse rds) throws Exception {
    StringBuilder text = new StringBuilder();
    for (var any : rds.getResourcesList()) {
      text.append(any.unpack(RouteConfiguration.class));
    }
    return text.toString();
  }

  private static void await(BooleanSupplier condition, Supplier<String> describe) throws InterruptedException {
    io.gloo.core.testing.Await.until(WAIT, () -> {
      try {
        return condition.getAsBoolean();
      } catch (RuntimeException e) {
        return false;
      }
    }, describe);
  }

}
