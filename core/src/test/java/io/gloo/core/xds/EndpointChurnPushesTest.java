package io.gloo.core.xds;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.snapshot.SnapshotPublisher;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.testing.AdsTestClient;
import io.gloo.core.testing.Manifests;
import io.gloo.core.translate.Translator;
import io.gloo.core.watch.ManifestParser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Endpoint churn reaches a connected proxy as EDS only, coalesced: {@value #SERVICES} Services, each with an
 * EndpointSlice and an HTTPRoute, translated and published as the server does; {@value #ROUNDS} rounds of
 * {@value #UPDATES_PER_ROUND} EndpointSlice updates, each round inside one push interval (the pacer's clock is
 * driven by hand, so "faster than the interval" does not depend on the machine's speed), then the interval passes.
 * The ADS client behaves as Envoy and counts the responses per type.
 */
class EndpointChurnPushesTest {

  static final int SERVICES = 40;
  static final int ROUNDS = 5;
  static final int UPDATES_PER_ROUND = 20;
  static final Duration INTERVAL = Duration.ofMillis(100);
  static final ResourceKey GATEWAY = new ResourceKey("Gateway", "app", "gw");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SnapshotPublisher publisher = new SnapshotPublisher(registry);
  private final ProxyTracker tracker = new ProxyTracker(registry);
  private final ManualTimer timer = new ManualTimer();
  private final ManifestParser parser = new ManifestParser();
  private final Translator translator = new Translator();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : reversed(closeables)) {
      c.close();
    }
  }

  @Test
  void endpointSliceUpdatesArePushedAsEdsOnlyAndCoalescedPerInterval() throws Exception {
    Map<ResourceKey, HasMetadata> world = new HashMap<>();
    parse(world, Manifests.gatewayClass() + "---\n" + Manifests.gateway("app", "gw", 8080));
    for (int s = 0; s < SERVICES; s++) {
      parse(world, Manifests.service("app", "svc-" + s, 80) + "---\n"
          + Manifests.endpointSlice("app", "svc-" + s, 8080, "10.0." + s + ".1") + "---\n"
          + Manifests.httpRoute("app", "route-" + s, "gw", "app.example.com", "/svc-" + s, "svc-" + s + ":80"));
    }
    ResourceSnapshot snapshot = ResourceSnapshot.of(world.values(), List.of());
    publish(snapshot);
    PublishedSnapshot first = publisher.current(GATEWAY).orElseThrow();

    PushPacer pacer = new PushPacer(new NackHoldingConfigWatcher(publisher.cache(), tracker), INTERVAL, timer);
    XdsServer server = XdsServer.start(new InetSocketAddress("127.0.0.1", 0), pacer, List.of(tracker),
        Duration.ofSeconds(1), null, XdsServer.Pushes.DEFAULT.withMinInterval(Duration.ZERO));
    closeables.add(server);
    AdsTestClient envoy = AdsTestClient.connect("127.0.0.1", server.port(), BootstrapGenerator.bootstrap(GATEWAY, "127.0.0.1:9977").getNode());
    closeables.add(envoy);

    // Envoy's start: CDS, EDS for the clusters it was given, LDS, RDS; everything ACKed.
    DiscoveryResponse cds = envoy.request(CLUSTER_TYPE_URL, List.of(), "", "");
    List<String> clusters = new ArrayList<>();
    for (var any : cds.getResourcesList()) {
      Cluster cluster = any.unpack(Cluster.class);
      assertEquals(Cluster.DiscoveryType.EDS, cluster.getType(), "Service clusters use EDS: " + cluster.getName());
      clusters.add(cluster.getName());
    }
    assertEquals(SERVICES, clusters.size());
    DiscoveryResponse eds = envoy.request(ENDPOINT_TYPE_URL, clusters, "", "");
    envoy.ack(cds, List.of());
    DiscoveryResponse lds = envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
    List<String> routeNames = routeNames(lds);
    DiscoveryResponse rds = envoy.request(ROUTE_TYPE_URL, routeNames, "", "");
    assertTrue(rds.getResources(0).unpack(RouteConfiguration.class).getVirtualHostsCount() > 0, routeNames.toString());
    envoy.ack(eds, clusters);
    envoy.ack(lds, List.of());
    envoy.ack(rds, routeNames);
    assertEquals(first.version(ENDPOINT_TYPE_URL), eds.getVersionInfo());
    // java-control-plane answers the first EDS request after a CDS response again even when nothing changed
    // (Envoy waits for endpoints after a cluster update): depending on timing a second EDS response of the same
    // version may follow the start. Only that is allowed here; the churn below is counted strictly.
    for (DiscoveryResponse again = envoy.poll(AdsTestClient.QUIET_MILLIS); again != null;
        again = envoy.poll(AdsTestClient.QUIET_MILLIS)) {
      assertEquals(ENDPOINT_TYPE_URL, again.getTypeUrl(), again.getTypeUrl());
      assertEquals(eds.getVersionInfo(), again.getVersionInfo(), "the start's EDS version, repeated");
      envoy.ack(again, clusters);
    }

    Random random = new Random(19);
    Map<String, Integer> pushes = new HashMap<>();
    int updates = 0;
    for (int round = 0; round < ROUNDS; round++) {
      for (int u = 0; u < UPDATES_PER_ROUND; u++) {
        int s = random.nextInt(SERVICES);
        Map<ResourceKey, HasMetadata> changed = new HashMap<>();
        parse(changed, Manifests.endpointSlice("app", "svc-" + s, 8080, "10.1." + s + "." + (++updates % 250 + 1),
            "10.2." + s + "." + (updates / 250 + 1)));
        snapshot = snapshot.withChanges(changed, List.of());
        publish(snapshot);
        PublishedSnapshot now = publisher.current(GATEWAY).orElseThrow();
        // an EndpointSlice changes the endpoints' version only: no cluster, listener or route is sent again
        assertEquals(first.version(CLUSTER_TYPE_URL), now.version(CLUSTER_TYPE_URL), "clusters after " + updates);
        assertEquals(first.version(LISTENER_TYPE_URL), now.version(LISTENER_TYPE_URL), "listeners after " + updates);
        assertEquals(first.version(ROUTE_TYPE_URL), now.version(ROUTE_TYPE_URL), "routes after " + updates);
        assertNotEquals(eds.getVersionInfo(), now.version(ENDPOINT_TYPE_URL), "endpoints after " + updates);
      }
      // Within the interval nothing was sent: the first update of the round was held, the others coalesced.
      envoy.assertQuiet();
      timer.advance(INTERVAL);
      eds = envoy.next();
      pushes.merge(eds.getTypeUrl(), 1, Integer::sum);
      assertEquals(ENDPOINT_TYPE_URL, eds.getTypeUrl());
      PublishedSnapshot latest = publisher.current(GATEWAY).orElseThrow();
      assertEquals(latest.version(ENDPOINT_TYPE_URL), eds.getVersionInfo(), "one push carrying the latest version");
      assertEquals(SERVICES, eds.getResourcesCount());
      envoy.ack(eds, clusters);
    }
    envoy.assertQuiet();
    assertEquals(Map.of(ENDPOINT_TYPE_URL, ROUNDS), pushes, ROUNDS * UPDATES_PER_ROUND + " updates");
    ClusterLoadAssignment some = eds.getResources(0).unpack(ClusterLoadAssignment.class);
    assertEquals(1, some.getEndpointsCount(), some.toString());
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> copy = new ArrayList<>(list);
    java.util.Collections.reverse(copy);
    return copy;
  }

  private static List<String> routeNames(DiscoveryResponse lds) throws Exception {
    List<String> names = new ArrayList<>();
    for (var any : lds.getResourcesList()) {
      var listener = any.unpack(io.envoyproxy.envoy.config.listener.v3.Listener.class);
      for (var chain : listener.getFilterChainsList()) {
        for (var filter : chain.getFiltersList()) {
          var hcm = filter.getTypedConfig().unpack(io.envoyproxy.envoy.extensions.filters.network
              .http_connection_manager.v3.HttpConnectionManager.class);
          if (hcm.hasRds()) {
            names.add(hcm.getRds().getRouteConfigName());
          }
        }
      }
    }
    return names.stream().distinct().sorted().toList();
  }

  private void publish(ResourceSnapshot snapshot) {
    Map<ResourceKey, SnapshotPublisher.Result> results = publisher.publish(translator.translate(snapshot).gateways());
    assertTrue(results.containsKey(GATEWAY), results.toString());
  }

  private void parse(Map<ResourceKey, HasMetadata> into, String yaml) {
    ManifestParser.Result result = parser.parse("test.yaml", yaml);
    assertEquals(List.of(), result.problems());
    for (HasMetadata resource : result.resources()) {
      into.put(ResourceKey.of(resource), resource);
    }
  }

  /** The pacer's clock and scheduler, driven by the test. */
  static final class ManualTimer implements PushPacer.Timer {
    private long now;
    private final List<long[]> due = new ArrayList<>();
    private final List<Runnable> tasks = new ArrayList<>();

    @Override
    public synchronized long nanoTime() {
      return now;
    }

    @Override
    public synchronized void schedule(Runnable task, long delayNanos) {
      due.add(new long[] {now + delayNanos});
      tasks.add(task);
    }

    /** Moves the clock and runs the tasks then due, on the calling thread. */
    void advance(Duration by) {
      List<Runnable> run = new ArrayList<>();
      synchronized (this) {
        now += by.toNanos();
        for (int i = due.size() - 1; i >= 0; i--) {
          if (due.get(i)[0] <= now) {
            run.add(0, tasks.remove(i));
            due.remove(i);
          }
        }
      }
      run.forEach(Runnable::run);
    }
  }
}
