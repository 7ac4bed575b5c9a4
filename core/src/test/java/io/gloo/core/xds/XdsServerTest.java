package io.gloo.core.xds;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static io.gloo.core.testing.AdsTestClient.collect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.snapshot.SnapshotPublisher;
import io.gloo.core.snapshot.TestXds;
import io.gloo.core.testing.AdsTestClient;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.XdsResources;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The xDS server over real sockets, with a gRPC client behaving as Envoy does: node from the bootstrap, CDS → EDS →
 * LDS → RDS, ACK by echoing version and nonce, NACK with {@code error_detail}.
 */
class XdsServerTest {

  private static final ResourceKey GW = TestXds.gateway("default", "gw");
  private static final ResourceKey OTHER = TestXds.gateway("team-b", "edge");
  private static final long WAIT_SECONDS = AdsTestClient.WAIT_SECONDS;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SnapshotPublisher publisher = new SnapshotPublisher(registry);
  private final ProxyTracker tracker = new ProxyTracker(registry);
  private final BlockingQueue<ProxyTracker.Event> trackerEvents = new LinkedBlockingQueue<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private XdsServer server;

  @BeforeEach
  void start() throws Exception {
    tracker.onChange(trackerEvents::add);
    server = XdsServer.start(new InetSocketAddress("127.0.0.1", 0),
        new NackHoldingConfigWatcher(publisher.cache(), tracker), List.of(tracker),
        Duration.ofSeconds(1));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    server.close();
  }

  @Test
  void stateOfTheWorldAdsServesAcksAndPushesOnlyChanges() throws Exception {
    publisher.publish(Map.of(GW, TestXds.resources("backend", "10.0.0.1")));
    PublishedSnapshot published = publisher.current().get(GW);
    AdsTestClient envoy = adsClient(nodeOf(GW));

    DiscoveryResponse cds = envoy.request(CLUSTER_TYPE_URL, List.of(), "", "");
    assertEquals(published.version(CLUSTER_TYPE_URL), cds.getVersionInfo());
    assertEquals(TestXds.edsCluster("backend"), cds.getResources(0).unpack(Cluster.class));

    DiscoveryResponse eds = envoy.request(ENDPOINT_TYPE_URL, List.of("backend"), "", "");
    assertEquals(published.version(ENDPOINT_TYPE_URL), eds.getVersionInfo());
    assertEquals(TestXds.endpoints("backend", "10.0.0.1"), eds.getResources(0).unpack(ClusterLoadAssignment.class));
    envoy.ack(cds, List.of());

    DiscoveryResponse lds = envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
    assertEquals(published.version(LISTENER_TYPE_URL), lds.getVersionInfo());
    assertEquals(TestXds.listener(TestXds.LISTENER, TestXds.ROUTE), lds.getResources(0).unpack(Listener.class));

    DiscoveryResponse rds = envoy.request(ROUTE_TYPE_URL, List.of(TestXds.ROUTE), "", "");
    assertEquals(published.version(ROUTE_TYPE_URL), rds.getVersionInfo());
    assertEquals(TestXds.route(TestXds.ROUTE, "backend"), rds.getResources(0).unpack(RouteConfiguration.class));
    envoy.ack(eds, List.of("backend"));
    envoy.ack(lds, List.of());
    envoy.ack(rds, List.of(TestXds.ROUTE));

    await(() -> tracker.proxies().size() == 1
        && tracker.proxies().get(0).types().size() == 4
        && tracker.proxies().get(0).types().values().stream().allMatch(t -> !t.ackedVersion().isEmpty()));
    ProxyStatus proxy = tracker.proxies().get(0);
    assertEquals("gloo-proxy~default~gw", proxy.nodeId());
    assertEquals(GW, proxy.gateway().orElseThrow());
    assertEquals(published.version(ROUTE_TYPE_URL), proxy.types().get(ROUTE_TYPE_URL).ackedVersion());
    assertEquals(1.0, registry.get("gloo.xds.connected.proxies").gauge().value());
    assertEquals(1.0, registry.get("gloo.xds.ack").tag("type", "route").counter().count());
    assertEquals(1.0, registry.get("gloo.xds.push").tag("type", "route").counter().count());
    assertEquals(1, registry.get("gloo.xds.ack.latency").tag("type", "route").timer().count(),
        "one ACK of one pushed nonce");

    // Identical content: nothing is sent.
    publisher.publish(Map.of(GW, TestXds.resources("backend", "10.0.0.1")));
    envoy.assertQuiet();

    // New endpoints: only EDS is pushed, with a new version.
    publisher.publish(Map.of(GW, TestXds.resources("backend", "10.0.0.2")));
    DiscoveryResponse eds2 = envoy.next();
    assertEquals(ENDPOINT_TYPE_URL, eds2.getTypeUrl());
    assertEquals(publisher.current().get(GW).version(ENDPOINT_TYPE_URL), eds2.getVersionInfo());
    assertTrue(!eds2.getVersionInfo().equals(eds.getVersionInfo()));
    assertEquals(TestXds.endpoints("backend", "10.0.0.2"), eds2.getResources(0).unpack(ClusterLoadAssignment.class));
    envoy.ack(eds2, List.of("backend"));
    envoy.assertQuiet();
  }

  @Test
  void nackIsTrackedUntilAckedAgain() throws Exception {
    publisher.publish(Map.of(GW, TestXds.resources("backend", "10.0.0.1")));
    AdsTestClient envoy = adsClient(nodeOf(GW));
    DiscoveryResponse lds = envoy.request(LISTENER_TYPE_URL, List.of(), "", "");

    envoy.nack(lds, "listener 'http': invalid filter");

    await(() -> !tracker.activeNacks(GW).isEmpty());
    envoy.assertQuiet(); // java-control-plane alone would resend the rejected version at once, again and again
    Nack nack = tracker.activeNacks(GW).get(0);
    assertEquals(LISTENER_TYPE_URL, nack.typeUrl());
    assertEquals(lds.getVersionInfo(), nack.rejectedVersion());
    assertEquals(3, nack.code());
    assertEquals("listener 'http': invalid filter", nack.message());
    assertTrue(tracker.activeNacks(OTHER).isEmpty());
    assertEquals(1.0, registry.get("gloo.xds.nack").tag("type", "listener").counter().count());
    assertEquals(1, registry.get("gloo.xds.ack.latency").tag("type", "listener").timer().count(),
        "a NACK answers the push too");

    // A fixed configuration arrives and is ACKed: the NACK is superseded.
    publisher.publish(Map.of(GW, new XdsResources(List.of(TestXds.listener("http2", TestXds.ROUTE)),
        List.of(TestXds.route(TestXds.ROUTE, "backend")), List.of(TestXds.edsCluster("backend")),
        List.of(TestXds.endpoints("backend", "10.0.0.1")), List.of())));
    String fixed = publisher.current().get(GW).version(LISTENER_TYPE_URL);
    // The rejected version is not resent (no NACK storm); the fixed one arrives as soon as it is published.
    DiscoveryResponse latest = envoy.next();
    assertEquals(fixed, latest.getVersionInfo());
    envoy.ack(latest, List.of());
    await(() -> tracker.activeNacks(GW).isEmpty());
    assertEquals(fixed, tracker.proxies(GW).get(0).types().get(LISTENER_TYPE_URL).ackedVersion());
  }

  @Test
  void deltaAdsSendsResourcesAndRemovals() throws Exception {
    publisher.publish(Map.of(GW, TestXds.resources("backend", "10.0.0.1")));
    DeltaClient envoy = deltaClient(nodeOf(GW));

    envoy.send(DeltaDiscoveryRequest.newBuilder().setNode(envoy.node).setTypeUrl(CLUSTER_TYPE_URL).build());
    DeltaDiscoveryResponse first = envoy.next();
    assertEquals(List.of("backend"), first.getResourcesList().stream().map(Resource::getName).toList());
    assertEquals(TestXds.edsCluster("backend"), first.getResources(0).getResource().unpack(Cluster.class));
    assertEquals(publisher.current().get(GW).version(CLUSTER_TYPE_URL), first.getSystemVersionInfo());
    envoy.send(DeltaDiscoveryRequest.newBuilder().setNode(envoy.node).setTypeUrl(CLUSTER_TYPE_URL)
        .setResponseNonce(first.getNonce()).build());
    // The node attaches on the subscription, before its ACK has created the CDS entry: wait for both.
    await(() -> tracker.proxies(GW).size() == 1
        && tracker.proxies(GW).get(0).types().containsKey(CLUSTER_TYPE_URL)
        && first.getSystemVersionInfo()
            .equals(tracker.proxies(GW).get(0).types().get(CLUSTER_TYPE_URL).ackedVersion()));

    publisher.publish(Map.of(GW, TestXds.resources("backend-v2", "10.0.0.1")));
    DeltaDiscoveryResponse second = envoy.next();
    assertEquals(List.of("backend-v2"), second.getResourcesList().stream().map(Resource::getName).toList());
    assertEquals(List.of("backend"), second.getRemovedResourcesList());
  }

  @Test
  void inconsistentSnapshotIsNotServedAndErrorIsReported() throws Exception {
    publisher.publish(Map.of(GW, TestXds.resources("backend", "10.0.0.1")));
    AdsTestClient envoy = adsClient(nodeOf(GW));
    DiscoveryResponse lds = envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
    envoy.ack(lds, List.of());

    XdsResources dangling = new XdsResources(List.of(TestXds.listener("http", "no-such-route")), List.of(),
        List.of(TestXds.edsCluster("backend")), List.of(TestXds.endpoints("backend", "10.0.0.1")), List.of());
    assertEquals(SnapshotPublisher.Result.INCONSISTENT, publisher.publish(Map.of(GW, dangling)).get(GW));

    envoy.assertQuiet();
    assertTrue(publisher.error(GW).orElseThrow().message().contains("no-such-route"));
    assertEquals(lds.getVersionInfo(), publisher.current().get(GW).version(LISTENER_TYPE_URL));
  }

  @Test
  void nodesOnlyReceiveTheirGateway() throws Exception {
    publisher.publish(Map.of(GW, TestXds.resources("backend", "10.0.0.1"),
        OTHER, TestXds.resources("b-backend", "10.0.1.1")));

    AdsTestClient other = adsClient(nodeOf(OTHER));
    DiscoveryResponse cds = other.request(CLUSTER_TYPE_URL, List.of(), "", "");
    assertEquals(List.of("b-backend"),
        cds.getResourcesList().stream().map(XdsServerTest::clusterName).toList());

    AdsTestClient stranger = adsClient(Node.newBuilder().setId("stranger").setCluster("not-a-gateway").build());
    stranger.send(DiscoveryRequest.newBuilder().setNode(stranger.node()).setTypeUrl(CLUSTER_TYPE_URL).build());
    stranger.assertQuiet();
  }

  @Test
  void healthAndReflection() throws Exception {
    ManagedChannel channel = channel();
    HealthCheckResponse health = HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService("").build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(AggregatedDiscoveryServiceGrpc.SERVICE_NAME).build())
        .getStatus());

    BlockingQueue<ServerReflectionResponse> responses = new LinkedBlockingQueue<>();
    StreamObserver<ServerReflectionRequest> reflection = ServerReflectionGrpc.newStub(channel)
        .serverReflectionInfo(collect(responses));
    reflection.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    ServerReflectionResponse listed = responses.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(listed, "no reflection response");
    List<String> services = listed.getListServicesResponse().getServiceList().stream()
        .map(ServiceResponse::getName).toList();
    assertTrue(services.contains(AggregatedDiscoveryServiceGrpc.SERVICE_NAME), services.toString());
    assertTrue(services.contains("envoy.service.cluster.v3.ClusterDiscoveryService"), services.toString());
    reflection.onCompleted();
  }

  @Test
  void closeReportsNotServingToHealthWatchers() throws Exception {
    ManagedChannel channel = channel();
    BlockingQueue<HealthCheckResponse> statuses = new LinkedBlockingQueue<>();
    HealthGrpc.newStub(channel).watch(HealthCheckRequest.newBuilder().setService("").build(), collect(statuses));
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, statuses.poll(WAIT_SECONDS, TimeUnit.SECONDS).getStatus());

    server.close();

    HealthCheckResponse after = statuses.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(after, "no status after close");
    assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, after.getStatus());
  }

  @Test
  void bootstrapNodeIsServed() throws Exception {
    publisher.publish(Map.of(GW, TestXds.resources("backend", "10.0.0.1")));
    Bootstrap bootstrap = BootstrapGenerator.bootstrap(GW, "127.0.0.1:" + server.port());
    assertEquals(server.port(), bootstrap.getStaticResources().getClusters(0).getLoadAssignment().getEndpoints(0)
        .getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress().getPortValue());
    // An operator-chosen --service-node keeps the Gateway through metadata.
    AdsTestClient envoy = adsClient(bootstrap.getNode().toBuilder().setId("envoy-replica-1").build());
    DiscoveryResponse cds = envoy.request(CLUSTER_TYPE_URL, List.of(), "", "");
    assertEquals(1, cds.getResourcesCount());
    await(() -> tracker.proxies(GW).stream().anyMatch(p -> p.nodeId().equals("envoy-replica-1")));
  }

  // --- helpers ---

  private static Node nodeOf(ResourceKey gateway) {
    // Exactly what the bootstrap gives Envoy.
    return BootstrapGenerator.bootstrap(gateway, "127.0.0.1:9977").getNode();
  }

  private static String clusterName(Any any) {
    try {
      return any.unpack(Cluster.class).getName();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private ManagedChannel channel() {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    closeables.add(() -> {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    });
    return channel;
  }

  private AdsTestClient adsClient(Node node) {
    AdsTestClient client = new AdsTestClient(channel(), node);
    closeables.add(0, client);
    return client;
  }

  private DeltaClient deltaClient(Node node) {
    DeltaClient client = new DeltaClient(channel(), node);
    closeables.add(0, client);
    return client;
  }

  /** Waits for a tracker condition, woken by tracker events; bounded. */
  private void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        fail("condition not met within " + WAIT_SECONDS + "s; proxies: " + tracker.proxies());
      }
      trackerEvents.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
    }
  }

  /** A delta ADS stream. */
  private static final class DeltaClient implements AutoCloseable {
    final Node node;
    final BlockingQueue<DeltaDiscoveryResponse> responses = new LinkedBlockingQueue<>();
    final StreamObserver<DeltaDiscoveryRequest> requests;

    DeltaClient(ManagedChannel channel, Node node) {
      this.node = node;
      this.requests = AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(collect(responses));
    }

    synchronized void send(DeltaDiscoveryRequest request) {
      requests.onNext(request);
    }

    DeltaDiscoveryResponse next() throws InterruptedException {
      DeltaDiscoveryResponse response = responses.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull(response, "no delta xDS response within " + WAIT_SECONDS + "s");
      return response;
    }

    @Override
    public void close() {
      requests.onCompleted();
    }
  }
}
