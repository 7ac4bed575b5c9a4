package io.gloo.core.ir;

import java.util.List;

/**
 * One Envoy listener: every HTTP Gateway listener on the same port shares it, and its virtual hosts.
 *
 * @param name Envoy listener and route configuration name
 * @param port the port Envoy binds
 * @param gatewayListeners names of the Gateway listeners merged here, for attribution
 * @param tlsChains for HTTPS, the TLS filter chains (SNI → certificates); empty for HTTP
 * @param settings bind address, PROXY protocol and HTTP connection manager settings (Edge Gateways set them)
 */
public record ListenerIR(String name, int port, List<String> gatewayListeners, List<VirtualHostIR> virtualHosts,
    List<TlsIR.Chain> tlsChains, ListenerSettingsIR settings) {
  public ListenerIR {
    gatewayListeners = List.copyOf(gatewayListeners);
    virtualHosts = List.copyOf(virtualHosts);
    tlsChains = List.copyOf(tlsChains);
    settings = settings == null ? ListenerSettingsIR.DEFAULT : settings;
  }

  /** A listener with the default settings. */
  public ListenerIR(String name, int port, List<String> gatewayListeners, List<VirtualHostIR> virtualHosts,
      List<TlsIR.Chain> tlsChains) {
    this(name, port, gatewayListeners, virtualHosts, tlsChains, ListenerSettingsIR.DEFAULT);
  }

  /** A plaintext HTTP listener. */
  public ListenerIR(String name, int port, List<String> gatewayListeners, List<VirtualHostIR> virtualHosts) {
    this(name, port, gatewayListeners, virtualHosts, List.of());
  }

  /** HTTPS: TLS is terminated by one filter chain per Gateway listener. */
  public boolean tls() {
    return !tlsChains.isEmpty();
  }
}
