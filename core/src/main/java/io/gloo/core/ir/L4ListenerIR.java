package io.gloo.core.ir;

import io.gloo.core.store.ResourceKey;
import java.util.List;

/**
 * One Envoy listener for Gateway listeners of protocol TCP, TLS or UDP on the same port: connections (datagrams) are
 * proxied whole to clusters, with no HTTP routing.
 *
 * @param name Envoy listener name ({@code tcp~<port>}, {@code tls~<port>}, {@code udp~<port>})
 * @param port the port Envoy binds
 * @param protocol what the listener speaks
 * @param gatewayListeners names of the Gateway listeners merged here, for attribution
 * @param chains TCP and UDP: at most one; TLS: one per (Gateway listener, route), selected by SNI
 */
public record L4ListenerIR(String name, int port, Protocol protocol, List<String> gatewayListeners,
    List<Chain> chains) {

  /** The cluster an unresolved backendRef stands for: it does not exist, so Envoy closes such connections. */
  public static final String NO_CLUSTER = "gloo~unresolved-backend";

  public L4ListenerIR {
    gatewayListeners = List.copyOf(gatewayListeners);
    chains = List.copyOf(chains);
  }

  /** The listener protocols proxied at layer 4. */
  public enum Protocol { TCP, TLS, UDP }

  /**
   * Where one kind of connection goes.
   *
   * @param name Envoy filter chain name
   * @param gatewayListener the Gateway listener it serves
   * @param serverNames TLS: the SNI values it matches (exact or {@code *.suffix}); empty matches any
   * @param clusters the backends, weighted; an unresolved backendRef is a cluster that does not exist (its share of
   *     connections is closed)
   * @param certificates TLS mode Terminate: the certificates presented; empty for passthrough (and TCP, UDP)
   * @param route the route that sends connections here
   */
  public record Chain(String name, String gatewayListener, List<String> serverNames, List<WeightedCluster> clusters,
      List<String> certificates, ResourceKey route) {
    public Chain {
      serverNames = List.copyOf(serverNames);
      clusters = List.copyOf(clusters);
      certificates = List.copyOf(certificates);
    }

    /** Whether TLS is terminated by the proxy (TLSRoute on a listener with tls.mode Terminate). */
    public boolean terminates() {
      return !certificates.isEmpty();
    }
  }

  /** One backend and its weight (Gateway API weights; 0 backends are left out). */
  public record WeightedCluster(String cluster, int weight) {}
}
