package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRouteStatus;
import io.gloo.core.ir.L4ListenerIR;
import io.gloo.core.ir.TlsIR;
import io.gloo.core.report.StatusReport;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * TLSRoute, TCPRoute and UDPRoute (Gateway API v1.6, experimental channel) on Gateway listeners of protocol TLS, TCP
 * and UDP: attachment and route statuses as for HTTPRoute, and the {@link L4ListenerIR}s Envoy proxies whole
 * connections with. Where several routes reach the same listener (TCP, UDP) or the same SNI (TLS), the oldest route
 * (creationTimestamp, then namespace/name) carries the traffic, as the spec orders conflicting routes; every one is
 * Accepted and counted in {@code attachedRoutes}. One instance per translation; not thread-safe.
 */
final class L4Routes {

  private static final String NO_CLUSTER = L4ListenerIR.NO_CLUSTER;

  /** The route kind each L4 listener protocol admits. */
  private static final Map<String, String> KIND_BY_PROTOCOL = Map.of(
      GatewayApi.PROTOCOL_TLS, GatewayApi.KIND_TLSROUTE,
      GatewayApi.PROTOCOL_TCP, GatewayApi.KIND_TCPROUTE,
      GatewayApi.PROTOCOL_UDP, GatewayApi.KIND_UDPROUTE);

  /** One of our Gateways, as L4 attachment sees it. */
  /**
   * A parent a route may name: a Gateway ({@code set} null) or one of its ListenerSets; {@code key} is the Gateway's
   * and {@code listeners} all of its listeners, of which only those {@code set} owns are candidates.
   */
  record Parent(ResourceKey key, List<ListenerContext> listeners, ListenerSets.Set set) {
    String label() {
      return set == null ? "Gateway " + key.namespacedName() : set.label();
    }
  }

  /** The key of a ListenerSet in the parents map (Gateways are keyed by namespace/name). */
  static String listenerSetParent(String namespacedName) {
    return GatewayApi.KIND_LISTENERSET + ":" + namespacedName;
  }

  /** Whether a listener's allowedRoutes.namespaces admits routes of {@code routeNamespace}. */
  interface NamespaceCheck {
    /** "Same" is the namespace of the listener's Gateway or ListenerSet ({@link ListenerContext#namespace}). */
    boolean allows(ListenerContext listener, String routeNamespace);
  }

  /** A route attached to one listener, with what it sends there. */
  private record Attached(ResourceKey route, String created, List<String> serverNames,
      List<L4ListenerIR.WeightedCluster> clusters) {}

  /** A route attached to one listener of a port, competing for its connections. */
  private record Candidate(ListenerContext listener, Attached route) {}

  /** The L4 listeners of one Gateway, the clusters they use and the certificates TLS termination presents. */
  record Built(List<L4ListenerIR> listeners, Set<String> clusters, List<TlsIR.Certificate> certificates) {}

  private final ResourceSnapshot snapshot;
  private final Backends backends;
  /** gateway ns/name → listener index → routes attached, in attachment order. */
  private final Map<String, Map<Integer, List<Attached>>> attached = new HashMap<>();

  L4Routes(ResourceSnapshot snapshot, Backends backends) {
    this.snapshot = snapshot;
    this.backends = backends;
  }

  /** The route kind a listener protocol admits: TLSRoute, TCPRoute, UDPRoute; null for HTTP, HTTPS and unknowns. */
  static String routeKind(String protocol) {
    return KIND_BY_PROTOCOL.get(protocol);
  }

  /** Whether the listener is proxied at layer 4 (protocol TLS, TCP or UDP). */
  static boolean isL4(ListenerContext l) {
    return KIND_BY_PROTOCOL.containsKey(l.protocol());
  }

  /** The route kinds a listener of {@code protocol} admits by default. */
  static List<String> routeKinds(String protocol) {
    String kind = routeKind(protocol);
    return kind == null ? GatewayApiTranslator.ROUTE_KINDS : List.of(kind);
  }

  /**
   * Validates the TLS settings of a TLS listener: Passthrough needs none (certificateRefs are ignored), Terminate
   * needs certificates as an HTTPS listener does.
   */
  static void resolveTls(ListenerTls tls, ResourceKey gateway, ListenerContext l) {
    String mode = l.spec.getTls() == null || l.spec.getTls().getMode() == null ? null : l.spec.getTls().getMode();
    if (mode == null) {
      l.invalidReason = GatewayApi.REASON_INVALID_TLS_CONFIG;
      l.invalidMessage = "a TLS listener needs tls.mode (Passthrough or Terminate)";
    } else if (mode.equals("Terminate")) {
      tls.resolve(gateway, l);
    } else if (!mode.equals("Passthrough")) {
      l.unsupportedReason = GatewayApi.REASON_UNSUPPORTED_VALUE;
      l.unsupportedMessage = "tls.mode " + mode + " is not supported (supported: Passthrough, Terminate)";
    }
  }

  /** Attaches every TLSRoute, TCPRoute and UDPRoute to our Gateways and puts their statuses. */
  void attachAll(Map<String, Parent> parents, NamespaceCheck namespaces, StatusReport.Builder statuses) {
    for (TLSRoute r : snapshot.list(TLSRoute.class)) {
      var spec = r.getSpec();
      statuses.put(ResourceKey.of(r), new TLSRouteStatus(attach(r, GatewayApi.KIND_TLSROUTE,
          spec == null ? null : spec.getParentRefs(), spec == null ? null : spec.getHostnames(),
          backendRefs(spec == null ? null : spec.getRules(), TLSRouteRule::getBackendRefs), parents, namespaces)));
    }
    for (TCPRoute r : snapshot.list(TCPRoute.class)) {
      var spec = r.getSpec();
      statuses.put(ResourceKey.of(r), new TCPRouteStatus(attach(r, GatewayApi.KIND_TCPROUTE,
          spec == null ? null : spec.getParentRefs(), null,
          backendRefs(spec == null ? null : spec.getRules(), TCPRouteRule::getBackendRefs), parents, namespaces)));
    }
    for (UDPRoute r : snapshot.list(UDPRoute.class)) {
      var spec = r.getSpec();
      statuses.put(ResourceKey.of(r), new UDPRouteStatus(attach(r, GatewayApi.KIND_UDPROUTE,
          spec == null ? null : spec.getParentRefs(), null,
          backendRefs(spec == null ? null : spec.getRules(), UDPRouteRule::getBackendRefs), parents, namespaces)));
    }
  }

  /** The backendRefs of every rule, in order (the L4 route kinds allow one rule; more are merged). */
  private static <R> List<BackendRef> backendRefs(List<R> rules, java.util.function.Function<R, List<BackendRef>> refs) {
    List<BackendRef> all = new ArrayList<>();
    for (R rule : rules == null ? List.<R>of() : rules) {
      List<BackendRef> some = refs.apply(rule);
      all.addAll(some == null ? List.of() : some);
    }
    return all;
  }

  private List<RouteParentStatus> attach(HasMetadata route, String kind, List<ParentReference> parentRefs,
      List<String> hostnames, List<BackendRef> refs, Map<String, Parent> parents, NamespaceCheck namespaces) {
    String routeNs = route.getMetadata().getNamespace();
    Long generation = route.getMetadata().getGeneration();
    List<RouteParentStatus> result = new ArrayList<>();
    List<L4ListenerIR.WeightedCluster> clusters = null; // resolved once, for the first Gateway parent
    String refsReason = null;
    List<String> refsMessages = new ArrayList<>();
    for (ParentReference parent : parentRefs == null ? List.<ParentReference>of() : parentRefs) {
      String group = parent.getGroup() == null ? GatewayApi.GROUP : parent.getGroup();
      String parentKind = parent.getKind() == null ? GatewayApi.KIND_GATEWAY : parent.getKind();
      String ns = parent.getNamespace() == null || parent.getNamespace().isEmpty() ? routeNs : parent.getNamespace();
      Conditions conditions = new Conditions(generation);
      boolean toListenerSet = GatewayApi.GROUP.equals(group) && GatewayApi.KIND_LISTENERSET.equals(parentKind);
      if (!GatewayApi.GROUP.equals(group) || !(GatewayApi.KIND_GATEWAY.equals(parentKind) || toListenerSet)) {
        conditions.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_UNSUPPORTED_VALUE, "parentRef kind " + group
            + "/" + parentKind + " is not supported (supported: Gateway, ListenerSet)");
        result.add(parentStatus(parent, conditions));
        continue;
      }
      Parent gateway = parents.get(toListenerSet ? listenerSetParent(ns + "/" + parent.getName())
          : ns + "/" + parent.getName());
      if (gateway == null) {
        if (toListenerSet ? snapshot.get(io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet.class, ns,
            parent.getName()).isPresent() : snapshot.get(Gateway.class, ns, parent.getName()).isPresent()) {
          continue; // another controller's Gateway (or ListenerSet, or one not attached): not reported here
        }
        conditions.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_NO_MATCHING_PARENT,
            parentKind + " " + ns + "/" + parent.getName() + " not found");
        result.add(parentStatus(parent, conditions));
        continue;
      }
      if (clusters == null) {
        clusters = new ArrayList<>();
        for (int i = 0; i < refs.size(); i++) {
          BackendRef ref = refs.get(i);
          int weight = ref.getWeight() == null ? 1 : ref.getWeight();
          Backends.Resolution r = backends.resolve(kind, routeNs, route.getMetadata().getName(), ref.getGroup(),
              ref.getKind(), ref.getName(), ref.getNamespace(), ref.getPort(), new RouteInputs());
          if (!r.resolved() && r.reason() != null) {
            refsReason = refsReason == null ? r.reason() : refsReason;
            refsMessages.add("backendRefs[" + i + "]: " + r.message());
          }
          if (weight > 0) {
            clusters.add(new L4ListenerIR.WeightedCluster(r.resolved() ? r.cluster() : NO_CLUSTER, weight));
          }
        }
      }
      attachToGateway(route, kind, hostnames, parent, gateway, namespaces, conditions, clusters);
      if (refsReason == null) {
        conditions.set(GatewayApi.RESOLVED_REFS, true, GatewayApi.REASON_RESOLVED_REFS, "all references resolved");
      } else {
        conditions.set(GatewayApi.RESOLVED_REFS, false, refsReason, String.join("; ", refsMessages));
      }
      result.add(parentStatus(parent, conditions));
    }
    return result;
  }

  private void attachToGateway(HasMetadata route, String kind, List<String> hostnames, ParentReference parent,
      Parent gateway, NamespaceCheck namespaces, Conditions conditions,
      List<L4ListenerIR.WeightedCluster> clusters) {
    String gatewayName = gateway.key().namespacedName();
    List<ListenerContext> candidates = new ArrayList<>();
    for (ListenerContext l : gateway.listeners()) {
      if (l.ownedBy(gateway.set()) && (parent.getSectionName() == null || parent.getSectionName().equals(l.name))
          && (parent.getPort() == null || parent.getPort() == l.port)) {
        candidates.add(l);
      }
    }
    if (candidates.isEmpty()) {
      conditions.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_NO_MATCHING_PARENT,
          "no listener of " + gateway.label() + " matches"
              + (parent.getSectionName() != null ? " sectionName " + parent.getSectionName() : "")
              + (parent.getPort() != null ? " port " + parent.getPort() : ""));
      return;
    }
    String routeNs = route.getMetadata().getNamespace();
    List<ListenerContext> allowed = candidates.stream()
        .filter(l -> l.admitsKind(GatewayApi.GROUP, kind) && namespaces.allows(l, routeNs))
        .toList();
    if (allowed.isEmpty()) {
      conditions.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_NOT_ALLOWED_BY_LISTENERS,
          "no listener of " + gateway.label() + " admits " + kind + "s from namespace " + routeNs);
      return;
    }
    List<String> hostnameProblems = new ArrayList<>();
    List<String> valid = SpecValues.validHostnames(hostnames == null ? List.of() : hostnames, hostnameProblems);
    if (valid == null) {
      conditions.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_UNSUPPORTED_VALUE,
          String.join("; ", hostnameProblems) + "; the route has no valid hostname and is not attached");
      return;
    }
    boolean attachedAny = false;
    for (ListenerContext l : allowed) {
      List<String> serverNames = kind.equals(GatewayApi.KIND_TLSROUTE) ? Hostnames.intersect(l.hostname, valid)
          : List.of(Hostnames.ANY);
      if (serverNames.isEmpty()) {
        continue;
      }
      attachedAny = true;
      l.attachedRoutes++;
      attached.computeIfAbsent(gatewayName, g -> new HashMap<>())
          .computeIfAbsent(gateway.listeners().indexOf(l), i -> new ArrayList<>())
          .add(new Attached(ResourceKey.of(route), created(route), serverNames, clusters));
    }
    if (!attachedAny) {
      conditions.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_NO_MATCHING_LISTENER_HOSTNAME,
          "none of the route's hostnames " + valid + " matches a listener of " + gateway.label());
      return;
    }
    conditions.set(GatewayApi.ACCEPTED, true, GatewayApi.REASON_ACCEPTED, "attached to " + gateway.label());
  }

  private static String created(HasMetadata route) {
    String t = route.getMetadata().getCreationTimestamp();
    return t == null ? "" : t;
  }

  private static RouteParentStatus parentStatus(ParentReference parent, Conditions conditions) {
    RouteParentStatus status = new RouteParentStatus();
    status.setParentRef(new ParentReference(parent.getGroup() == null ? GatewayApi.GROUP : parent.getGroup(),
        parent.getKind() == null ? GatewayApi.KIND_GATEWAY : parent.getKind(), parent.getName(),
        parent.getNamespace(), parent.getPort(), parent.getSectionName()));
    status.setControllerName(GatewayApi.CONTROLLER_NAME);
    status.setConditions(conditions.build());
    return status;
  }

  /**
   * The L4 listeners of one Gateway: one Envoy listener per port of its servable TLS, TCP and UDP listeners (which
   * share a protocol per port, or conflict). The oldest route wins a TCP or UDP listener, or an SNI.
   */
  Built build(ResourceKey gateway, List<ListenerContext> all) {
    Map<Integer, List<ListenerContext>> byPort = new TreeMap<>();
    for (ListenerContext l : all) {
      if (l.servable() && isL4(l)) {
        byPort.computeIfAbsent(l.port, p -> new ArrayList<>()).add(l);
      }
    }
    Map<Integer, List<Attached>> routes = attached.getOrDefault(gateway.namespacedName(), Map.of());
    Comparator<Attached> oldestFirst = Comparator.comparing(Attached::created)
        .thenComparing(a -> a.route().namespacedName());
    List<L4ListenerIR> listeners = new ArrayList<>();
    Set<String> clusters = new LinkedHashSet<>();
    Map<String, TlsIR.Certificate> certificates = new LinkedHashMap<>();
    for (Map.Entry<Integer, List<ListenerContext>> port : byPort.entrySet()) {
      L4ListenerIR.Protocol protocol = L4ListenerIR.Protocol.valueOf(port.getValue().get(0).protocol());
      String name = protocol.name().toLowerCase(Locale.ROOT) + "~" + port.getKey();
      // Every (listener, route) pair of the port, oldest route first: it claims what it matches first.
      List<Candidate> candidates = new ArrayList<>();
      for (ListenerContext l : port.getValue()) {
        for (Attached a : routes.getOrDefault(all.indexOf(l), List.of())) {
          candidates.add(new Candidate(l, a));
        }
      }
      candidates.sort(Comparator.comparing(Candidate::route, oldestFirst));
      Set<String> claimed = new LinkedHashSet<>();
      List<L4ListenerIR.Chain> chains = new ArrayList<>();
      for (Candidate c : candidates) {
        List<String> serverNames = new ArrayList<>();
        for (String sni : protocol == L4ListenerIR.Protocol.TLS ? c.route().serverNames()
            : List.of(Hostnames.ANY)) {
          if (claimed.add(sni)) {
            serverNames.add(sni);
          }
        }
        if (serverNames.isEmpty()) {
          continue; // an older route already carries all of it
        }
        List<String> secrets = new ArrayList<>();
        if (protocol == L4ListenerIR.Protocol.TLS) {
          for (TlsIR.Certificate cert : c.listener().certificates) {
            certificates.putIfAbsent(cert.name(), cert);
            secrets.add(cert.name());
          }
        }
        c.route().clusters().forEach(w -> {
          if (!w.cluster().equals(NO_CLUSTER)) {
            clusters.add(w.cluster());
          }
        });
        backends.tlsPolicies(c.route().route()).forEach(p -> p.ancestors.add(gateway));
        chains.add(new L4ListenerIR.Chain(name + "~" + c.listener().irName + "~" + c.route().route().namespacedName(),
            c.listener().irName, serverNames.contains(Hostnames.ANY) ? List.of() : serverNames, c.route().clusters(),
            secrets, c.route().route()));
      }
      listeners.add(new L4ListenerIR(name, port.getKey(), protocol,
          port.getValue().stream().map(l -> l.irName).toList(), chains));
    }
    return new Built(listeners, clusters, new ArrayList<>(certificates.values()));
  }
}
