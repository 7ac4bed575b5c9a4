package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteNamespaces;
import io.gloo.core.store.ResourceSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a route's parentRef attaches on a Gateway: the listeners it names (sectionName, port) that admit its kind
 * and namespace (allowedRoutes, namespace selectors over the snapshot's Namespace labels), the domains it serves
 * through each (hostname intersection, listener isolation), and its Accepted condition. One per translation.
 */
final class RouteAttachment {

  private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();

  RouteAttachment(ResourceSnapshot snapshot) {
    for (Namespace ns : snapshot.list(Namespace.class)) {
      namespaceLabels.put(ns.getMetadata().getName(), ns.getMetadata().getLabels());
    }
  }

  /**
   * Attaches through {@code parent}, a parentRef to {@code gateway} itself ({@code set} null) or to one of its
   * ListenerSets: only that object's listeners are candidates.
   */
  void attach(HasMetadata route, String kind, List<String> routeHostnames,
      ParentReference parent, GatewayContext gateway, ListenerSets.Set set, Conditions conditions,
      RoutePlans.Builder plan, List<String> hostnameProblems) {
    String parentLabel = set == null ? "Gateway " + gateway.key.namespacedName() : set.label();
    List<ListenerContext> candidates = new ArrayList<>();
    for (ListenerContext l : gateway.listeners) {
      if (l.ownedBy(set) && (parent.getSectionName() == null || parent.getSectionName().equals(l.name))
          && (parent.getPort() == null || parent.getPort() == l.port)) {
        candidates.add(l);
      }
    }
    if (candidates.isEmpty()) {
      conditions.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_NO_MATCHING_PARENT,
          "no listener of " + parentLabel + " matches"
              + (parent.getSectionName() != null ? " sectionName " + parent.getSectionName() : "")
              + (parent.getPort() != null ? " port " + parent.getPort() : ""));
      return;
    }
    String routeNs = route.getMetadata().getNamespace();
    List<ListenerContext> allowed = new ArrayList<>();
    for (ListenerContext l : candidates) {
      if (l.admitsKind(GatewayApi.GROUP, kind)
          && namespaceAllowed(l.namespaces(), l.namespace, routeNs)) {
        allowed.add(l);
      }
    }
    if (allowed.isEmpty()) {
      conditions.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_NOT_ALLOWED_BY_LISTENERS,
          "no listener of " + parentLabel + " admits " + kind + "s from namespace "
              + routeNs);
      return;
    }
    String gatewayName = gateway.key.namespacedName();
    boolean attachedAny = false;
    for (ListenerContext l : allowed) {
      List<String> domains = Hostnames.intersect(l.hostname, routeHostnames);
      if (domains.isEmpty()) {
        continue;
      }
      attachedAny = true;
      plan.attached(gatewayName, gateway.listeners.indexOf(l));
      if (!l.servable()) {
        continue; // attached and counted, but a listener that is not served carries no routes to Envoy
      }
      for (String domain : domains) {
        if (isolatedElsewhere(gateway, l, domain)) {
          continue; // a more specific listener on this port owns these hosts: its routes alone serve them
        }
        plan.listener(gatewayName, l.port, domain, l.irName);
        // A route reaching one domain through two listeners (or two parentRefs) is added once.
        plan.route(gatewayName, l.port, domain);
      }
    }
    if (!attachedAny) {
      conditions.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_NO_MATCHING_LISTENER_HOSTNAME,
          "none of the route's hostnames " + routeHostnames + " matches a listener of " + parentLabel);
      return;
    }
    conditions.set(GatewayApi.ACCEPTED, true, GatewayApi.REASON_ACCEPTED, "attached to " + parentLabel
        + (hostnameProblems.isEmpty() ? ""
            : "; ignored invalid hostnames: " + String.join("; ", hostnameProblems)));
  }

  /**
   * Listener isolation: whether another servable listener on {@code l}'s port has a hostname more specific than
   * {@code l}'s that covers {@code domain}. Requests for such hosts must reach only that listener's routes.
   */
  private static boolean isolatedElsewhere(GatewayContext gateway, ListenerContext l, String domain) {
    if (!Hostnames.broad(l.hostname)) {
      return false; // no listener is more specific than one naming a single host
    }
    for (ListenerContext other : gateway.listeners) {
      if (other != l && other.port == l.port && other.servable()
          && Hostnames.moreSpecific(other.hostname, l.hostname) && Hostnames.covers(other.hostname, domain)) {
        return true;
      }
    }
    return false;
  }

  boolean namespaceAllowed(RouteNamespaces namespaces, String gatewayNs, String routeNs) {
    String from = namespaces == null || namespaces.getFrom() == null ? "Same" : namespaces.getFrom();
    return switch (from) {
      case "All" -> true;
      case "Same" -> gatewayNs.equals(routeNs);
      case "Selector" -> selects(namespaces.getSelector(), labelsOf(routeNs));
      default -> false;
    };
  }

  Map<String, String> labelsOf(String namespace) {
    Map<String, String> labels = new HashMap<>();
    Map<String, String> declared = namespaceLabels.get(namespace);
    if (declared != null) {
      labels.putAll(declared);
    }
    // Kubernetes sets this label on every namespace; directory mode may not declare Namespaces at all.
    labels.put("kubernetes.io/metadata.name", namespace);
    return labels;
  }

  static boolean selects(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement req : selector.getMatchExpressions()) {
        String value = labels.get(req.getKey());
        List<String> values = req.getValues() == null ? List.of() : req.getValues();
        boolean ok = switch (req.getOperator()) {
          case "In" -> value != null && values.contains(value);
          case "NotIn" -> value == null || !values.contains(value);
          case "Exists" -> value != null;
          case "DoesNotExist" -> value == null;
          default -> false;
        };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }
}
