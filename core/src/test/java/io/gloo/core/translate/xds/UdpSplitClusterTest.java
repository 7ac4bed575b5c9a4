package io.gloo.core.translate.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.gloo.core.ir.L4ListenerIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.validate.ProtoConstraintValidator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Weighted UDP backends as one cluster: the shares of sessions each backend gets, exact or rounded. */
class UdpSplitClusterTest {

  private static final ResourceKey ROUTE = new ResourceKey("UDPRoute", "default", "r");

  @Test
  void backendsOfCoprimeSizesAndLargeWeightsKeepTheirSharesWithinEnvoysLimit() {
    // endpoint counts 7, 11, 13, 17, 19, 23 (lcm 7,436,429) and Gateway API's largest weights: rounded weights
    Map<String, ClusterLoadAssignment> endpoints = new HashMap<>();
    int[] sizes = {7, 11, 13, 17, 19, 23};
    int[] weights = {1_000_000, 999_983, 3, 500_000, 1, 250_000};
    List<L4ListenerIR.WeightedCluster> clusters = new java.util.ArrayList<>();
    int next = 0;
    for (int b = 0; b < sizes.length; b++) {
      String name = "kube_default_b" + b + "_53";
      endpoints.put(name, assignment(name, next, sizes[b]));
      next += sizes[b];
      clusters.add(new L4ListenerIR.WeightedCluster(name, weights[b]));
    }
    UdpSplitCluster.Target t = UdpSplitCluster.target("udp~53", chain(clusters), endpoints::get);
    assertEquals("udp~53~weighted", t.cluster());
    long total = 0;
    Map<Integer, Long> byBackend = new HashMap<>();
    for (LbEndpoint e : t.endpoints().getEndpoints(0).getLbEndpointsList()) {
      long w = e.getLoadBalancingWeight().getValue();
      assertTrue(w >= 1, "validate.rules: load_balancing_weight >= 1");
      total += w;
      int host = Integer.parseInt(e.getEndpoint().getAddress().getSocketAddress().getAddress().split("\\.")[3]);
      int b = 0;
      for (int start = 0; host >= start + sizes[b]; start += sizes[b], b++) { }
      byBackend.merge(b, w, Long::sum);
    }
    assertTrue(total <= 0xFFFFFFFFL, "Envoy: a locality's weights sum to at most 2^32-1, got " + total);
    long weightSum = 0;
    for (int w : weights) {
      weightSum += w;
    }
    for (int b = 0; b < sizes.length; b++) {
      double want = weights[b] / (double) weightSum;
      double got = byBackend.get(b) / (double) total;
      assertEquals(want, got, 1e-6, "backend " + b + " share");
    }
    assertEquals(List.of(), new ProtoConstraintValidator().validate(t.split()), "the cluster passes validate.rules");
    assertEquals(List.of(), new ProtoConstraintValidator().validate(t.endpoints()), "the endpoints pass validate.rules");
  }

  @Test
  void twoRefsToOneServiceAreOneBackendAndOneAddressInTwoServicesOneHost() {
    Map<String, ClusterLoadAssignment> endpoints = Map.of(
        "a", assignment("a", 0, 1), "b", assignment("b", 0, 2)); // b's first address is a's
    UdpSplitCluster.Target t = UdpSplitCluster.target("udp~53", chain(List.of(
        new L4ListenerIR.WeightedCluster("a", 10), new L4ListenerIR.WeightedCluster("b", 20),
        new L4ListenerIR.WeightedCluster("a", 10))), endpoints::get);
    // a: 20 on 1 host, b: 20 over 2 → 10.0.0.0 carries 20 + 10, 10.0.0.1 carries 10 (divided by 10)
    List<LbEndpoint> hosts = t.endpoints().getEndpoints(0).getLbEndpointsList();
    assertEquals(2, hosts.size());
    assertEquals(3, hosts.get(0).getLoadBalancingWeight().getValue());
    assertEquals(1, hosts.get(1).getLoadBalancingWeight().getValue());
  }

  @Test
  void withoutTwoLiveBackendsThereIsNoSplit() {
    Map<String, ClusterLoadAssignment> endpoints = Map.of("a", assignment("a", 0, 2),
        "empty", ClusterLoadAssignment.newBuilder().setClusterName("empty").build());
    UdpSplitCluster.Target one = UdpSplitCluster.target("udp~53", chain(List.of(
        new L4ListenerIR.WeightedCluster("empty", 90), new L4ListenerIR.WeightedCluster("a", 10),
        new L4ListenerIR.WeightedCluster(L4ListenerIR.NO_CLUSTER, 50))), endpoints::get);
    assertEquals("a", one.cluster());
    assertNull(one.split());
    UdpSplitCluster.Target none = UdpSplitCluster.target("udp~53", chain(List.of(
        new L4ListenerIR.WeightedCluster(L4ListenerIR.NO_CLUSTER, 10),
        new L4ListenerIR.WeightedCluster("empty", 90))), endpoints::get);
    assertEquals("empty", none.cluster(), "nothing answers: the heaviest backend's cluster fails the sessions");
  }

  private static L4ListenerIR.Chain chain(List<L4ListenerIR.WeightedCluster> clusters) {
    return new L4ListenerIR.Chain("udp~53~dns~default/r", "dns", List.of(), clusters, List.of(), ROUTE);
  }

  private static ClusterLoadAssignment assignment(String cluster, int first, int n) {
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    for (int i = first; i < first + n; i++) {
      locality.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(
          Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
              .setAddress("10.0." + (i / 256) + "." + (i % 256)).setPortValue(5353)))));
    }
    return ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(locality).build();
  }
}
