package io.gloo.core.ir;

import io.gloo.core.store.ResourceKey;
import java.util.List;

/** TLS termination on an HTTPS listener: one filter chain per Gateway listener, certificates served over SDS. */
public final class TlsIR {

  private TlsIR() {}

  /**
   * One filter chain of an HTTPS listener.
   *
   * @param gatewayListener the Gateway listener it serves
   * @param serverName the SNI it answers (the listener's hostname, possibly {@code *.suffix}), or null for any
   * @param secrets names of the {@link Certificate}s it presents
   * @param routeConfiguration the chain's own route configuration: its listener's virtual hosts, and 421
   *     (Misdirected Request) for hosts another chain's SNI would have selected
   * @param virtualHosts that route configuration's virtual hosts
   */
  public record Chain(String gatewayListener, String serverName, List<String> secrets, String routeConfiguration,
      List<VirtualHostIR> virtualHosts) {
    public Chain {
      secrets = List.copyOf(secrets);
      virtualHosts = List.copyOf(virtualHosts);
    }
  }

  /**
   * A certificate and its key, from a kubernetes.io/tls Secret, already checked to parse and match.
   * {@link #toString()} leaves the PEM out: key material must never reach logs.
   */
  public record Certificate(String name, ResourceKey source, String certificateChain, String privateKey) {
    @Override
    public String toString() {
      return "Certificate[" + name + " from " + source + "]";
    }
  }
}
