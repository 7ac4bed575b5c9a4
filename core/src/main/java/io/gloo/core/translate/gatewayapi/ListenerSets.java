package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.AllowedListeners;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntryStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentGatewayReference;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * ListenerSets (Gateway API v1.5, {@code gateway.networking.k8s.io/v1}): listeners declared outside a Gateway and
 * merged into it. A ListenerSet attaches when its parent Gateway (one of ours) selects its namespace in
 * {@code spec.allowedListeners.namespaces} (None by default, Same, All, Selector over Namespace labels). The merged
 * list follows the spec's precedence: the Gateway's own listeners, then ListenerSets oldest first, then by
 * namespace/name; a listener that shares a port with an earlier one of another protocol, or a hostname with an
 * earlier one of the same protocol, is Conflicted (Accepted and Programmed False) and not served, while the earlier
 * one keeps serving. Routes reach a ListenerSet's listeners only through a parentRef of kind ListenerSet, and a
 * Gateway parentRef never reaches them. One per translation.
 */
final class ListenerSets {

  /** One ListenerSet whose parentRef names one of our Gateways, and its listeners. */
  static final class Set {
    final ListenerSet listenerSet;
    final ResourceKey key;
    final GatewayContext parent;
    /** NotAllowed or ParentNotAccepted: not attached, its listeners not merged; null when attached. */
    String rejectedReason;
    String rejectedMessage;
    final List<ListenerContext> listeners = new ArrayList<>();

    Set(ListenerSet listenerSet, GatewayContext parent) {
      this.listenerSet = listenerSet;
      this.key = ResourceKey.of(listenerSet);
      this.parent = parent;
    }

    /** Attached and with at least one listener that can be served: the spec's Accepted True. */
    boolean accepted() {
      return rejectedReason == null && listeners.stream().anyMatch(ListenerContext::servable);
    }

    /** For messages: {@code ListenerSet ns/name}. */
    String label() {
      return GatewayApi.KIND_LISTENERSET + " " + key.namespacedName();
    }
  }

  /** Validates one listener as the Gateway's own are (protocol, TLS references made from {@code from}, kinds). */
  interface ListenerValidator {
    void validate(GatewayContext gateway, ResourceKey from, ListenerContext listener, int index);
  }

  private final ResourceSnapshot snapshot;
  private final RouteAttachment attachment;
  /** namespace/name → every ListenerSet of one of our Gateways. */
  private final Map<String, Set> byName = new HashMap<>();

  ListenerSets(ResourceSnapshot snapshot, RouteAttachment attachment) {
    this.snapshot = snapshot;
    this.attachment = attachment;
  }

  /**
   * Finds the ListenerSets of our Gateways, decides which attach and merges their listeners (validated by
   * {@code validator}) into their Gateway's, in precedence order.
   */
  void gather(Map<String, GatewayContext> gateways, ListenerValidator validator) {
    List<ListenerSet> all = snapshot.list(ListenerSet.class);
    if (all.isEmpty()) {
      return;
    }
    Map<String, List<Set>> byGateway = new TreeMap<>();
    for (ListenerSet ls : all) {
      ParentGatewayReference ref = ls.getSpec() == null ? null : ls.getSpec().getParentRef();
      if (ref == null || ref.getName() == null
          || !GatewayApi.GROUP.equals(ref.getGroup() == null ? GatewayApi.GROUP : ref.getGroup())
          || !GatewayApi.KIND_GATEWAY.equals(ref.getKind() == null ? GatewayApi.KIND_GATEWAY : ref.getKind())) {
        continue; // no Gateway named: no controller can be told apart, none reports
      }
      String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty()
          ? ls.getMetadata().getNamespace() : ref.getNamespace();
      GatewayContext gateway = gateways.get(ns + "/" + ref.getName());
      if (gateway == null) {
        continue; // another controller's Gateway, or none yet: not ours to report on
      }
      Set set = new Set(ls, gateway);
      byName.put(set.key.namespacedName(), set);
      byGateway.computeIfAbsent(gateway.key.namespacedName(), g -> new ArrayList<>()).add(set);
    }
    Comparator<Set> precedence = Comparator
        .comparing((Set s) -> Objects.toString(s.listenerSet.getMetadata().getCreationTimestamp(), ""))
        .thenComparing(s -> s.key.namespace())
        .thenComparing(s -> s.key.name());
    for (List<Set> sets : byGateway.values()) {
      sets.sort(precedence);
      java.util.Set<Integer> httpsPorts = new java.util.TreeSet<>();
      Map<Integer, PortHolders> holders = new HashMap<>();
      for (ListenerContext own : sets.get(0).parent.listeners) {
        hold(holders, own);
      }
      for (Set set : sets) {
        GatewayContext gateway = set.parent;
        gateway.listenerSets.add(set);
        if (!allowed(gateway.gateway, set.key.namespace())) {
          set.rejectedReason = GatewayApi.REASON_NOT_ALLOWED;
          set.rejectedMessage = "Gateway " + gateway.key.namespacedName()
              + " does not allow ListenerSets from namespace " + set.key.namespace() + " (spec.allowedListeners)";
          continue;
        }
        if (gateway.rejectedReason != null) {
          set.rejectedReason = GatewayApi.REASON_PARENT_NOT_ACCEPTED;
          set.rejectedMessage = "Gateway " + gateway.key.namespacedName() + " is not accepted";
          continue;
        }
        List<ListenerEntry> entries = set.listenerSet.getSpec().getListeners() == null ? List.of()
            : set.listenerSet.getSpec().getListeners();
        for (int i = 0; i < entries.size(); i++) {
          ListenerContext l = new ListenerContext(listener(entries.get(i)), set.key.namespace(), set);
          validator.validate(gateway, set.key, l, i);
          conflict(holders, l);
          if (l.conflictReason == null) {
            hold(holders, l);
          }
          gateway.listeners.add(l);
          set.listeners.add(l);
          if (GatewayApi.PROTOCOL_HTTPS.equals(l.protocol())) {
            httpsPorts.add(l.port);
          }
        }
      }
      // Once per Gateway and port (the marking is pairwise): HTTPS listeners that hold the port.
      GatewayContext gateway = sets.get(0).parent;
      for (int port : httpsPorts) {
        OverlappingTls.mark(gateway.listeners.stream().filter(l -> l.port == port && l.conflictReason == null)
            .toList());
      }
    }
  }

  /** The ListenerSet {@code namespace/name} of one of our Gateways, or null. */
  Set find(String namespacedName) {
    return byName.get(namespacedName);
  }

  /** Every ListenerSet of our Gateways. */
  java.util.Collection<Set> all() {
    return byName.values();
  }

  /**
   * For the proxy provisioner: the ports of the listeners of the ListenerSets each Gateway allows (by its
   * {@code allowedListeners}), keyed by Gateway; whether a listener conflicts is not decided here (a conflicting
   * listener's port is another's, or refused by protocol, and only exposed).
   */
  static Map<ResourceKey, java.util.Set<Integer>> allowedPorts(ResourceSnapshot snapshot) {
    Map<ResourceKey, java.util.Set<Integer>> ports = new HashMap<>();
    List<ListenerSet> all = snapshot.list(ListenerSet.class);
    if (all.isEmpty()) {
      return ports;
    }
    ListenerSets sets = new ListenerSets(snapshot, new RouteAttachment(snapshot));
    for (ListenerSet ls : all) {
      ParentGatewayReference ref = ls.getSpec() == null ? null : ls.getSpec().getParentRef();
      if (ref == null || ref.getName() == null || !GatewayApi.KIND_GATEWAY.equals(
          ref.getKind() == null ? GatewayApi.KIND_GATEWAY : ref.getKind())) {
        continue;
      }
      String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty()
          ? ls.getMetadata().getNamespace() : ref.getNamespace();
      Gateway gateway = snapshot.get(Gateway.class, ns, ref.getName()).orElse(null);
      if (gateway == null || gateway.getSpec() == null
          || !sets.allowed(gateway, ls.getMetadata().getNamespace())) {
        continue;
      }
      for (ListenerEntry e : ls.getSpec().getListeners() == null ? List.<ListenerEntry>of()
          : ls.getSpec().getListeners()) {
        if (e.getPort() != null && e.getPort() >= 1 && e.getPort() <= 65535) {
          ports.computeIfAbsent(ResourceKey.of(gateway), k -> new java.util.TreeSet<>()).add(e.getPort());
        }
      }
    }
    return ports;
  }

  private boolean allowed(Gateway gateway, String namespace) {
    AllowedListeners allowed = gateway.getSpec().getAllowedListeners();
    var namespaces = allowed == null ? null : allowed.getNamespaces();
    String from = namespaces == null || namespaces.getFrom() == null ? "None" : namespaces.getFrom();
    return switch (from) {
      case "All" -> true;
      case "Same" -> gateway.getMetadata().getNamespace().equals(namespace);
      case "Selector" -> RouteAttachment.selects(namespaces.getSelector(), attachment.labelsOf(namespace));
      default -> false; // None, or a value the CRD's enum refuses
    };
  }

  private static Listener listener(ListenerEntry e) {
    return new ListenerBuilder().withName(e.getName()).withHostname(e.getHostname()).withPort(e.getPort())
        .withProtocol(e.getProtocol()).withTls(e.getTls()).withAllowedRoutes(e.getAllowedRoutes()).build();
  }

  /** The protocols and hostnames of the listeners that hold one port so far, in precedence order. */
  private static final class PortHolders {
    final java.util.Set<String> protocols = new java.util.HashSet<>();
    final java.util.Set<String> hostnames = new java.util.HashSet<>();
  }

  /** Records a listener that holds its port: the Gateway's own (valid ones), or a ListenerSet's not conflicted. */
  private static void hold(Map<Integer, PortHolders> holders, ListenerContext l) {
    if (l.unsupportedReason != null || l.invalidReason != null) {
      return;
    }
    PortHolders h = holders.computeIfAbsent(l.port, p -> new PortHolders());
    h.protocols.add(l.protocol());
    h.hostnames.add(Objects.toString(lower(l.hostname), ""));
  }

  /**
   * The spec's precedence: {@code l} conflicts with an earlier listener of the port that holds it (the Gateway's own,
   * or a ListenerSet's that is not itself conflicted): ProtocolConflict when the protocols differ, HostnameConflict
   * when they agree and so do the hostnames.
   */
  private static void conflict(Map<Integer, PortHolders> holders, ListenerContext l) {
    if (l.unsupportedReason != null || l.invalidReason != null) {
      return;
    }
    PortHolders h = holders.get(l.port);
    if (h == null) {
      return;
    }
    if (h.protocols.size() > 1 || !h.protocols.contains(l.protocol())) {
      l.conflictReason = GatewayApi.REASON_PROTOCOL_CONFLICT;
    } else if (h.hostnames.contains(Objects.toString(lower(l.hostname), ""))) {
      l.conflictReason = GatewayApi.REASON_HOSTNAME_CONFLICT;
    }
  }

  private static String lower(String hostname) {
    return hostname == null ? null : hostname.toLowerCase(Locale.ROOT);
  }

  /** The ListenerSet's status: its conditions and, once attached, one entry per listener. */
  static ListenerSetStatus status(Set set) {
    Long generation = set.listenerSet.getMetadata().getGeneration();
    Conditions c = new Conditions(generation);
    List<ListenerEntryStatus> entries = new ArrayList<>();
    if (set.rejectedReason != null) {
      c.set(GatewayApi.ACCEPTED, false, set.rejectedReason, set.rejectedMessage);
      c.set(GatewayApi.PROGRAMMED, false, set.rejectedReason, set.rejectedMessage);
    } else {
      int invalid = 0;
      for (ListenerContext l : set.listeners) {
        invalid += l.servable() ? 0 : 1;
        ListenerStatus s = GatewayStatuses.listenerStatus(l, generation);
        ListenerEntryStatus e = new ListenerEntryStatus();
        e.setName(s.getName());
        e.setSupportedKinds(s.getSupportedKinds());
        e.setAttachedRoutes(s.getAttachedRoutes());
        e.setConditions(s.getConditions());
        entries.add(e);
      }
      String summary = invalid + " of " + set.listeners.size() + " listeners are not valid";
      if (set.accepted()) {
        c.set(GatewayApi.ACCEPTED, true, invalid == 0 ? GatewayApi.REASON_ACCEPTED
            : GatewayApi.REASON_LISTENERS_NOT_VALID, invalid == 0 ? "attached to Gateway "
                + set.parent.key.namespacedName() : summary);
        c.set(GatewayApi.PROGRAMMED, true, GatewayApi.REASON_PROGRAMMED, "configuration translated for the proxy");
      } else {
        c.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_LISTENERS_NOT_VALID, summary);
        c.set(GatewayApi.PROGRAMMED, false, GatewayApi.REASON_LISTENERS_NOT_VALID, summary);
      }
    }
    ListenerSetStatus status = new ListenerSetStatus();
    status.setConditions(c.build());
    status.setListeners(entries);
    return status;
  }
}
