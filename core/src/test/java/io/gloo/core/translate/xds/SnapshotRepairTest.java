package io.gloo.core.translate.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.gloo.core.ir.RouteSource;
import io.gloo.core.snapshot.TestXds;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.validate.SnapshotValidator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Elements the per-route checks cannot see are taken out one by one; the rest stays. */
class SnapshotRepairTest {

  private final RouteGuard guard = new RouteGuard(new SnapshotValidator(), RouteReplacement.STANDARD);

  @Test
  void validResourcesAreReturnedAsTheyAre() {
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    InvalidElements sink = new InvalidElements();
    assertSame(good, SnapshotRepair.repair(good, guard, sink));
    assertTrue(sink.isEmpty());
  }

  /** A cluster Envoy would reject is dropped; the routes to it then answer 500 and say which cluster and why. */
  @Test
  void anInvalidClusterIsDroppedAndItsRoutesAnswer500() {
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    RouteSource source = new RouteSource(new ResourceKey("HTTPRoute", "default", "r"), 0, null, 0);
    Route route = good.routes().get(0).getVirtualHosts(0).getRoutes(0).toBuilder().setName("httproute/default/r/0/0")
        .setMetadata(SourceMetadata.of(source)).build();
    XdsResources bad = new XdsResources(good.listeners(),
        List.of(good.routes().get(0).toBuilder().setVirtualHosts(0, good.routes().get(0).getVirtualHosts(0)
            .toBuilder().setRoutes(0, route)).build()),
        List.of(good.clusters().get(0).toBuilder().setConnectTimeout(Duration.newBuilder().setSeconds(-1)).build()),
        good.endpoints(), List.of());
    InvalidElements sink = new InvalidElements();

    XdsResources repaired = SnapshotRepair.repair(bad, guard, sink);

    assertEquals(List.of(), guard.validator().validate(repaired));
    assertEquals(List.of(), repaired.clusters());
    assertEquals(good.listeners(), repaired.listeners(), "the listener is untouched");
    Route served = repaired.routes().get(0).getVirtualHosts(0).getRoutes(0);
    assertEquals(500, served.getDirectResponse().getStatus());
    assertEquals(1, sink.routes().size());
    InvalidRoute invalid = sink.routes().get(0);
    assertEquals(source, invalid.source());
    assertTrue(invalid.onlyMissingClusters(), invalid.toString());
    assertTrue(invalid.violations().get(0).message().contains("(it was dropped: connect_timeout"),
        invalid.violations().toString());
    assertEquals("Cluster", sink.others().get(0).type());
  }

  /** A weighted share whose cluster is missing answers 500 on its own; the healthy share is still served. */
  @Test
  void aMissingClusterOfAWeightedSplitIsUnresolvedNotTheWholeRoute() {
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    RouteSource source = new RouteSource(new ResourceKey("HTTPRoute", "default", "r"), 0, null, 0);
    Route split = Route.newBuilder().setName("httproute/default/r/0/0").setMetadata(SourceMetadata.of(source))
        .setMatch(io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(io.envoyproxy.envoy.config.route.v3.RouteAction.newBuilder()
            .setClusterNotFoundResponseCode(io.envoyproxy.envoy.config.route.v3.RouteAction
                .ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR)
            .setWeightedClusters(io.envoyproxy.envoy.config.route.v3.WeightedCluster.newBuilder()
                .addClusters(io.envoyproxy.envoy.config.route.v3.WeightedCluster.ClusterWeight.newBuilder()
                    .setName("backend").setWeight(com.google.protobuf.UInt32Value.of(1)))
                .addClusters(io.envoyproxy.envoy.config.route.v3.WeightedCluster.ClusterWeight.newBuilder()
                    .setName("gone").setWeight(com.google.protobuf.UInt32Value.of(1))))
            .addRequestMirrorPolicies(io.envoyproxy.envoy.config.route.v3.RouteAction.RequestMirrorPolicy
                .newBuilder().setCluster("gone-too")))
        .build();
    XdsResources bad = new XdsResources(good.listeners(), List.of(good.routes().get(0).toBuilder().setVirtualHosts(0,
        good.routes().get(0).getVirtualHosts(0).toBuilder().setRoutes(0, split)).build()), good.clusters(),
        good.endpoints(), List.of());
    InvalidElements sink = new InvalidElements();

    XdsResources repaired = SnapshotRepair.repair(bad, guard, sink);

    assertEquals(List.of(), guard.validator().validate(repaired));
    Route served = repaired.routes().get(0).getVirtualHosts(0).getRoutes(0);
    assertEquals("backend", served.getRoute().getWeightedClusters().getClusters(0).getName());
    assertEquals(RouteBuilder.UNRESOLVED_CLUSTER_PREFIX + "httproute/default/r/0/0/1",
        served.getRoute().getWeightedClusters().getClusters(1).getName());
    assertEquals(0, served.getRoute().getRequestMirrorPoliciesCount());
    assertEquals(InvalidRoute.Outcome.UNRESOLVED, sink.routes().get(0).outcome());
    assertTrue(sink.routes().get(0).onlyMissingClusters());
  }

  /** A listener Envoy would reject is dropped and reported by name; the Gateway's other listeners stay. */
  @Test
  void anInvalidListenerIsDroppedAndReported() {
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    Listener other = TestXds.listener("http~9090", TestXds.ROUTE);
    Listener bad = TestXds.listener("http~8080", TestXds.ROUTE).toBuilder().setAddress(Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress("0.0.0.0").setPortValue(70000))).build();
    InvalidElements sink = new InvalidElements();

    XdsResources repaired = SnapshotRepair.repair(new XdsResources(List.of(bad, other), good.routes(),
        good.clusters(), good.endpoints(), List.of()), guard, sink);

    assertEquals(List.of(other), repaired.listeners());
    assertEquals(List.of("http~8080"), List.copyOf(sink.listeners().keySet()));
    assertTrue(sink.listeners().get("http~8080").get(0).violation().path().contains("port_value"),
        sink.listeners().toString());
  }

  /** Of two resources with one name the first stays (Envoy would reject the pair). */
  @Test
  void duplicateNamesKeepTheFirst() {
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    InvalidElements sink = new InvalidElements();
    XdsResources repaired = SnapshotRepair.repair(new XdsResources(good.listeners(), good.routes(),
        List.of(good.clusters().get(0), good.clusters().get(0).toBuilder().setConnectTimeout(Duration.newBuilder()
            .setSeconds(5)).build()), good.endpoints(), List.of()), guard, sink);
    assertEquals(good.clusters(), repaired.clusters());
    assertEquals("name.duplicate", sink.others().get(0).violation().rule());
  }
}
