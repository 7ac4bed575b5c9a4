package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteNamespaces;
import java.util.ArrayList;
import java.util.List;

/** One Gateway listener during translation: its validity, the route kinds it admits and the routes attached. */
final class ListenerContext {

  final Listener spec;
  /** The ListenerSet that declares it, or null for a listener of the Gateway's own spec. */
  final ListenerSets.Set owner;
  /** Where {@code allowedRoutes.namespaces.from: Same} points: the namespace of the Gateway or ListenerSet. */
  final String namespace;
  final String name;
  /**
   * The name the proxy configuration uses: the listener's name for the Gateway's own listeners, qualified with its
   * ListenerSet for the others (names are unique only within one Gateway or ListenerSet).
   */
  final String irName;
  final int port;
  final String hostname;
  final List<RouteGroupKind> supportedKinds = new ArrayList<>();
  final List<String> invalidKinds = new ArrayList<>();
  /** Why the listener cannot be served, or null when it is valid. */
  String unsupportedReason;
  String unsupportedMessage;
  String conflictReason;
  /**
   * A value Envoy or the API server would refuse (port out of 1-65535, malformed hostname): Accepted False with this
   * reason and a message naming the field; never sent to Envoy. Route kinds are still listed and routes still attach.
   */
  String invalidReason;
  String invalidMessage;
  /** HTTPS: the other listeners on the port whose hostnames overlap this one's (OverlappingTLSConfig), sorted. */
  final java.util.Set<String> overlappingHostnames = new java.util.TreeSet<>();
  /** A certificateRef that did not resolve: ResolvedRefs False with this reason, and not programmed. */
  String refsReason;
  String refsMessage;
  /** HTTPS: the certificates it presents. */
  final List<io.gloo.core.ir.TlsIR.Certificate> certificates = new ArrayList<>();
  /** HTTPS: the Gateway's client certificate validation for this listener, or null. */
  io.gloo.core.ir.TlsIR.ClientValidation clientValidation;
  /**
   * Some (not all) caCertificateRefs did not resolve: ResolvedRefs False with this reason, while the listener is
   * still served with the CA certificates that did.
   */
  String caRefsReason;
  String caRefsMessage;
  int attachedRoutes;

  ListenerContext(Listener spec, String namespace) {
    this(spec, namespace, null);
  }

  ListenerContext(Listener spec, String namespace, ListenerSets.Set owner) {
    this.spec = spec;
    this.owner = owner;
    this.namespace = namespace;
    this.name = spec.getName();
    this.irName = owner == null ? name : GatewayApi.KIND_LISTENERSET + "/" + owner.key.namespace() + "/"
        + owner.key.name() + "/" + name;
    this.port = spec.getPort() == null ? 0 : spec.getPort();
    this.hostname = spec.getHostname();
  }

  String protocol() {
    return spec.getProtocol() == null ? "" : spec.getProtocol();
  }

  /**
   * Valid and free of conflicts: Envoy serves it. Route attachment does not depend on it (the spec: attachment is
   * based solely on AllowedRoutes and the routes' parentRefs, and attachedRoutes is counted even when the listener
   * is not Accepted); only what is served does.
   */
  boolean servable() {
    return unsupportedReason == null && invalidReason == null && conflictReason == null && refsReason == null;
  }

  /** Whether a parentRef to {@code owner} (null: the Gateway itself) may reach this listener. */
  boolean ownedBy(ListenerSets.Set set) {
    return owner == set;
  }

  boolean admitsKind(String group, String kind) {
    for (RouteGroupKind k : supportedKinds) {
      if (GatewayApi.groupOrCore(k.getGroup()).equals(group) && k.getKind().equals(kind)) {
        return true;
      }
    }
    return false;
  }

  RouteNamespaces namespaces() {
    return spec.getAllowedRoutes() == null ? null : spec.getAllowedRoutes().getNamespaces();
  }
}
