package io.gloo.core.ir;

import java.util.List;

/**
 * One Envoy listener: every HTTP Gateway listener on the same port shares it, and its virtual hosts.
 *
 * @param name Envoy listener and route configuration name
 * @param port the port Envoy binds
 * @param gatewayListeners names of the Gateway listeners merged here, for attribution
 */
public record ListenerIR(String name, int port, List<String> gatewayListeners, List<VirtualHostIR> virtualHosts) {
  public ListenerIR {
    gatewayListeners = List.copyOf(gatewayListeners);
    virtualHosts = List.copyOf(virtualHosts);
  }
}
