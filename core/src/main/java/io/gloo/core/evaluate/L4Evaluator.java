package io.gloo.core.evaluate;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.Route;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig;
import io.gloo.core.translate.XdsResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides where Envoy sends a TCP connection, a TLS connection with a given SNI, or a UDP datagram, from the
 * listeners of a snapshot, as Envoy does: the listener bound to the destination port with that transport (UDP or
 * TCP), then, among its filter chains, those whose {@code server_names} hold the SNI exactly, else the longest
 * wildcard suffix ({@code *.example.com} for {@code a.b.example.com} too), else the chains naming no server; the
 * chain's {@code tcp_proxy} (or the listener's {@code udp_proxy}) names the clusters. Other filter-chain match
 * fields (destination IP, source, ALPN, transport protocol) are not modelled: the translator does not set them on
 * L4 listeners. Immutable after construction; thread-safe.
 */
public final class L4Evaluator {

  private static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
  private static final String UDP_PROXY = "envoy.filters.udp_listener.udp_proxy";

  /** The transport the client uses. */
  public enum Transport { TCP, TLS, UDP }

  private final List<Listener> listeners;
  private final XdsResources xds;

  public L4Evaluator(XdsResources xds) {
    this.listeners = List.copyOf(xds.listeners());
    this.xds = xds;
  }

  /**
   * The endpoint address the {@code session}-th of {@code sessions} connections or UDP sessions to {@code cluster}
   * reaches, or null when the cluster has no endpoints. Envoy's default load balancer (round robin, weighted by
   * {@code load_balancing_weight} when endpoints carry one) gives each endpoint a share of sessions equal to its
   * weight over the total; the sessions are spread evenly over those shares in endpoint order, so any run of
   * {@code sessions} lands as Envoy's schedule does over as many. One locality and priority 0 (what the translator
   * emits); locality weights, health and outlier ejection are not modelled.
   */
  public String host(String cluster, int session, int sessions) {
    List<LbEndpoint> hosts = new ArrayList<>();
    ClusterLoadAssignment cla = assignment(cluster);
    if (cla != null) {
      cla.getEndpointsList().forEach(l -> hosts.addAll(l.getLbEndpointsList()));
    }
    if (hosts.isEmpty()) {
      return null;
    }
    long total = 0;
    for (LbEndpoint h : hosts) {
      total += weight(h);
    }
    long point = (long) ((double) Math.floorMod(session, sessions) * total / sessions);
    for (LbEndpoint h : hosts) {
      if (point < weight(h)) {
        return h.getEndpoint().getAddress().getSocketAddress().getAddress();
      }
      point -= weight(h);
    }
    return hosts.get(hosts.size() - 1).getEndpoint().getAddress().getSocketAddress().getAddress();
  }

  private static long weight(LbEndpoint h) {
    return h.hasLoadBalancingWeight() ? h.getLoadBalancingWeight().getValue() : 1;
  }

  /** The cluster's EDS assignment (by its EDS service name, else its name), or its inline one. */
  private ClusterLoadAssignment assignment(String cluster) {
    String service = cluster;
    for (Cluster c : xds.clusters()) {
      if (c.getName().equals(cluster)) {
        if (c.hasLoadAssignment()) {
          return c.getLoadAssignment();
        }
        if (!c.getEdsClusterConfig().getServiceName().isEmpty()) {
          service = c.getEdsClusterConfig().getServiceName();
        }
      }
    }
    for (ClusterLoadAssignment e : xds.endpoints()) {
      if (e.getClusterName().equals(service)) {
        return e;
      }
    }
    return null;
  }

  /** A plain TCP connection to {@code port}. */
  public L4Decision tcp(int port) {
    return connect(Transport.TCP, port, null);
  }

  /** A TLS connection to {@code port} whose ClientHello carries {@code sni} (null: none). */
  public L4Decision tls(int port, String sni) {
    return connect(Transport.TLS, port, sni);
  }

  /** A UDP datagram to {@code port}. */
  public L4Decision udp(int port) {
    return connect(Transport.UDP, port, null);
  }

  public L4Decision connect(Transport transport, int port, String sni) {
    SocketAddress.Protocol wanted = transport == Transport.UDP ? SocketAddress.Protocol.UDP
        : SocketAddress.Protocol.TCP;
    Listener listener = null;
    for (Listener l : listeners) {
      SocketAddress a = l.getAddress().getSocketAddress();
      if (a.getPortValue() == port && a.getProtocol() == wanted) {
        listener = l;
      }
    }
    if (listener == null) {
      return L4Decision.refused(null, L4Decision.Outcome.NO_LISTENER,
          "no " + wanted + " listener on port " + port);
    }
    if (transport == Transport.UDP) {
      return udp(listener);
    }
    FilterChain chain = select(listener, transport == Transport.TLS ? sni : null);
    if (chain == null) {
      return L4Decision.refused(listener.getName(), L4Decision.Outcome.NO_FILTER_CHAIN, "listener "
          + listener.getName() + ": no filter chain matches " + (sni == null ? "a connection without SNI"
              : "SNI " + sni));
    }
    TcpProxy proxy = null;
    for (Filter f : chain.getFiltersList()) {
      if (f.getName().equals(TCP_PROXY)) {
        proxy = unpack(f.getTypedConfig(), TcpProxy.class);
      }
    }
    boolean terminates = chain.hasTransportSocket();
    if (proxy == null) {
      return new L4Decision(L4Decision.Outcome.NO_FILTER_CHAIN, listener.getName(), chain.getName(), List.of(),
          terminates, "filter chain " + chain.getName() + " does not proxy TCP (an HTTP listener?)");
    }
    List<L4Decision.WeightedCluster> clusters = new ArrayList<>();
    if (proxy.hasWeightedClusters()) {
      proxy.getWeightedClusters().getClustersList()
          .forEach(c -> clusters.add(new L4Decision.WeightedCluster(c.getName(), c.getWeight())));
    } else {
      clusters.add(new L4Decision.WeightedCluster(proxy.getCluster(), 1));
    }
    return new L4Decision(L4Decision.Outcome.FORWARD, listener.getName(), chain.getName(), clusters, terminates,
        "listener " + listener.getName() + ", filter chain " + chain.getName() + " → " + clusters);
  }

  private static L4Decision udp(Listener listener) {
    for (ListenerFilter f : listener.getListenerFiltersList()) {
      if (!f.getName().equals(UDP_PROXY)) {
        continue;
      }
      UdpProxyConfig config = unpack(f.getTypedConfig(), UdpProxyConfig.class);
      @SuppressWarnings("deprecation")
      String cluster = config.getCluster();
      if (config.hasMatcher() && config.getMatcher().getOnNoMatch().hasAction()) {
        cluster = unpack(config.getMatcher().getOnNoMatch().getAction().getTypedConfig(), Route.class).getCluster();
      }
      return new L4Decision(L4Decision.Outcome.FORWARD, listener.getName(), null,
          List.of(new L4Decision.WeightedCluster(cluster, 1)), false,
          "listener " + listener.getName() + " → udp_proxy " + cluster);
    }
    return L4Decision.refused(listener.getName(), L4Decision.Outcome.NO_FILTER_CHAIN,
        "UDP listener " + listener.getName() + " has no udp_proxy");
  }

  /** Envoy's server-name step of filter chain matching; null when nothing matches. */
  static FilterChain select(Listener listener, String sni) {
    String host = sni == null ? null : sni.toLowerCase(Locale.ROOT);
    FilterChain bestWildcard = null;
    int bestSuffix = -1;
    FilterChain catchAll = null;
    for (FilterChain fc : listener.getFilterChainsList()) {
      List<String> names = fc.getFilterChainMatch().getServerNamesList();
      if (names.isEmpty()) {
        if (catchAll == null) {
          catchAll = fc;
        }
        continue;
      }
      if (host == null) {
        continue;
      }
      for (String raw : names) {
        String name = raw.toLowerCase(Locale.ROOT);
        if (name.equals(host)) {
          return fc;
        }
        if (name.startsWith("*.") && host.endsWith(name.substring(1)) && host.length() > name.length() - 1
            && name.length() > bestSuffix) {
          bestWildcard = fc;
          bestSuffix = name.length();
        }
      }
    }
    return bestWildcard != null ? bestWildcard : catchAll;
  }

  private static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("cannot read " + any.getTypeUrl() + ": " + e.getMessage(), e);
    }
  }
}
