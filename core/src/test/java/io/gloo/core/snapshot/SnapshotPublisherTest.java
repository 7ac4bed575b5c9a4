package io.gloo.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.SnapshotConsistencyException;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.gloo.core.snapshot.SnapshotPublisher.Result;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.XdsResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotPublisherTest {

  private static final ResourceKey GW = TestXds.gateway("default", "gw");
  private static final ResourceKey OTHER = TestXds.gateway("team-b", "edge");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SnapshotPublisher publisher = new SnapshotPublisher(registry);

  @Test
  void versionsAreContentHashesPerType() {
    Map<String, String> v1 = SnapshotPublisher.versions(TestXds.resources("backend", "10.0.0.1"));
    Map<String, String> again = SnapshotPublisher.versions(TestXds.resources("backend", "10.0.0.1"));
    Map<String, String> v2 = SnapshotPublisher.versions(TestXds.resources("backend", "10.0.0.2"));

    assertEquals(v1, again);
    assertEquals(Resources.V3.TYPE_URLS.size(), v1.size());
    v1.values().forEach(v -> assertTrue(v.matches("[0-9a-f]{16}"), v));
    // Only the endpoints changed, so only EDS gets a new version.
    assertNotEquals(v1.get(Resources.V3.ENDPOINT_TYPE_URL), v2.get(Resources.V3.ENDPOINT_TYPE_URL));
    assertEquals(v1.get(Resources.V3.CLUSTER_TYPE_URL), v2.get(Resources.V3.CLUSTER_TYPE_URL));
    assertEquals(v1.get(Resources.V3.LISTENER_TYPE_URL), v2.get(Resources.V3.LISTENER_TYPE_URL));
    assertEquals(v1.get(Resources.V3.ROUTE_TYPE_URL), v2.get(Resources.V3.ROUTE_TYPE_URL));
  }

  @Test
  void publishedRouteVersionsEqualTheReferenceHashWhenVirtualHostsAreReused() {
    // The publisher serializes reused VirtualHost instances from a cache; the version must not depend on that.
    io.envoyproxy.envoy.config.route.v3.VirtualHost a = vhost("a", "/a");
    io.envoyproxy.envoy.config.route.v3.VirtualHost b = vhost("b", "/b");
    XdsResources first = withRoutes(TestXds.route(TestXds.ROUTE, "backend").toBuilder()
        .clearVirtualHosts().addVirtualHosts(a).addVirtualHosts(b).setValidateClusters(
            com.google.protobuf.BoolValue.of(false)).build());
    publisher.publish(Map.of(GW, first));
    assertEquals(SnapshotPublisher.versions(first), publisher.current(GW).orElseThrow().versions());

    XdsResources second = withRoutes(first.routes().get(0).toBuilder()
        .setVirtualHosts(1, vhost("b", "/b2")).build());
    publisher.publish(Map.of(GW, second));
    assertEquals(SnapshotPublisher.versions(second), publisher.current(GW).orElseThrow().versions());
    assertNotEquals(SnapshotPublisher.versions(first), SnapshotPublisher.versions(second));
  }

  private static io.envoyproxy.envoy.config.route.v3.VirtualHost vhost(String name, String prefix) {
    return io.envoyproxy.envoy.config.route.v3.VirtualHost.newBuilder().setName(name).addDomains(name + ".example")
        .setMetadata(io.envoyproxy.envoy.config.core.v3.Metadata.newBuilder().putFilterMetadata("k",
            com.google.protobuf.Struct.newBuilder()
                .putFields("x", com.google.protobuf.Value.newBuilder().setStringValue(name).build())
                .putFields("a", com.google.protobuf.Value.newBuilder().setNumberValue(1).build()).build()))
        .addRoutes(io.envoyproxy.envoy.config.route.v3.Route.newBuilder().setName(name + "-r")
            .setMatch(io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder().setPrefix(prefix))
            .setRoute(io.envoyproxy.envoy.config.route.v3.RouteAction.newBuilder().setCluster("backend")))
        .build();
  }

  private static XdsResources withRoutes(io.envoyproxy.envoy.config.route.v3.RouteConfiguration config) {
    XdsResources base = TestXds.resources("backend", "10.0.0.1");
    return new XdsResources(base.listeners(), List.of(config), base.clusters(), base.endpoints(), base.secrets());
  }

  @Test
  void versionsIgnoreInputOrder() {
    XdsResources a = new XdsResources(List.of(), List.of(),
        List.of(TestXds.edsCluster("a"), TestXds.edsCluster("b")), List.of(), List.of());
    XdsResources b = new XdsResources(List.of(), List.of(),
        List.of(TestXds.edsCluster("b"), TestXds.edsCluster("a")), List.of(), List.of());
    assertEquals(SnapshotPublisher.versions(a), SnapshotPublisher.versions(b));
  }

  @Test
  void publishesSetsCacheAndSkipsUnchanged() {
    List<PublishedSnapshot> seen = new ArrayList<>();
    publisher.onPublished(seen::add);

    assertEquals(Map.of(GW, Result.PUBLISHED), publisher.publish(Map.of(GW, TestXds.resources("backend", "10.0.0.1"))));
    Snapshot cached = publisher.cache().getSnapshot(ProxyNodes.groupOf(GW));
    PublishedSnapshot current = publisher.current().get(GW);
    assertEquals(current.version(Resources.V3.ROUTE_TYPE_URL), cached.version(ResourceType.ROUTE));
    assertEquals(List.of(TestXds.ROUTE), List.copyOf(cached.routes().resources().keySet()));
    assertEquals(1, seen.size());

    assertEquals(Map.of(GW, Result.UNCHANGED), publisher.publish(Map.of(GW, TestXds.resources("backend", "10.0.0.1"))));
    assertEquals(1, seen.size(), "an unchanged publish notifies nobody");
    assertEquals(current, publisher.current().get(GW));
    assertEquals(1.0, count("published"));
    assertEquals(1.0, count("unchanged"));
  }

  @Test
  void inconsistentSnapshotKeepsLastGoodAndReportsError() {
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    publisher.publish(Map.of(GW, good));
    PublishedSnapshot lastGood = publisher.current().get(GW);

    XdsResources dangling = new XdsResources(List.of(TestXds.listener("http", "missing-route")), List.of(),
        good.clusters(), good.endpoints(), List.of());
    assertEquals(Map.of(GW, Result.INCONSISTENT), publisher.publish(Map.of(GW, dangling)));

    assertEquals(lastGood, publisher.current().get(GW));
    assertEquals(lastGood.version(Resources.V3.LISTENER_TYPE_URL),
        publisher.cache().getSnapshot(ProxyNodes.groupOf(GW)).version(ResourceType.LISTENER));
    SnapshotError error = publisher.error(GW).orElseThrow();
    assertTrue(error.message().contains("missing-route"), error.message());
    assertEquals(1.0, count("inconsistent"));

    // A later good publish clears the error.
    publisher.publish(Map.of(GW, TestXds.resources("backend", "10.0.0.2")));
    assertTrue(publisher.error(GW).isEmpty());
  }

  @Test
  void missingEndpointsAreInconsistent() {
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    XdsResources noEndpoints = new XdsResources(good.listeners(), good.routes(), good.clusters(), List.of(), List.of());
    assertEquals(Result.INCONSISTENT, publisher.publish(Map.of(GW, noEndpoints)).get(GW));
    assertTrue(publisher.error(GW).orElseThrow().message().contains("ClusterLoadAssignment 'backend'"));
    assertNull(publisher.cache().getSnapshot(ProxyNodes.groupOf(GW)), "never published, so nothing is served");
  }

  @Test
  void removedGatewayGetsEmptySnapshotAndStaysInCache() {
    publisher.publish(Map.of(GW, TestXds.resources("backend", "10.0.0.1"),
        OTHER, TestXds.resources("b-backend", "10.0.1.1")));

    Map<ResourceKey, Result> results = publisher.publish(Map.of(OTHER, TestXds.resources("b-backend", "10.0.1.1")));

    assertEquals(Map.of(GW, Result.REMOVED, OTHER, Result.UNCHANGED), results);
    PublishedSnapshot removed = publisher.current().get(GW);
    assertTrue(removed.removed());
    assertEquals(XdsResources.empty(), removed.resources());
    Snapshot cached = publisher.cache().getSnapshot(ProxyNodes.groupOf(GW));
    assertTrue(cached.listeners().resources().isEmpty());
    assertTrue(cached.clusters().resources().isEmpty());

    // Not removed twice; comes back normally.
    assertFalse(publisher.publish(Map.of(OTHER, TestXds.resources("b-backend", "10.0.1.1"))).containsKey(GW));
    assertEquals(Result.PUBLISHED,
        publisher.publish(Map.of(GW, TestXds.resources("backend", "10.0.0.1"))).get(GW));
    assertFalse(publisher.current().get(GW).removed());
  }

  /**
   * Characterizes why SnapshotConsistency exists: java-control-plane 1.0.49's ensureConsistent() only recognizes the
   * legacy HCM filter name, so it rejects a consistent snapshot that uses the canonical one. If this starts failing,
   * the library was fixed and ensureConsistent() can be used again.
   */
  @Test
  void libraryEnsureConsistentRejectsCanonicalHcmName() {
    XdsResources r = TestXds.resources("backend", "10.0.0.1");
    Snapshot snapshot = Snapshot.create(r.clusters(), r.endpoints(), r.listeners(), r.routes(), r.secrets(), "v");
    assertThrows(SnapshotConsistencyException.class, snapshot::ensureConsistent);
    assertTrue(SnapshotConsistency.problems(r).isEmpty());
  }

  /**
   * The last line of defence is counted per Gateway: inconsistent and invalid snapshots alike, never good ones; the
   * count is there, at 0, from the Gateway's first publish.
   */
  @Test
  void refusedSnapshotsAreCountedAsRejected() {
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    publisher.publish(Map.of(GW, good));
    // the Gateway's counter exists from its first publish, at 0 (so that Prometheus's increase() sees the first one)
    assertEquals(0.0, registry.get("gloo.snapshot.rejected").tag("gateway", "default/gw").counter().count(),
        "nothing refused yet");

    XdsResources dangling = new XdsResources(List.of(TestXds.listener("http", "missing-route")), List.of(),
        good.clusters(), good.endpoints(), List.of());
    publisher.publish(Map.of(GW, dangling));
    io.envoyproxy.envoy.config.route.v3.RouteConfiguration route = good.routes().get(0);
    io.envoyproxy.envoy.config.route.v3.RouteConfiguration badRegex = route.toBuilder().setVirtualHosts(0,
        route.getVirtualHosts(0).toBuilder().setRoutes(0, route.getVirtualHosts(0).getRoutes(0).toBuilder()
            .setMatch(io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder().setSafeRegex(
                io.envoyproxy.envoy.type.matcher.v3.RegexMatcher.newBuilder().setRegex("*.foo.bar.com"))))).build();
    XdsResources invalid = new XdsResources(good.listeners(), List.of(badRegex), good.clusters(), good.endpoints(),
        List.of());
    assertEquals(Result.INVALID, publisher.publish(Map.of(GW, invalid)).get(GW));

    assertEquals(2.0, registry.get("gloo.snapshot.rejected").tag("gateway", "default/gw").counter().count());
    assertEquals(1.0, count("invalid"));
  }

  private double count(String result) {
    return registry.get("gloo.snapshot.publish").tag("gateway", "default/gw").tag("result", result).counter().count();
  }
}
