package io.gloo.core.server;

import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerNamespaces;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.AdsTestClient;
import io.gloo.core.testing.Manifests;
import io.gloo.core.testing.MockKube;
import io.gloo.core.xds.BootstrapGenerator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ListenerSets in Kubernetes mode (fabric8's mock API server in CRUD mode): a ListenerSet the Gateway allows is
 * informed, its listener merged into the Gateway's and served with the route attached to it, and its status (Accepted,
 * Programmed, the listener's attachedRoutes) written back with the Gateway's {@code attachedListenerSets}, and the
 * provisioned proxy's Service exposes its port; when the Gateway stops allowing it, it is reported NotAllowed, the
 * route loses its parent, the proxy its host and the Service that port.
 */
class ListenerSetKubeServeTest {

  private static final ResourceKey GW = new ResourceKey("Gateway", "default", "gw");
  // generous: a bound on waiting for events, not a performance target
  private static final Duration WAIT = Duration.ofSeconds(60);

  private KubernetesMockServer api;
  private KubernetesClient admin;
  private GlooServer server;
  private AdsTestClient envoy;

  @BeforeEach
  void startApi() {
    api = MockKube.start();
    admin = api.createClient();
  }

  @AfterEach
  void stop() throws Exception {
    if (envoy != null) {
      envoy.close();
    }
    if (server != null) {
      server.close();
    }
    admin.close();
    api.destroy();
  }

  @Test
  void listenerSetIsServedAndReportedThenRefusedWhenTheGatewayStopsAllowingIt() throws Exception {
    admin.resource(Manifests.gatewayClass()).create();
    admin.resource("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          gatewayClassName: gloo-gateway
          allowedListeners:
            namespaces: {from: Same}
          listeners:
            - {name: http, protocol: HTTP, port: 8080, hostname: gw.example.com}
        """).create();
    admin.resource("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: ListenerSet
        metadata: {name: team, namespace: default}
        spec:
          parentRef: {name: gw}
          listeners:
            - {name: team, protocol: HTTP, port: 8080, hostname: team.example.com}
            - {name: db, protocol: TCP, port: 9000}
        """).create();
    admin.resource(Manifests.service("default", "echo", 80)).create();
    admin.resource(Manifests.endpointSlice("default", "echo", 8080, "10.0.0.1")).create();
    admin.resource(Manifests.httpRoute("default", "own", "gw", null, "/own", "echo:80")).create();
    admin.resource("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: team, namespace: default}
        spec:
          parentRefs: [{kind: ListenerSet, group: gateway.networking.k8s.io, name: team}]
          rules:
            - matches: [{path: {type: PathPrefix, value: /team}}]
              backendRefs: [{name: echo, port: 80}]
        """).create();

    server = GlooServer.start(new ServeOptions(null, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50))
        .withKubernetes(ServeOptions.Kubernetes.of(api.createClient(), null, "test").withSyncTimeout(WAIT)
            .withProvisioning(io.gloo.core.provision.ProxyProvisioner.Options.defaults("gloo-system")
                .withEnvoyImage("envoyproxy/envoy:test"))));
    Node node = BootstrapGenerator.bootstrap(GW, "127.0.0.1:" + server.xdsPort()).getNode();
    envoy = AdsTestClient.connect("127.0.0.1", server.xdsPort(), node);
    String routeName = routeName(envoy);
    DiscoveryResponse rds = envoy.request(ROUTE_TYPE_URL, List.of(routeName), "", "");
    envoy.ack(rds, List.of(routeName));
    String first = MockKube.routes(rds);
    assertTrue(first.contains("team.example.com") && first.contains("/team") && first.contains("gw.example.com"),
        first);

    // The ListenerSet's status, at its generation; the Gateway counts it.
    await(() -> "True".equals(condition(listenerSet().getStatus().getConditions(), "Programmed").getStatus()),
        () -> String.valueOf(listenerSet().getStatus()));
    ListenerSet ls = listenerSet();
    Condition accepted = condition(ls.getStatus().getConditions(), "Accepted");
    assertEquals("True", accepted.getStatus());
    assertEquals(ls.getMetadata().getGeneration(), accepted.getObservedGeneration());
    assertEquals(List.of("team", "db"), ls.getStatus().getListeners().stream().map(l -> l.getName()).toList());
    assertEquals(1, ls.getStatus().getListeners().get(0).getAttachedRoutes());
    // The provisioned proxy exposes the ListenerSet's port too.
    await(() -> servicePorts().equals(List.of(8080, 9000)), () -> String.valueOf(servicePorts()));
    await(() -> Integer.valueOf(1).equals(gateway().getStatus().getAttachedListenerSets()),
        () -> String.valueOf(gateway().getStatus()));
    assertEquals(1, gateway().getStatus().getListeners().size(), "the Gateway lists only its own listeners");
    await(() -> "True".equals(condition(route().getStatus().getParents().get(0).getConditions(), "Accepted")
        .getStatus()), () -> String.valueOf(route().getStatus()));
    assertEquals("ListenerSet", route().getStatus().getParents().get(0).getParentRef().getKind());

    // The Gateway stops allowing ListenerSets: the set is refused, its host leaves the proxy.
    admin.resources(Gateway.class).inNamespace("default").withName("gw").edit(g -> {
      g.getSpec().getAllowedListeners().setNamespaces(new ListenerNamespaces("None", null));
      return g;
    });
    awaitRoutes(envoy, routeName, r -> !r.contains("team.example.com") && r.contains("gw.example.com"));
    await(() -> "NotAllowed".equals(condition(listenerSet().getStatus().getConditions(), "Accepted").getReason()),
        () -> String.valueOf(listenerSet().getStatus()));
    await(() -> Integer.valueOf(0).equals(gateway().getStatus().getAttachedListenerSets()),
        () -> String.valueOf(gateway().getStatus()));
    await(() -> servicePorts().equals(List.of(8080)), () -> String.valueOf(servicePorts()));
    await(() -> "NoMatchingParent".equals(condition(route().getStatus().getParents().get(0).getConditions(),
        "Accepted").getReason()), () -> String.valueOf(route().getStatus()));
    assertEquals(0, server.statusWriter().failures());
  }

  private List<Integer> servicePorts() {
    return admin.services().inNamespace("default").withName("gloo-proxy-gw").get().getSpec().getPorts().stream()
        .map(p -> p.getPort()).sorted().toList();
  }

  private Gateway gateway() {
    return admin.resources(Gateway.class).inNamespace("default").withName("gw").get();
  }

  private ListenerSet listenerSet() {
    return admin.resources(ListenerSet.class).inNamespace("default").withName("team").get();
  }

  private HTTPRoute route() {
    return admin.resources(HTTPRoute.class).inNamespace("default").withName("team").get();
  }

  private static String routeName(AdsTestClient envoy) throws Exception {
    DiscoveryResponse lds = envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
    assertTrue(lds.getResourcesCount() >= 1, lds.toString());
    Listener listener = lds.getResources(0).unpack(Listener.class);
    HttpConnectionManager hcm = listener.getFilterChains(0).getFilters(0).getTypedConfig()
        .unpack(HttpConnectionManager.class);
    envoy.ack(lds, List.of());
    return hcm.getRds().getRouteConfigName();
  }

  /** Reads pushed responses (ACKing them) until an RDS response satisfies {@code check}. */
  private static void awaitRoutes(AdsTestClient envoy, String routeName,
      java.util.function.Predicate<String> check) throws Exception {
    MockKube.awaitRoutes(envoy, routeName, check, WAIT);
  }

  private static void await(BooleanSupplier condition, Supplier<String> describe) throws InterruptedException {
    MockKube.await(WAIT, condition, describe);
  }

  private static Condition condition(List<Condition> conditions, String type) {
    return MockKube.condition(conditions, type);
  }
}
