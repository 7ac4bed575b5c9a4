package io.gloo.core.translate;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.report.StatusReport;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.xds.InvalidElements;
import io.gloo.core.translate.xds.InvalidRoute;
import io.gloo.core.translate.xds.RuleSiblings;
import io.gloo.core.validate.Finding;
import io.gloo.core.validate.Violation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Statuses for what the xDS stage replaced or dropped on a Gateway ({@link InvalidElements}), following the Gateway
 * API's {@code PartiallyInvalid} condition: for each parent that is that Gateway, a route with some invalid rules
 * stays {@code Accepted} and gets {@code PartiallyInvalid=True} (reason {@code UnsupportedValue}, message starting
 * "Dropped Rule" and naming the field and Envoy's rule); a route all of whose rules are invalid is
 * {@code Accepted=False} instead (the condition must not be set on a fully invalid route). A rule whose only problem
 * is a missing cluster is a reference problem: {@code ResolvedRefs=False, BackendNotFound}. A dropped listener sets
 * {@code Programmed=False, Invalid} on the Gateway's listeners of that port. Statuses are copied, never changed in
 * place (the Gateway API stage reuses them across translations).
 */
final class ReplacementStatuses {

  private static final KubernetesSerialization KUBE = new KubernetesSerialization();

  private ReplacementStatuses() {}

  static void apply(StatusReport.Builder statuses, ResourceSnapshot snapshot, ResourceKey gateway,
      InvalidElements invalid) {
    Map<ResourceKey, Map<Integer, List<InvalidRoute>>> byRoute = new TreeMap<>();
    for (InvalidRoute r : invalid.routes()) {
      if (r.source() != null) {
        byRoute.computeIfAbsent(r.source().route(), k -> new TreeMap<>())
            .computeIfAbsent(r.source().rule(), k -> new ArrayList<>()).add(r);
      }
    }
    byRoute.forEach((route, rules) -> route(statuses, snapshot, gateway, route, rules));
    listeners(statuses, snapshot, gateway, invalid);
  }

  // ---- routes

  private static void route(StatusReport.Builder statuses, ResourceSnapshot snapshot, ResourceKey gateway,
      ResourceKey route, Map<Integer, List<InvalidRoute>> rules) {
    Optional<? extends HasMetadata> resource = route.kind().equals("GRPCRoute")
        ? snapshot.get(GRPCRoute.class, route.namespace(), route.name())
        : snapshot.get(HTTPRoute.class, route.namespace(), route.name());
    Object status = statuses.get(route);
    if (resource.isEmpty() || status == null) {
      return;
    }
    JsonNode spec = KUBE.convertValue(resource.get() instanceof HTTPRoute h ? h.getSpec()
        : ((GRPCRoute) resource.get()).getSpec(), JsonNode.class);
    int ruleCount = spec.path("rules").size();
    List<String> invalidRules = new ArrayList<>();
    List<String> missingRefs = new ArrayList<>();
    for (Map.Entry<Integer, List<InvalidRoute>> rule : rules.entrySet()) {
      Set<String> details = new LinkedHashSet<>();
      boolean refsOnly = true;
      boolean replaced = false;
      for (InvalidRoute r : rule.getValue()) {
        refsOnly &= r.onlyMissingClusters();
        replaced |= r.outcome() == InvalidRoute.Outcome.REPLACED;
        for (Violation v : r.violations()) {
          if (!v.rule().equals(RuleSiblings.RULE)) {
            details.add(RuleFields.locate(spec, rule.getKey(), r.source().match(), r.original(), v) + ": "
                + v.message() + " [" + v.rule() + "]");
          }
        }
      }
      String ruleName = rule.getValue().get(0).source().ruleName();
      String what = "Rule " + rule.getKey() + (ruleName == null ? "" : " (" + ruleName + ")");
      if (refsOnly) {
        missingRefs.add(what + ": " + String.join("; ", details) + (replaced
            ? " (its matches answer 500)" : unresolvedOnly(rule.getValue()) ? " (that backend's share answers 500)"
            : " (its matches are not served)"));
      } else {
        invalidRules.add("Dropped " + what + ": " + String.join("; ", details)
            + (replaced ? " (its matches answer 500)" : " (its matches are not served)"));
      }
    }
    boolean allInvalid = ruleCount > 0 && invalidRules.size() == ruleCount;
    List<RouteParentStatus> parents = status instanceof HTTPRouteStatus h ? h.getParents()
        : status instanceof GRPCRouteStatus g ? g.getParents() : null;
    if (parents == null) {
      return;
    }
    List<RouteParentStatus> updated = new ArrayList<>();
    for (RouteParentStatus parent : parents) {
      if (!refersTo(parent.getParentRef(), gateway, route.namespace(), snapshot) || !isTrue(parent, "Accepted")) {
        updated.add(parent);
        continue;
      }
      List<Condition> conditions = new ArrayList<>(parent.getConditions());
      Long generation = conditions.isEmpty() ? null : conditions.get(0).getObservedGeneration();
      if (allInvalid) {
        conditions.removeIf(c -> c.getType().equals("PartiallyInvalid"));
        replace(conditions, new Condition(null, "all rules are invalid: " + String.join("; ", invalidRules),
            generation, "UnsupportedValue", "False", "Accepted"));
      } else if (!invalidRules.isEmpty()) {
        Condition existing = find(conditions, "PartiallyInvalid");
        String message = String.join("; ", invalidRules) + (existing == null ? "" : "; " + existing.getMessage());
        replace(conditions, new Condition(null, message, generation, "UnsupportedValue", "True", "PartiallyInvalid"));
      }
      if (!missingRefs.isEmpty()) {
        Condition existing = find(conditions, "ResolvedRefs");
        String message = String.join("; ", missingRefs)
            + (existing != null && "False".equals(existing.getStatus()) ? "; " + existing.getMessage() : "");
        String reason = existing != null && "False".equals(existing.getStatus()) ? existing.getReason()
            : "BackendNotFound";
        replace(conditions, new Condition(null, message, generation, reason, "False", "ResolvedRefs"));
      }
      updated.add(new RouteParentStatusBuilder(parent).withConditions(conditions).build());
    }
    statuses.put(route, status instanceof HTTPRouteStatus h
        ? new HTTPRouteStatusBuilder(h).withParents(updated).build()
        : new GRPCRouteStatusBuilder((GRPCRouteStatus) status).withParents(updated).build());
  }

  private static boolean unresolvedOnly(List<InvalidRoute> routes) {
    return routes.stream().allMatch(r -> r.outcome() == InvalidRoute.Outcome.UNRESOLVED);
  }

  /** Whether the parentRef names the Gateway, or a ListenerSet of that Gateway (whose listeners it serves). */
  private static boolean refersTo(ParentReference ref, ResourceKey gateway, String routeNamespace,
      ResourceSnapshot snapshot) {
    if (ref == null) {
      return false;
    }
    String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? routeNamespace : ref.getNamespace();
    if ("ListenerSet".equals(ref.getKind()) && "gateway.networking.k8s.io".equals(ref.getGroup())) {
      var parent = snapshot.get(io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet.class, ns, ref.getName())
          .map(ls -> ls.getSpec() == null ? null : ls.getSpec().getParentRef()).orElse(null);
      if (parent == null) {
        return false;
      }
      String parentNs = parent.getNamespace() == null || parent.getNamespace().isEmpty() ? ns : parent.getNamespace();
      return gateway.name().equals(parent.getName()) && gateway.namespace().equals(parentNs);
    }
    boolean gatewayKind = (ref.getKind() == null || ref.getKind().equals("Gateway"))
        && (ref.getGroup() == null || ref.getGroup().equals("gateway.networking.k8s.io"));
    return gatewayKind && gateway.name().equals(ref.getName()) && gateway.namespace().equals(ns);
  }

  private static boolean isTrue(RouteParentStatus parent, String type) {
    Condition c = find(parent.getConditions(), type);
    return c != null && "True".equals(c.getStatus());
  }

  private static Condition find(List<Condition> conditions, String type) {
    for (Condition c : conditions) {
      if (type.equals(c.getType())) {
        return c;
      }
    }
    return null;
  }

  /** Replaces the condition of the same type in place (keeping the order), or appends it. */
  private static void replace(List<Condition> conditions, Condition c) {
    for (int i = 0; i < conditions.size(); i++) {
      if (conditions.get(i).getType().equals(c.getType())) {
        conditions.set(i, c);
        return;
      }
    }
    conditions.add(c);
  }

  // ---- listeners

  /** Dropped listeners and route configurations as {@code Programmed=False} on the Gateway's listeners. */
  private static void listeners(StatusReport.Builder statuses, ResourceSnapshot snapshot, ResourceKey gateway,
      InvalidElements invalid) {
    Map<Integer, List<String>> byPort = new TreeMap<>();
    invalid.listeners().forEach((name, findings) -> {
      Integer port = port(name);
      if (port != null) {
        findings.forEach(f -> byPort.computeIfAbsent(port, p -> new ArrayList<>()).add(describe(f)));
      }
    });
    for (Finding f : invalid.others()) {
      Integer port = f.type().equals("RouteConfiguration") ? port(f.resourceName()) : null;
      if (port != null) {
        byPort.computeIfAbsent(port, p -> new ArrayList<>()).add(describe(f));
      }
    }
    Object status = statuses.get(gateway);
    Optional<Gateway> resource = snapshot.get(Gateway.class, gateway.namespace(), gateway.name());
    if (byPort.isEmpty() || !(status instanceof GatewayStatus gs) || resource.isEmpty()
        || resource.get().getSpec() == null || gs.getListeners() == null) {
      return;
    }
    Map<String, Integer> ports = new TreeMap<>();
    for (Listener l : resource.get().getSpec().getListeners()) {
      ports.put(l.getName(), l.getPort());
    }
    List<ListenerStatus> listeners = new ArrayList<>();
    for (ListenerStatus ls : gs.getListeners()) {
      List<String> problems = byPort.get(ports.get(ls.getName()));
      if (problems == null) {
        listeners.add(ls);
        continue;
      }
      List<Condition> conditions = new ArrayList<>(ls.getConditions());
      Long generation = conditions.isEmpty() ? null : conditions.get(0).getObservedGeneration();
      replace(conditions, new Condition(null, "Envoy would reject this port's configuration, not served: "
          + String.join("; ", problems), generation, "Invalid", "False", "Programmed"));
      listeners.add(new ListenerStatusBuilder(ls).withConditions(conditions).build());
    }
    statuses.put(gateway, new GatewayStatusBuilder(gs).withListeners(listeners).build());
  }

  private static String describe(Finding f) {
    return f.type() + " '" + f.resourceName() + "' " + f.violation();
  }

  /** The port of {@code http~<port>}, {@code https~<port>} or {@code https~<port>~<listener>}; else null. */
  static Integer port(String envoyName) {
    String[] parts = envoyName.split("~");
    if (parts.length < 2) {
      return null;
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
