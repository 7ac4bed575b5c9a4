package io.gloo.core.conformance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Every assertion helper of the upstream suite's {@code conformance/utils/kubernetes} package (gateway-api v1.6.1,
 * {@code helpers.go}), by name, as the expectation files name them in {@code assertion}: what it checks
 * ({@link Check}) and the conditions it asserts on its own (the Go helper hard-codes them, so an expectation may
 * leave {@code conditions} out). Helpers that assert nothing (NewGatewayRef, GetConfigMapData, DeleteHTTPRoute, ...)
 * are not listed; {@code DeleteHTTPRoute} is the {@code delete} step. The harness's own checks (StatusAddresses,
 * GenerationChanged, InfrastructurePropagation) are listed too.
 */
final class AssertionHelpers {

  /** What a helper checks; the kind the Go helper reads is the expectation's {@code kind}. */
  enum Check {
    /** GatewayClass Accepted condition (with status, or any), every condition at the latest generation. */
    GATEWAY_CLASS_ACCEPTED,
    /** Every condition (top-level, route parents', policy ancestors') carries observedGeneration == generation. */
    LATEST_CONDITIONS,
    /** Every Gateway of the namespace Accepted and Programmed at the latest generation; pods Ready. */
    NAMESPACES_READY,
    /** Only pods Ready (mesh tests): nothing the translator decides. */
    MESH_NAMESPACES_READY,
    /** Top-level conditions of the object (Gateway, ListenerSet), its listeners when listed. */
    OBJECT_CONDITIONS,
    /** Gateway {@code status.attachedListenerSets} equals {@code expectedCount}. */
    ATTACHED_LISTENER_SETS,
    /** Every listener (or those named) has the conditions. */
    LISTENER_CONDITIONS,
    /** The status lists exactly these listeners, each with its kinds, attached routes and conditions. */
    STATUS_LISTENERS,
    /** Gateway (or ListenerSet) and its routes accepted: the parent's listeners ready, the route's parent entry. */
    PARENT_AND_ROUTES_ACCEPTED,
    /** The route's status entry for the parent has the conditions. */
    ROUTE_CONDITION,
    /** The route has no parent, or one that is not accepted. */
    ROUTE_NO_ACCEPTED_PARENTS,
    /** Every expected parent entry (parentRef, controllerName, conditions) is in the route's status. */
    ROUTE_PARENTS,
    /** The Gateway has an address in status. */
    GATEWAY_ADDRESS,
    /** No listener in status, or one with no attached route. */
    ZERO_ROUTES,
    /** The policy's ancestor entry for the Gateway has the conditions. */
    POLICY_CONDITION,
    /** status.addresses holds / lacks given addresses (harness check of GatewayStaticAddresses). */
    STATUS_ADDRESSES,
    /** metadata.generation changed in the last step. */
    GENERATION_CHANGED,
    /** Labels and annotations on the generated proxy resources (needs a data plane). */
    INFRASTRUCTURE_PROPAGATION
  }

  /** One helper: what it checks, the conditions it implies, and whether it always wants the latest generation. */
  record Helper(String name, Check check, List<String[]> impliedConditions, boolean alwaysLatest) {
    /** The expectation's {@code conditions}, or the ones the Go helper hard-codes. */
    JsonNode conditions(JsonNode expectation) {
      if (expectation.has("conditions") || impliedConditions.isEmpty()) {
        return expectation.path("conditions");
      }
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      for (String[] c : impliedConditions) {
        a.addObject().put("type", c[0]).put("status", c[1]).put("reason", c[2]);
      }
      return a;
    }
  }

  private static final Map<String, Helper> HELPERS = new LinkedHashMap<>();

  private static void add(String name, Check check, boolean alwaysLatest, String[]... conditions) {
    HELPERS.put(name, new Helper(name, check, List.of(conditions), alwaysLatest));
  }

  private static String[] c(String type, String status, String reason) {
    return new String[] {type, status, reason};
  }

  static {
    add("GWCMustHaveAcceptedConditionTrue", Check.GATEWAY_CLASS_ACCEPTED, true, c("Accepted", "True", null));
    add("GWCMustHaveAcceptedConditionAny", Check.GATEWAY_CLASS_ACCEPTED, true, c("Accepted", null, null));
    add("GatewayMustHaveLatestConditions", Check.LATEST_CONDITIONS, true);
    add("GatewayClassMustHaveLatestConditions", Check.LATEST_CONDITIONS, true);
    add("HTTPRouteMustHaveLatestConditions", Check.LATEST_CONDITIONS, true);
    add("BackendTLSPolicyMustHaveLatestConditions", Check.LATEST_CONDITIONS, true);
    add("ConditionsHaveLatestObservedGeneration", Check.LATEST_CONDITIONS, true);
    add("NamespacesMustBeReady", Check.NAMESPACES_READY, true);
    add("MeshNamespacesMustBeReady", Check.MESH_NAMESPACES_READY, false);
    add("GatewayMustHaveCondition", Check.OBJECT_CONDITIONS, true);
    add("ListenerSetMustHaveCondition", Check.OBJECT_CONDITIONS, true);
    add("GatewayMustHaveAttachedListeners", Check.ATTACHED_LISTENER_SETS, true);
    for (String kind : List.of("", "HTTP", "UDP", "TCP", "TLS")) {
      add("GatewayAnd" + kind + "RoutesMustBeAccepted", Check.PARENT_AND_ROUTES_ACCEPTED, false,
          c("Accepted", "True", "Accepted"));
    }
    add("RoutesAndParentMustBeAccepted", Check.PARENT_AND_ROUTES_ACCEPTED, false, c("Accepted", "True", "Accepted"));
    add("WaitForGatewayAddress", Check.GATEWAY_ADDRESS, false);
    add("GatewayListenersMustHaveConditions", Check.LISTENER_CONDITIONS, false);
    add("GatewayListenerMustHaveConditions", Check.LISTENER_CONDITIONS, false);
    add("ResourceListenersMustHaveConditions", Check.LISTENER_CONDITIONS, false);
    add("ListenerSetListenersMustHaveConditions", Check.LISTENER_CONDITIONS, false);
    add("GatewayMustHaveZeroRoutes", Check.ZERO_ROUTES, false);
    for (String kind : List.of("HTTP", "TLS", "TCP", "UDP")) {
      add(kind + "RouteMustHaveNoAcceptedParents", Check.ROUTE_NO_ACCEPTED_PARENTS, false,
          c("Accepted", "False", null));
      add(kind + "RouteMustHaveParents", Check.ROUTE_PARENTS, false);
      add(kind + "RouteMustHaveCondition", Check.ROUTE_CONDITION, false);
    }
    add("RouteMustHaveParents", Check.ROUTE_PARENTS, false);
    add("GatewayStatusMustHaveListeners", Check.STATUS_LISTENERS, false);
    add("ListenerSetStatusMustHaveListeners", Check.STATUS_LISTENERS, false);
    add("HTTPRouteMustHaveResolvedRefsConditionsTrue", Check.ROUTE_CONDITION, false,
        c("ResolvedRefs", "True", "ResolvedRefs"));
    add("TLSRouteMustHaveResolvedRefsConditionsTrue", Check.ROUTE_CONDITION, false,
        c("ResolvedRefs", "True", "ResolvedRefs"));
    add("HTTPRouteMustHaveResolvedRefsMustHaveBackendsNotFound", Check.ROUTE_CONDITION, false,
        c("ResolvedRefs", "False", "BackendNotFound"));
    add("HTTPRouteMustHaveRouteAcceptedConditionsTrue", Check.ROUTE_CONDITION, false,
        c("Accepted", "True", "Accepted"));
    add("HTTPRouteMustBeAcceptedAndResolved", Check.ROUTE_CONDITION, false,
        c("Accepted", "True", "Accepted"), c("ResolvedRefs", "True", "ResolvedRefs"));
    add("BackendTLSPolicyMustHaveCondition", Check.POLICY_CONDITION, false);
    add("BackendTLSPolicyMustHaveAcceptedConditionTrue", Check.POLICY_CONDITION, false,
        c("Accepted", "True", "Accepted"));
    add("StatusAddresses", Check.STATUS_ADDRESSES, false);
    add("GenerationChanged", Check.GENERATION_CHANGED, false);
    add("InfrastructurePropagation", Check.INFRASTRUCTURE_PROPAGATION, false);
  }

  private AssertionHelpers() {}

  static Optional<Helper> find(String name) {
    return Optional.ofNullable(HELPERS.get(name));
  }

  /** Every helper name the harness knows. */
  static List<String> names() {
    return List.copyOf(HELPERS.keySet());
  }
}
