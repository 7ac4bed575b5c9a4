package io.gloo.core.server;

import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.AdsTestClient;
import io.gloo.core.testing.Manifests;
import io.gloo.core.testing.MockKube;
import io.gloo.core.xds.BootstrapGenerator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code gloo serve} against an API server: fabric8's mock in CRUD mode. Resources created through the API reach a
 * proxy over a real ADS stream, statuses are written back to the objects (Gateway API kinds, with the right
 * observedGeneration; nothing on a Gateway of another class), updates and deletions propagate, one changed route
 * costs one status write, only the leader writes and the other replica takes over when it goes, and an API server
 * outage keeps the proxies' config until the changes arrive after it comes back.
 */
class KubeServeTest {

  private static final ResourceKey GW = new ResourceKey("Gateway", "default", "gw");
  // generous: a bound on waiting for events, not a performance target (CI machines can be slow)
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final LeaderElection.Timings FAST = new LeaderElection.Timings(Duration.ofSeconds(2),
      Duration.ofMillis(1500), Duration.ofMillis(200));

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

  private void seed(KubernetesClient client) {
    client.resource(Manifests.gatewayClass()).create();
    client.resource(Manifests.gateway("default", "gw", 8080)).create();
    client.resource(Manifests.gateway("default", "theirs", 8081).replace("gloo-gateway", "other-class")).create();
    client.resource(Manifests.service("default", "echo", 80)).create();
    client.resource(Manifests.endpointSlice("default", "echo", 8080, "10.0.0.1", "10.0.0.2")).create();
    client.resource(Manifests.service("default", "api", 8080)).create();
    client.resource(Manifests.endpointSlice("default", "api", 9090, "10.0.1.1")).create();
    client.resource(Manifests.httpRoute("default", "echo", "gw", null, "/echo", "echo:80")).create();
    client.resource(Manifests.httpRoute("default", "api", "gw", "api.example.com", "/api", "api:8080")).create();
  }

  private GlooServer serve(ServeOptions.Kubernetes kube) throws Exception {
    GlooServer server = GlooServer.start(new ServeOptions(null, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50)).withKubernetes(kube));
    servers.add(server);
    return server;
  }

  /** A single replica that always writes status. */
  private ServeOptions.Kubernetes single(KubernetesClient client) {
    return ServeOptions.Kubernetes.of(client, null, "test").withSyncTimeout(WAIT);
  }

  @Test
  void servesTheClusterAndWritesStatusesBack() throws Exception {
    seed(admin);
    GlooServer server = serve(single(api.createClient()));
    assertNull(server.notReadyReason());

    AdsTestClient envoy = connect(server);
    String routeName = routeName(envoy);
    DiscoveryResponse rds = envoy.request(ROUTE_TYPE_URL, List.of(routeName), "", "");
    envoy.ack(rds, List.of(routeName));
    String routes = MockKube.routes(rds);
    assertTrue(routes.contains("/echo") && routes.contains("/api"), routes);

    // Statuses land on the objects, observing their generation; the Gateway of another class gets none.
    await(() -> accepted(gateway("gw")), () -> String.valueOf(gateway("gw").getStatus()));
    Gateway gw = gateway("gw");
    assertEquals(gw.getMetadata().getGeneration(), condition(gw.getStatus().getConditions(), "Accepted")
        .getObservedGeneration());
    await(() -> routeAccepted(route("echo")), () -> String.valueOf(route("echo").getStatus()));
    HTTPRoute echo = route("echo");
    assertEquals(echo.getMetadata().getGeneration(),
        condition(echo.getStatus().getParents().get(0).getConditions(), "Accepted").getObservedGeneration());
    assertNull(gateway("theirs").getStatus(), "a Gateway of another class is not ours to report on");

    // An update reaches the proxy, and the status follows the new generation.
    HTTPRoute edited = route("echo");
    edited.getSpec().getRules().get(0).getMatches().get(0).getPath().setValue("/echo-v2");
    admin.resource(edited).update();
    awaitRoutes(envoy, routeName, r -> r.contains("/echo-v2") && !r.contains("\"/echo\""));
    long generation = route("echo").getMetadata().getGeneration();
    await(() -> routeAccepted(route("echo")) && generation == condition(
            route("echo").getStatus().getParents().get(0).getConditions(), "Accepted").getObservedGeneration(),
        () -> route("echo").getMetadata().getGeneration() + " " + route("echo").getStatus());

    // A deletion too.
    admin.resources(HTTPRoute.class).inNamespace("default").withName("api").delete();
    awaitRoutes(envoy, routeName, r -> !r.contains("/api") && r.contains("/echo-v2"));
    assertNull(gateway("theirs").getStatus());
    assertEquals(0, server.statusWriter().failures());
  }

  @Test
  void oneChangedRouteAmongAThousandIsOneStatusWrite() throws Exception {
    admin.resource(Manifests.gatewayClass()).create();
    admin.resource(Manifests.gateway("default", "gw", 8080)).create();
    admin.resource(Manifests.service("default", "echo", 80)).create();
    admin.resource(Manifests.endpointSlice("default", "echo", 8080, "10.0.0.1")).create();
    int routes = 1000;
    for (int i = 0; i < routes; i++) {
      admin.resource(Manifests.httpRoute("default", "r" + i, "gw", "h" + i + ".example.com", "/p" + i, "echo:80"))
          .create();
    }
    GlooServer server = serve(single(api.createClient()).withStatusWritesPerSecond(5_000));
    var writer = server.statusWriter();
    // Every route, the Gateway and the GatewayClass get a status once. A thousand writes to the mock API server take
    // minutes on a loaded machine: the wait lasts while writes go on, and fails only if they stop short.
    io.gloo.core.testing.Await.untilWhileProgressing(WAIT, () -> MockKube.safely(() -> writer.idle()
        && writer.writes() >= routes + 2), writer::writes, () -> writer.writes() + " writes");
    Thread.sleep(500); // nothing more is pending
    assertTrue(writer.idle());
    long before = writer.writes();
    assertEquals(routes + 2, before, "initial writes");
    HTTPRoute r7 = route("r7");
    r7.getSpec().getRules().get(0).getMatches().get(0).getPath().setValue("/p7-v2");
    admin.resource(r7).update();
    long generation = route("r7").getMetadata().getGeneration();
    await(() -> generation == condition(route("r7").getStatus().getParents().get(0).getConditions(), "Accepted")
        .getObservedGeneration(), () -> String.valueOf(route("r7").getStatus()));
    Thread.sleep(500);
    await(writer::idle, () -> "writer busy");
    assertEquals(1, writer.writes() - before, "one route changed: one status write");
  }

  @Test
  void onlyTheLeaderWritesAndTheOtherTakesOver() throws Exception {
    seed(admin);
    ServeOptions.Kubernetes a = ServeOptions.Kubernetes.of(api.createClient(), "gloo-system", "replica-a")
        .withTimings(FAST).withSyncTimeout(WAIT);
    ServeOptions.Kubernetes b = ServeOptions.Kubernetes.of(api.createClient(), "gloo-system", "replica-b")
        .withTimings(FAST).withSyncTimeout(WAIT);
    GlooServer first = serve(a);
    GlooServer second = serve(b);
    await(() -> first.leaderElection().isLeader() ^ second.leaderElection().isLeader()
            && first.statusWriter().isLeader() ^ second.statusWriter().isLeader(),
        () -> "leaders: " + first.leaderElection().isLeader() + " " + second.leaderElection().isLeader());
    GlooServer leader = first.leaderElection().isLeader() ? first : second;
    GlooServer follower = leader == first ? second : first;
    await(() -> accepted(gateway("gw")) && routeAccepted(route("echo")), () -> "statuses not written");
    // Both serve xDS.
    for (GlooServer s : List.of(first, second)) {
      AdsTestClient envoy = connect(s);
      assertFalse(routeName(envoy).isEmpty());
    }
    HTTPRoute edited = route("echo");
    edited.getSpec().getRules().get(0).getMatches().get(0).getPath().setValue("/echo-v2");
    admin.resource(edited).update();
    long generation = route("echo").getMetadata().getGeneration();
    await(() -> observed(route("echo")) == generation, () -> String.valueOf(route("echo").getStatus()));
    assertTrue(leader.statusWriter().writes() > 0);
    assertEquals(0, follower.statusWriter().writes(), "the follower must not write");

    // The leader goes: the other replica takes over (the lease is released on close) and writes.
    leader.close();
    servers.remove(leader);
    await(() -> follower.leaderElection().isLeader(), () -> "no takeover");
    HTTPRoute again = route("echo");
    again.getSpec().getRules().get(0).getMatches().get(0).getPath().setValue("/echo-v3");
    admin.resource(again).update();
    long generation3 = route("echo").getMetadata().getGeneration();
    await(() -> observed(route("echo")) == generation3, () -> String.valueOf(route("echo").getStatus()));
    // the writer counts a write after the API server answered it, so the test may see the status first
    await(() -> follower.statusWriter().writes() > 0, () -> "the new leader writes");
  }

  @Test
  void anApiServerOutageKeepsTheConfigAndChangesArriveAfterIt() throws Exception {
    seed(admin);
    GlooServer server = serve(single(api.createClient()));
    AdsTestClient envoy = connect(server);
    String routeName = routeName(envoy);
    DiscoveryResponse rds = envoy.request(ROUTE_TYPE_URL, List.of(routeName), "", "");
    envoy.ack(rds, List.of(routeName));
    assertTrue(MockKube.routes(rds).contains("/api"));
    int port = api.getPort();

    api.destroy();
    await(() -> server.notReadyReason() != null, () -> "still ready with the API server down");
    assertTrue(server.notReadyReason().contains("disconnected"), server.notReadyReason());
    // No empty snapshot, no change at all: the proxy keeps what it has.
    DiscoveryResponse during = envoy.poll(1_500);
    assertNull(during, () -> "pushed during the outage: " + during);
    assertTrue(server.publisher().current().containsKey(GW));

    // A new API server on the same port, holding the changed world.
    api = MockKube.newApi();
    api.init(InetAddress.getByName("127.0.0.1"), port);
    admin.close();
    admin = api.createClient();
    seed(admin);
    HTTPRoute edited = route("echo");
    edited.getSpec().getRules().get(0).getMatches().get(0).getPath().setValue("/echo-after");
    admin.resource(edited).update();
    awaitRoutes(envoy, routeName, r -> r.contains("/echo-after"));
    await(() -> server.notReadyReason() == null, () -> server.notReadyReason());
  }

  // --- helpers

  private AdsTestClient connect(GlooServer server) {
    Node node = BootstrapGenerator.bootstrap(GW, "127.0.0.1:" + server.xdsPort()).getNode();
    AdsTestClient envoy = AdsTestClient.connect("127.0.0.1", server.xdsPort(), node);
    proxies.add(envoy);
    return envoy;
  }

  private static String routeName(AdsTestClient envoy) throws Exception {
    DiscoveryResponse lds = envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
    assertEquals(1, lds.getResourcesCount());
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

  private Gateway gateway(String name) {
    return admin.resources(Gateway.class).inNamespace("default").withName(name).get();
  }

  private HTTPRoute route(String name) {
    return admin.resources(HTTPRoute.class).inNamespace("default").withName(name).get();
  }

  private static Condition condition(List<Condition> conditions, String type) {
    return MockKube.condition(conditions, type);
  }

  private static boolean accepted(HasMetadata object) {
    return object instanceof Gateway g && g.getStatus() != null
        && "True".equals(condition(g.getStatus().getConditions(), "Accepted").getStatus());
  }

  private static boolean routeAccepted(HTTPRoute route) {
    HTTPRouteStatus status = route.getStatus();
    if (status == null || status.getParents() == null || status.getParents().isEmpty()) {
      return false;
    }
    RouteParentStatus parent = status.getParents().get(0);
    assertNotNull(parent.getControllerName());
    return "True".equals(condition(parent.getConditions(), "Accepted").getStatus());
  }

  private static long observed(HTTPRoute route) {
    return condition(route.getStatus().getParents().get(0).getConditions(), "Accepted").getObservedGeneration();
  }

}
