package io.gloo.core.translate.xds;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.gloo.core.ir.L4ListenerIR;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weighted UDPRoute backends as one cluster. Envoy's {@code udp_proxy} routes every session of a match to a single
 * cluster (it has no weighted clusters), but it picks each session's host with that cluster's load balancer, and the
 * default round robin honours endpoint {@code load_balancing_weight}s. So the backends' endpoints go into one EDS
 * cluster, each weighted {@code backendWeight / endpointsOfThatBackend} (scaled to integers), and sessions split
 * across backends as the route's weights say whatever the backends' sizes.
 *
 * <p>What this cannot express, and so leaves out: an unresolved backendRef's share (there is no host that "fails"
 * a session: the resolved backends take it; the route's ResolvedRefs condition still says so), and a backend with
 * no ready endpoint (its share goes to the others, where a TCP weighted cluster would fail those connections).
 * Stateless.
 */
final class UdpSplitCluster {

  /**
   * Envoy requires the endpoint weights of one locality to sum to at most {@code 2^32-1}; exact weights (scaled by
   * the least common multiple of the backends' endpoint counts) are used below this, rounded ones above.
   */
  static final long MAX_TOTAL_WEIGHT = 1L << 30;

  private UdpSplitCluster() {}

  /**
   * Where a UDP listener's sessions go.
   *
   * @param cluster what the udp_proxy routes to
   * @param split the split cluster and its endpoints when {@code cluster} is one, else null
   * @param endpoints the split cluster's endpoints, else null
   */
  record Target(String cluster, Cluster split, ClusterLoadAssignment endpoints) {}

  /** The split cluster's name for the UDP listener {@code listener} ({@code udp~<port>~weighted}). */
  static String name(String listener) {
    return listener + "~weighted";
  }

  /**
   * Where the sessions of {@code chain} on UDP listener {@code listener} go, from the backends' endpoints in
   * {@code endpoints} (by cluster name; null: none known): a split cluster when two or more backends of weight above 0 have endpoints;
   * the one such backend's cluster; else (nothing can answer) the heaviest backend's cluster, which fails them.
   */
  static Target target(String listener, L4ListenerIR.Chain chain,
      java.util.function.Function<String, ClusterLoadAssignment> endpoints) {
    Map<String, Integer> byCluster = new LinkedHashMap<>(); // two refs to one Service: one backend, weights added
    chain.clusters().forEach(w -> byCluster.merge(w.cluster(), w.weight(), Integer::sum));
    List<L4ListenerIR.WeightedCluster> live = new ArrayList<>();
    Map<String, List<LbEndpoint>> hosts = new LinkedHashMap<>();
    byCluster.forEach((c, weight) -> {
      ClusterLoadAssignment cla = endpoints.apply(c);
      List<LbEndpoint> list = new ArrayList<>();
      if (cla != null && weight > 0) {
        cla.getEndpointsList().forEach(l -> list.addAll(l.getLbEndpointsList()));
      }
      if (!list.isEmpty()) {
        live.add(new L4ListenerIR.WeightedCluster(c, weight));
        hosts.put(c, list);
      }
    });
    if (live.size() == 1) {
      return new Target(live.get(0).cluster(), null, null);
    }
    if (live.isEmpty()) {
      String heaviest = chain.clusters().stream()
          .max(java.util.Comparator.comparingInt(L4ListenerIR.WeightedCluster::weight)
              .thenComparing(w -> -chain.clusters().indexOf(w)))
          .map(L4ListenerIR.WeightedCluster::cluster)
          .orElse(L4ListenerIR.NO_CLUSTER);
      return new Target(heaviest, null, null);
    }
    Map<String, Long> weights = weights(live, hosts);
    String name = name(listener);
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    Map<String, LbEndpoint> byAddress = new LinkedHashMap<>();
    for (L4ListenerIR.WeightedCluster w : live) {
      for (LbEndpoint e : hosts.get(w.cluster())) {
        // one address in two backends is one host to Envoy: its shares add up
        String key = key(e.getEndpoint().getAddress());
        long weight = weights.get(w.cluster()) + (byAddress.containsKey(key)
            ? byAddress.get(key).getLoadBalancingWeight().getValue() : 0);
        byAddress.put(key, LbEndpoint.newBuilder().setEndpoint(e.getEndpoint())
            .setLoadBalancingWeight(UInt32Value.of((int) weight)).build());
      }
    }
    byAddress.values().forEach(locality::addLbEndpoints);
    Cluster cluster = Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder()
            .setEdsConfig(ListenerBuilder.ads())
            .setServiceName(name))
        .setConnectTimeout(ClusterBuilder.CONNECT_TIMEOUT)
        .setMetadata(SourceMetadata.of(chain.route()))
        .build();
    return new Target(name, cluster,
        ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(locality).build());
  }

  /**
   * The weight of one endpoint of each backend: {@code weight * K / endpoints}, with K the least common multiple of
   * the endpoint counts when that keeps the total under {@link #MAX_TOTAL_WEIGHT} (exact), else the largest K that
   * does (rounded, at least 1); then divided by their greatest common divisor.
   */
  static Map<String, Long> weights(List<L4ListenerIR.WeightedCluster> live, Map<String, List<LbEndpoint>> hosts) {
    BigInteger lcm = BigInteger.ONE;
    long sum = 0;
    for (L4ListenerIR.WeightedCluster w : live) {
      BigInteger n = BigInteger.valueOf(hosts.get(w.cluster()).size());
      lcm = lcm.divide(lcm.gcd(n)).multiply(n);
      sum += w.weight();
    }
    boolean exact = lcm.multiply(BigInteger.valueOf(sum)).compareTo(BigInteger.valueOf(MAX_TOTAL_WEIGHT)) <= 0;
    long k = exact ? lcm.longValueExact() : Math.max(1, MAX_TOTAL_WEIGHT / sum);
    Map<String, Long> out = new LinkedHashMap<>();
    long gcd = 0;
    for (L4ListenerIR.WeightedCluster w : live) {
      long n = hosts.get(w.cluster()).size();
      long each = exact ? w.weight() * k / n : Math.max(1, Math.round(w.weight() * (double) k / n));
      out.put(w.cluster(), each);
      gcd = BigInteger.valueOf(gcd).gcd(BigInteger.valueOf(each)).longValue();
    }
    long divisor = gcd;
    out.replaceAll((c, each) -> each / divisor);
    return out;
  }

  private static String key(Address a) {
    return a.getSocketAddress().getAddress() + ":" + a.getSocketAddress().getPortValue();
  }
}
