package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.gloo.core.store.ResourceKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One Gateway of our class during one translation: its listeners' state and the routes attached to it, filled in
 * by {@link GatewayApiTranslator}'s stages (listener validation, {@link RouteAttachment}) and read by
 * {@link GatewayIrBuilder} and {@link GatewayStatuses}. Confined to the translating thread.
 */
final class GatewayContext {
  final Gateway gateway;
  final ResourceKey key;
  /** Why the Gateway is rejected (Accepted False: it serves nothing), or null. */
  String rejectedReason;
  String rejectedMessage;
  /**
   * Its listeners: those of its own spec first, then those of the ListenerSets attached to it, in the spec's
   * precedence (oldest ListenerSet first, then by namespace/name); {@link ListenerContext#owner} tells them apart.
   */
  final List<ListenerContext> listeners = new ArrayList<>();
  /** The ListenerSets whose parentRef names this Gateway, in precedence order, allowed or not. */
  final List<ListenerSets.Set> listenerSets = new ArrayList<>();
  /** port → domain → routes, in attachment order; sorted when the IR is built. */
  final Map<Integer, Map<String, List<RoutePrecedence.Entry>>> routesByPort = new TreeMap<>();
  /** port → domain → the routes it serves, each once, in attachment order. */
  final Map<Integer, Map<String, List<ResourceKey>>> sourcesByPort = new HashMap<>();
  /** {@code spec.tls.backend.clientCertificateRef}: whether set, the certificate, or why it is unusable. */
  boolean hasClientCertificateRef;
  ListenerTls.ClientCertificate clientCertificate;
  /** Its requested {@code spec.addresses}, usable or not ({@link StaticAddresses}). */
  StaticAddresses.Decision addresses = new StaticAddresses.Decision(List.of(), List.of());
  /** port → domain → the Gateway listeners whose routes reach it. */
  final Map<Integer, Map<String, Set<String>>> listenersByPort = new HashMap<>();

  /** The listeners of the Gateway's own spec. */
  List<ListenerContext> ownListeners() {
    return listeners.stream().filter(l -> l.owner == null).toList();
  }

  GatewayContext(Gateway gateway) {
    this.gateway = gateway;
    this.key = ResourceKey.of(gateway);
    for (Listener l : gateway.getSpec().getListeners() == null ? List.<Listener>of()
        : gateway.getSpec().getListeners()) {
      listeners.add(new ListenerContext(l, key.namespace()));
    }
  }
}
