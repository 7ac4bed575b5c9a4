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
   * @param clientValidation the Gateway's frontend client certificate validation for this listener, or null for none
   */
  public record Chain(String gatewayListener, String serverName, List<String> secrets, String routeConfiguration,
      List<VirtualHostIR> virtualHosts, ClientValidation clientValidation) {
    public Chain {
      secrets = List.copyOf(secrets);
      virtualHosts = List.copyOf(virtualHosts);
    }

    /** A chain without client certificate validation. */
    public Chain(String gatewayListener, String serverName, List<String> secrets, String routeConfiguration,
        List<VirtualHostIR> virtualHosts) {
      this(gatewayListener, serverName, secrets, routeConfiguration, virtualHosts, null);
    }
  }

  /**
   * Client certificate validation (Gateway {@code spec.tls.frontend}) of one HTTPS listener.
   *
   * @param trustedCa the CA bundle client certificates must chain to
   * @param allowInsecureFallback mode AllowInsecureFallback: a client certificate is requested but neither required
   *     nor required to be trusted; otherwise (AllowValidOnly) a certificate chaining to {@code trustedCa} is required
   */
  public record ClientValidation(TrustedCa trustedCa, boolean allowInsecureFallback) {}

  /**
   * CA certificates (PEM) from the ConfigMaps or Secrets a frontend validation names, served as an SDS validation
   * context. Certificates only: public material.
   *
   * @param name SDS name
   * @param sources the ConfigMaps or Secrets read
   */
  public record TrustedCa(String name, List<ResourceKey> sources, String pem) {
    public TrustedCa {
      sources = List.copyOf(sources);
    }

    @Override
    public String toString() {
      return "TrustedCa[" + name + " from " + sources + "]";
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
