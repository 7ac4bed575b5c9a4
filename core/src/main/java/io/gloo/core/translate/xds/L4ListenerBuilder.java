package io.gloo.core.translate.xds;

import com.github.xds.core.v3.TypedExtensionConfig;
import com.github.xds.type.matcher.v3.Matcher;
import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.Route;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.gloo.core.ir.L4ListenerIR;

/**
 * One {@link L4ListenerIR} → an Envoy listener that proxies whole connections: {@code tcp_proxy} for TCP and TLS
 * (TLS: the {@code tls_inspector} reads the SNI that selects a filter chain; passthrough forwards the encrypted bytes,
 * Terminate decrypts with the listener's certificates first), {@code udp_proxy} for UDP. Stateless.
 */
final class L4ListenerBuilder {

  static final String TCP_PROXY_FILTER = "envoy.filters.network.tcp_proxy";
  static final String UDP_PROXY_FILTER = "envoy.filters.udp_listener.udp_proxy";

  private L4ListenerBuilder() {}

  /**
   * @param udpCluster UDP: the cluster the listener's sessions go to (see {@link UdpSplitCluster#target}); ignored
   *     for TCP and TLS
   */
  static Listener build(L4ListenerIR ir, String udpCluster) {
    SocketAddress.Builder address = SocketAddress.newBuilder().setAddress("0.0.0.0").setPortValue(ir.port());
    Listener.Builder listener = Listener.newBuilder().setName(ir.name());
    if (ir.protocol() == L4ListenerIR.Protocol.UDP) {
      listener.setAddress(Address.newBuilder().setSocketAddress(address.setProtocol(SocketAddress.Protocol.UDP)));
      if (!ir.chains().isEmpty()) {
        listener.addListenerFilters(ListenerFilter.newBuilder().setName(UDP_PROXY_FILTER)
            .setTypedConfig(Any.pack(udpProxy(ir.name(), udpCluster))));
      }
      return listener.build();
    }
    listener.setAddress(Address.newBuilder().setSocketAddress(address));
    if (ir.protocol() == L4ListenerIR.Protocol.TLS) {
      listener.addListenerFilters(ListenerFilter.newBuilder()
          .setName(ListenerBuilder.TLS_INSPECTOR)
          .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance())));
    }
    for (L4ListenerIR.Chain chain : ir.chains()) {
      FilterChain.Builder fc = FilterChain.newBuilder().setName(chain.name());
      if (!chain.serverNames().isEmpty()) {
        fc.setFilterChainMatch(FilterChainMatch.newBuilder().addAllServerNames(chain.serverNames()));
      }
      if (chain.terminates()) {
        CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
        for (String secret : chain.certificates()) {
          common.addTlsCertificateSdsSecretConfigs(
              SdsSecretConfig.newBuilder().setName(secret).setSdsConfig(ListenerBuilder.ads()));
        }
        fc.setTransportSocket(TransportSocket.newBuilder()
            .setName(ListenerBuilder.TLS_TRANSPORT_SOCKET)
            .setTypedConfig(Any.pack(DownstreamTlsContext.newBuilder().setCommonTlsContext(common).build())));
      }
      fc.addFilters(Filter.newBuilder().setName(TCP_PROXY_FILTER).setTypedConfig(Any.pack(tcpProxy(chain))));
      listener.addFilterChains(fc);
    }
    return listener.build();
  }

  /** One cluster, or weighted clusters; no backend at all is a cluster that does not exist (closed connections). */
  static TcpProxy tcpProxy(L4ListenerIR.Chain chain) {
    TcpProxy.Builder proxy = TcpProxy.newBuilder().setStatPrefix(ListenerBuilder.statPrefix(chain.name()));
    if (chain.clusters().size() == 1) {
      return proxy.setCluster(chain.clusters().get(0).cluster()).build();
    }
    if (chain.clusters().isEmpty()) {
      return proxy.setCluster(L4ListenerIR.NO_CLUSTER).build();
    }
    TcpProxy.WeightedCluster.Builder weighted = TcpProxy.WeightedCluster.newBuilder();
    for (L4ListenerIR.WeightedCluster w : chain.clusters()) {
      weighted.addClusters(TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
          .setName(w.cluster()).setWeight(w.weight()));
    }
    return proxy.setWeightedClusters(weighted).build();
  }

  /** Datagrams to one cluster: Envoy's UDP proxy routes a match to a single cluster (weights: a split cluster). */
  static UdpProxyConfig udpProxy(String name, String cluster) {
    return UdpProxyConfig.newBuilder()
        .setStatPrefix(ListenerBuilder.statPrefix(name))
        .setMatcher(Matcher.newBuilder().setOnNoMatch(Matcher.OnMatch.newBuilder().setAction(
            TypedExtensionConfig.newBuilder().setName("route")
                .setTypedConfig(Any.pack(Route.newBuilder().setCluster(cluster).build())))))
        .build();
  }
}
