package io.gloo.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.ResourceKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every assertion helper of upstream {@code conformance/utils/kubernetes/helpers.go} (v1.6.1) is known to the
 * harness, and each one passes on statuses that satisfy it and fails on statuses that do not (hand-written statuses,
 * so that each check is tested apart from the translator).
 */
class AssertionHelpersTest {

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /**
   * The exported functions of helpers.go v1.6.1 that assert something ({@code grep '^func [A-Z]'} minus NewGatewayRef,
   * NewResourceRef, FilterStaleConditions, GetConfigMapData, Get*Condition, DeleteHTTPRoute, InstallGatewayV1 and
   * RouteTypeMustHaveParentsField, which build values or act).
   */
  static final List<String> UPSTREAM = List.of("GWCMustHaveAcceptedConditionTrue", "GWCMustHaveAcceptedConditionAny",
      "GatewayMustHaveLatestConditions", "GatewayClassMustHaveLatestConditions", "HTTPRouteMustHaveLatestConditions",
      "ConditionsHaveLatestObservedGeneration", "NamespacesMustBeReady", "GatewayMustHaveCondition",
      "GatewayMustHaveAttachedListeners", "ListenerSetMustHaveCondition", "MeshNamespacesMustBeReady",
      "GatewayAndRoutesMustBeAccepted", "GatewayAndHTTPRoutesMustBeAccepted", "GatewayAndUDPRoutesMustBeAccepted",
      "WaitForGatewayAddress", "GatewayListenersMustHaveConditions", "GatewayListenerMustHaveConditions",
      "GatewayMustHaveZeroRoutes", "HTTPRouteMustHaveNoAcceptedParents", "TLSRouteMustHaveNoAcceptedParents",
      "RouteMustHaveParents", "HTTPRouteMustHaveParents", "UDPRouteMustHaveParents", "TCPRouteMustHaveParents",
      "TCPRouteMustHaveCondition", "UDPRouteMustHaveCondition", "TCPRouteMustHaveNoAcceptedParents",
      "GatewayAndTCPRoutesMustBeAccepted", "TLSRouteMustHaveParents", "GatewayStatusMustHaveListeners",
      "ListenerSetStatusMustHaveListeners", "HTTPRouteMustHaveCondition", "UDPRouteMustHaveNoAcceptedParents",
      "HTTPRouteMustHaveResolvedRefsConditionsTrue", "HTTPRouteMustHaveResolvedRefsMustHaveBackendsNotFound",
      "HTTPRouteMustHaveRouteAcceptedConditionsTrue", "GatewayAndTLSRoutesMustBeAccepted", "TLSRouteMustHaveCondition",
      "RoutesAndParentMustBeAccepted", "ResourceListenersMustHaveConditions", "ListenerSetListenersMustHaveConditions",
      "TLSRouteMustHaveResolvedRefsConditionsTrue", "BackendTLSPolicyMustHaveCondition",
      "BackendTLSPolicyMustHaveAcceptedConditionTrue", "BackendTLSPolicyMustHaveLatestConditions",
      "HTTPRouteMustBeAcceptedAndResolved");

  @Test
  void everyUpstreamAssertionHelperIsKnown() {
    Set<String> missing = new TreeSet<>(UPSTREAM);
    missing.removeAll(AssertionHelpers.names());
    assertEquals(Set.of(), missing);
  }

  private static final String ROUTE_PARENT_OK = """
      {"parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw", "namespace": "ns"},
       "controllerName": "solo.io/gloo-gateway",
       "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "observedGeneration": 1},
                      {"type": "ResolvedRefs", "status": "True", "reason": "ResolvedRefs", "observedGeneration": 1}]}""";
  private static final String ROUTE_PARENT_BAD = """
      {"parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw", "namespace": "ns"},
       "controllerName": "solo.io/gloo-gateway",
       "conditions": [{"type": "Accepted", "status": "False", "reason": "NotAllowedByListeners", "observedGeneration": 1},
                      {"type": "ResolvedRefs", "status": "False", "reason": "BackendNotFound", "observedGeneration": 2}]}""";
  private static final String LISTENER = """
      {"name": "http", "attachedRoutes": 1,
       "supportedKinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}],
       "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "observedGeneration": 1},
                      {"type": "ResolvedRefs", "status": "True", "reason": "ResolvedRefs", "observedGeneration": 1},
                      {"type": "Programmed", "status": "True", "reason": "Programmed", "observedGeneration": 1}]}""";
  private static final String READY = """
      [{"type": "Accepted", "status": "True", "reason": "Accepted", "observedGeneration": 1},
       {"type": "Programmed", "status": "True", "reason": "Programmed", "observedGeneration": 1}]""";

  /** Statuses of a small world: good objects, and bad ones ({@code bad}, {@code stale}, ...) to fail against. */
  private static ConformanceWorld.Observed observed() {
    Map<ResourceKey, JsonNode> statuses = new HashMap<>();
    Map<ResourceKey, Long> generations = new HashMap<>();
    Map<ResourceKey, JsonNode> objects = new HashMap<>();
    put(statuses, generations, objects, "GatewayClass", null, "gc", 2, """
        {"conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "observedGeneration": 2}]}""");
    put(statuses, generations, objects, "GatewayClass", null, "rejected", 1, """
        {"conditions": [{"type": "Accepted", "status": "False", "reason": "InvalidParameters", "observedGeneration": 1}]}""");
    put(statuses, generations, objects, "GatewayClass", null, "stale", 3, """
        {"conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "observedGeneration": 2}]}""");
    put(statuses, generations, objects, "Gateway", "ns", "gw", 1, """
        {"conditions": %s, "listeners": [%s], "addresses": [{"type": "IPAddress", "value": "192.0.2.1"}]}"""
        .formatted(READY, LISTENER));
    put(statuses, generations, objects, "Gateway", "other", "broken", 2, """
        {"conditions": [{"type": "Accepted", "status": "False", "reason": "ListenersNotValid", "observedGeneration": 1}],
         "attachedListenerSets": 2,
         "listeners": [{"name": "a", "attachedRoutes": 3, "supportedKinds": [],
           "conditions": [{"type": "Accepted", "status": "False", "reason": "PortUnavailable", "observedGeneration": 1}]},
           {"name": "b", "attachedRoutes": 0, "supportedKinds": [], "conditions": []}]}""");
    put(statuses, generations, objects, "Gateway", "ns", "empty", 1, """
        {"conditions": %s, "listeners": [{"name": "http", "attachedRoutes": 0, "conditions": []}]}"""
        .formatted(READY));
    put(statuses, generations, objects, "ListenerSet", "ns", "ls", 1, """
        {"conditions": %s, "listeners": [%s]}""".formatted(READY, LISTENER));
    for (String kind : List.of("HTTPRoute", "TLSRoute", "TCPRoute", "UDPRoute")) {
      put(statuses, generations, objects, kind, "ns", "ok", 1, "{\"parents\": [" + ROUTE_PARENT_OK + "]}");
      put(statuses, generations, objects, kind, "ns", "bad", 2, "{\"parents\": [" + ROUTE_PARENT_BAD + "]}");
      put(statuses, generations, objects, kind, "ns", "none", 1, "{\"parents\": []}");
    }
    put(statuses, generations, objects, "BackendTLSPolicy", "ns", "p", 1, """
        {"ancestors": [{"ancestorRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw",
           "namespace": "ns"}, "controllerName": "solo.io/gloo-gateway",
           "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "observedGeneration": 1}]}]}""");
    put(statuses, generations, objects, "BackendTLSPolicy", "ns", "stale", 2, """
        {"ancestors": [{"ancestorRef": {"name": "gw", "namespace": "ns"},
           "conditions": [{"type": "Accepted", "status": "False", "reason": "Invalid", "observedGeneration": 1}]}]}""");
    return new ConformanceWorld.Observed(Map.of(), statuses, generations, objects, List.of());
  }

  private static void put(Map<ResourceKey, JsonNode> statuses, Map<ResourceKey, Long> generations,
      Map<ResourceKey, JsonNode> objects, String kind, String ns, String name, long generation, String status) {
    ResourceKey key = new ResourceKey(kind, ns, name);
    statuses.put(key, JSON.readTree(status));
    generations.put(key, generation);
    objects.put(key, JSON.readTree("{\"kind\": \"" + kind + "\", \"metadata\": {\"name\": \"" + name + "\"}}"));
  }

  private static final String PARENT = "\"parent\": {\"group\": \"gateway.networking.k8s.io\", \"kind\": \"Gateway\","
      + " \"namespace\": \"ns\", \"name\": \"gw\"}";
  private static final String LISTENERS_EXACT = "\"listeners\": [" + LISTENER.replace("\"observedGeneration\": 1", "\"x\": 0") + "]";

  /** helper → {expectation that passes, expectation that fails}; {@code %s} stands for the object's name. */
  private static Map<String, String[]> cases() {
    Map<String, String[]> c = new LinkedHashMap<>();
    c.put("GWCMustHaveAcceptedConditionTrue", pair("GatewayClass", null, "gc", "rejected", ""));
    c.put("GWCMustHaveAcceptedConditionAny", pair("GatewayClass", null, "rejected", "stale", ""));
    c.put("GatewayClassMustHaveLatestConditions", pair("GatewayClass", null, "gc", "stale", ""));
    c.put("ConditionsHaveLatestObservedGeneration", pair("GatewayClass", null, "rejected", "stale", ""));
    c.put("GatewayMustHaveLatestConditions", pair("Gateway", null, "ns/gw", "other/broken", ""));
    for (String kind : List.of("HTTP")) {
      c.put(kind + "RouteMustHaveLatestConditions", pair(kind + "Route", null, "ns/ok", "ns/bad", ""));
    }
    c.put("BackendTLSPolicyMustHaveLatestConditions", pair("BackendTLSPolicy", null, "ns/p", "ns/stale", ""));
    c.put("NamespacesMustBeReady", pair("Namespace", null, "ns", "other", ""));
    c.put("GatewayMustHaveCondition", pair("Gateway", null, "ns/gw", "other/broken",
        ", \"conditions\": [{\"type\": \"Programmed\", \"status\": \"True\", \"reason\": null}]"));
    c.put("ListenerSetMustHaveCondition", pair("ListenerSet", null, "ns/ls", "ns/missing",
        ", \"conditions\": [{\"type\": \"Accepted\", \"status\": \"True\"}]"));
    c.put("GatewayMustHaveAttachedListeners", pair("Gateway", null, "ns/gw", "other/broken", ", \"expectedCount\": 0"));
    for (String kind : List.of("", "HTTP", "UDP", "TCP", "TLS")) {
      String route = kind.isEmpty() ? "HTTPRoute" : kind + "Route";
      c.put("GatewayAnd" + kind + "RoutesMustBeAccepted", pair(route, null, "ns/ok", "ns/bad",
          ", " + PARENT + ", \"controllerName\": \"{CONTROLLER_NAME}\""));
    }
    c.put("RoutesAndParentMustBeAccepted", pair("Gateway", null, "ns/gw", "other/broken", ""));
    c.put("WaitForGatewayAddress", new String[] {exp("WaitForGatewayAddress", "Gateway", "ns/gw", ""), null});
    c.put("GatewayListenersMustHaveConditions", pair("Gateway", null, "ns/gw", "other/broken",
        ", \"conditions\": [{\"type\": \"Accepted\", \"status\": \"True\"}]"));
    c.put("GatewayListenerMustHaveConditions", pair("Gateway", null, "ns/gw", "other/broken",
        ", \"listenerName\": \"http\", \"conditions\": [{\"type\": \"Programmed\", \"status\": \"True\"}]"));
    c.put("ResourceListenersMustHaveConditions", pair("ListenerSet", null, "ns/ls", "other/broken",
        ", \"conditions\": [{\"type\": \"Accepted\", \"status\": \"True\"}]"));
    c.put("ListenerSetListenersMustHaveConditions", pair("ListenerSet", null, "ns/ls", "ns/missing",
        ", \"listenerNames\": [\"http\"], \"conditions\": [{\"type\": \"Accepted\", \"status\": \"True\"}]"));
    c.put("GatewayMustHaveZeroRoutes", pair("Gateway", null, "ns/empty", "other/broken", ""));
    for (String kind : List.of("HTTP", "TLS", "TCP", "UDP")) {
      c.put(kind + "RouteMustHaveNoAcceptedParents", pair(kind + "Route", null, "ns/bad", "ns/ok", ""));
      String parents = ", \"parents\": [" + ROUTE_PARENT_OK.replace("solo.io/gloo-gateway", "{CONTROLLER_NAME}") + "]";
      c.put(kind + "RouteMustHaveParents", pair(kind + "Route", null, "ns/ok", "ns/bad", parents));
      c.put(kind + "RouteMustHaveCondition", pair(kind + "Route", null, "ns/ok", "ns/bad",
          ", " + PARENT + ", \"conditions\": [{\"type\": \"Accepted\", \"status\": \"True\", \"reason\": \"Accepted\"}]"));
    }
    c.put("RouteMustHaveParents", pair("HTTPRoute", null, "ns/ok", "ns/none",
        ", \"parents\": [" + ROUTE_PARENT_OK + "], \"namespaceRequired\": true"));
    c.put("GatewayStatusMustHaveListeners", pair("Gateway", null, "ns/gw", "other/broken", ", " + LISTENERS_EXACT));
    c.put("ListenerSetStatusMustHaveListeners", pair("ListenerSet", null, "ns/ls", "other/broken",
        ", " + LISTENERS_EXACT));
    for (String name : List.of("HTTPRouteMustHaveResolvedRefsConditionsTrue", "TLSRouteMustHaveResolvedRefsConditionsTrue",
        "HTTPRouteMustHaveRouteAcceptedConditionsTrue", "HTTPRouteMustBeAcceptedAndResolved")) {
      c.put(name, pair(name.startsWith("TLS") ? "TLSRoute" : "HTTPRoute", null, "ns/ok", "ns/bad", ", " + PARENT));
    }
    c.put("HTTPRouteMustHaveResolvedRefsMustHaveBackendsNotFound", pair("HTTPRoute", null, "ns/bad", "ns/ok",
        ", " + PARENT));
    String ancestor = ", \"ancestor\": {\"namespace\": \"ns\", \"name\": \"gw\"}";
    c.put("BackendTLSPolicyMustHaveCondition", pair("BackendTLSPolicy", null, "ns/p", "ns/stale", ancestor
        + ", \"conditions\": [{\"type\": \"Accepted\", \"status\": \"True\", \"reason\": \"Accepted\"}]"));
    c.put("BackendTLSPolicyMustHaveAcceptedConditionTrue", pair("BackendTLSPolicy", null, "ns/p", "ns/stale",
        ancestor));
    return c;
  }

  private static String[] pair(String kind, String unused, String good, String bad, String extra) {
    return new String[] {null, null, kind, good, bad, extra};
  }

  private static String exp(String assertion, String kind, String nsName, String extra) {
    int slash = nsName.indexOf('/');
    String ns = slash < 0 ? "null" : "\"" + nsName.substring(0, slash) + "\"";
    String name = nsName.substring(slash + 1);
    return "{\"assertion\": \"" + assertion + "\", \"kind\": \"" + kind + "\", \"namespace\": " + ns
        + ", \"name\": \"" + name + "\"" + extra + "}";
  }

  private static List<CheckResult> run(String expectation) {
    Map<ResourceKey, Long> before = new HashMap<>();
    return new StatusChecker("t", observed(), before).check(JSON.readTree(expectation));
  }

  @Test
  void eachHelperPassesWhenSatisfiedAndFailsWhenNot() {
    Map<String, String[]> cases = cases();
    Set<String> untested = new TreeSet<>(UPSTREAM);
    untested.removeAll(cases.keySet());
    untested.remove("MeshNamespacesMustBeReady"); // pods only: always needs a data plane, tested below
    assertEquals(Set.of(), untested, "helpers without a case");
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, String[]> e : cases.entrySet()) {
      String[] c = e.getValue();
      String good = c.length == 6 ? exp(e.getKey(), c[2], c[3], c[5]) : c[0];
      String bad = c.length == 6 ? exp(e.getKey(), c[2], c[4], c[5]) : c[1];
      CheckResult pass = run(good).get(0);
      if (pass.verdict() != CheckResult.Verdict.PASS) {
        wrong.add(e.getKey() + " should pass: " + pass);
      }
      if (bad != null) {
        CheckResult fail = run(bad).get(0);
        if (fail.verdict() != CheckResult.Verdict.FAIL) {
          wrong.add(e.getKey() + " should fail: " + fail);
        }
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void dataPlaneOnlyHelpersAreSkippedNeverPassed() {
    List<CheckResult> mesh = run(exp("MeshNamespacesMustBeReady", "Namespace", "ns", ""));
    assertEquals(1, mesh.size());
    assertEquals(CheckResult.Verdict.SKIPPED, mesh.get(0).verdict());
    List<CheckResult> address = run(exp("WaitForGatewayAddress", "Gateway", "other/broken", ""));
    assertTrue(address.stream().anyMatch(r -> r.verdict() == CheckResult.Verdict.SKIPPED), address.toString());
  }

  @Test
  void anUnknownHelperFailsNamingIt() {
    CheckResult r = run(exp("GatewayMustFly", "Gateway", "ns/gw", "")).get(0);
    assertEquals(CheckResult.Verdict.FAIL, r.verdict());
    assertTrue(r.detail().contains("GatewayMustFly"), r.detail());
  }

  @Test
  void impliedConditionsApplyOnlyWhenTheExpectationHasNone() {
    // the helper implies ResolvedRefs True; an explicit expectation overrides it
    CheckResult explicit = run(exp("HTTPRouteMustHaveResolvedRefsConditionsTrue", "HTTPRoute", "ns/bad", ", " + PARENT
        + ", \"conditions\": [{\"type\": \"ResolvedRefs\", \"status\": \"False\", \"reason\": \"BackendNotFound\"}]"))
        .get(0);
    assertEquals(CheckResult.Verdict.PASS, explicit.verdict(), explicit.toString());
  }
}
