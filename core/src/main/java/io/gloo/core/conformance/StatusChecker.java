package io.gloo.core.conformance;

import io.gloo.core.store.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Evaluates the status assertions of an expectation file (named after the Go helpers that make them) against the
 * statuses the translator computed, stamped by the Reporter. Generic over the JSON fields: {@code conditions},
 * {@code parent}, {@code listeners}, {@code listenersExact}, {@code latestObservedGeneration}, ...
 */
final class StatusChecker {

  private final String test;
  private final ConformanceWorld.Observed observed;
  private final Map<ResourceKey, Long> generationsBeforeStep;

  StatusChecker(String test, ConformanceWorld.Observed observed, Map<ResourceKey, Long> generationsBeforeStep) {
    this.test = test;
    this.observed = observed;
    this.generationsBeforeStep = generationsBeforeStep;
  }

  /** One or more results: parts that need a data plane (addresses, pods) are reported separately as skipped. */
  List<CheckResult> check(JsonNode s) {
    String assertion = s.path("assertion").asString();
    String kind = s.path("kind").asString();
    String ns = s.path("namespace").asString(null);
    String objectName = s.path("name").asString();
    String name = assertion + " " + kind + " " + (ns == null ? "" : ns + "/") + objectName
        + (s.has("subtest") ? " (" + s.path("subtest").asString() + ")" : "")
        + (s.hasNonNull("parent") ? " parent " + s.path("parent").path("name").asString()
            + (s.path("parent").hasNonNull("sectionName") ? "/" + s.path("parent").path("sectionName").asString()
                : "") : "");
    List<CheckResult> out = new ArrayList<>();
    List<String> diffs = new ArrayList<>();
    ResourceKey key = new ResourceKey(kind, ns, objectName);
    AssertionHelpers.Helper helper = AssertionHelpers.find(assertion).orElse(null);
    if (helper == null) {
      diffs.add("assertion " + assertion + " on " + kind + " is not known to the harness (known: the helpers of"
          + " conformance/utils/kubernetes, see AssertionHelpers)");
      out.add(CheckResult.fail(test, "status", name, String.join("; ", diffs)));
      return out;
    }
    boolean latest = helper.alwaysLatest() || s.path("latestObservedGeneration").asBoolean(false);
    JsonNode wanted = helper.conditions(s);
    RouteStatusChecks routes = new RouteStatusChecks(observed);
    switch (helper.check()) {
      case INFRASTRUCTURE_PROPAGATION -> InfrastructureCheck.check(observed.objects().get(key), s, diffs);
      case MESH_NAMESPACES_READY -> {
        out.add(CheckResult.needsDataPlane(test, "status", name, "pods must be running and Ready"));
        return out;
      }
      case GATEWAY_ADDRESS -> {
        addressPart(key, s, name, out);
        generation(key, latest, allConditions(key, false), diffs);
      }
      case NAMESPACES_READY -> {
        namespaceReady(objectName, diffs);
        if (s.path("allPodsReady").asBoolean(false)) {
          out.add(CheckResult.needsDataPlane(test, "status", name + " (pods)", "pods must be running and Ready"));
        }
      }
      case GENERATION_CHANGED -> {
        Long before = generationsBeforeStep.get(key);
        Long after = observed.generations().get(key);
        if (after == null || after.equals(before)) {
          diffs.add("metadata.generation " + before + " -> " + after + ", want a change");
        }
      }
      case LATEST_CONDITIONS -> generation(key, true, allConditions(key, true), diffs);
      case GATEWAY_CLASS_ACCEPTED -> {
        JsonNode st = status(key, diffs);
        conditions(st.path("conditions"), wanted, kind, diffs);
        generation(key, true, st.path("conditions"), diffs);
      }
      case OBJECT_CONDITIONS -> {
        if (kind.equals("Gateway")) {
          gateway(key, s, wanted, latest, name, diffs, out);
        } else {
          JsonNode st = status(key, diffs);
          conditions(st.path("conditions"), wanted, kind, diffs);
          generation(key, latest, st.path("conditions"), diffs);
        }
      }
      case ATTACHED_LISTENER_SETS -> {
        JsonNode st = status(key, diffs);
        int got = st.path("attachedListenerSets").asInt(0);
        if (!st.isMissingNode() && got != s.path("expectedCount").asInt(0)) {
          diffs.add("status.attachedListenerSets " + got + ", want " + s.path("expectedCount").asInt(0));
        }
        generation(key, true, st.path("conditions"), diffs);
      }
      case LISTENER_CONDITIONS -> listeners(status(key, diffs).path("listeners"), listenerWants(s, wanted), false,
          false, diffs);
      case STATUS_LISTENERS -> {
        listeners(status(key, diffs).path("listeners"), s.path("listeners"), true, true, diffs);
        generation(key, latest, allConditions(key, false), diffs);
      }
      case PARENT_AND_ROUTES_ACCEPTED -> {
        if (kind.equals("Gateway")) {
          gateway(key, s, s.path("conditions"), latest, name, diffs, out);
          if (!s.has("listeners")) {
            listeners(status(key, new ArrayList<>()).path("listeners"), listenerWants(s, readyListener()), false,
                false, diffs);
          }
        } else if (kind.equals("ListenerSet")) {
          listeners(status(key, diffs).path("listeners"), listenerWants(s, readyListener()), false, false, diffs);
        } else {
          routes.route(key, s, wanted, latest, diffs);
          generation(key, latest, routes.parentConditions(key, s), diffs);
        }
      }
      case ROUTE_CONDITION -> {
        routes.route(key, s, wanted, latest, diffs);
        generation(key, latest, routes.parentConditions(key, s), diffs);
      }
      case ROUTE_NO_ACCEPTED_PARENTS -> {
        JsonNode parents = observed.statuses().getOrDefault(key, missing()).path("parents");
        routes.noAcceptedParents(parents, wanted, diffs);
        if (parents.size() == 1) {
          generation(key, latest, parents.get(0).path("conditions"), diffs);
        }
      }
      case ROUTE_PARENTS -> routes.parents(status(key, diffs).path("parents"), s, diffs);
      case ZERO_ROUTES -> {
        JsonNode listeners = status(key, diffs).path("listeners");
        boolean ok = listeners.isEmpty()
            || (listeners.size() == 1 && listeners.get(0).path("attachedRoutes").asInt(-1) == 0);
        if (!ok) {
          diffs.add("status.listeners " + listeners + ", want none or one with attachedRoutes 0");
        }
        generation(key, latest, allConditions(key, false), diffs);
      }
      case STATUS_ADDRESSES -> statusAddresses(key, s, diffs);
      case POLICY_CONDITION -> {
        JsonNode st = status(key, diffs);
        JsonNode ancestor = routes.ancestor(st, s.path("ancestor"));
        if (ancestor == null) {
          if (!st.isMissingNode()) {
            diffs.add("no status.ancestors entry for Gateway " + s.path("ancestor").path("name").asString());
          }
        } else {
          conditions(ancestor.path("conditions"), wanted, "ancestor", diffs);
          generation(key, latest, ancestor.path("conditions"), diffs);
        }
      }
      default -> throw new IllegalStateException(helper.check().toString());
    }
    out.add(0, diffs.isEmpty() ? CheckResult.pass(test, "status", name, null)
        : CheckResult.fail(test, "status", name, String.join("; ", diffs)));
    return out;
  }

  /**
   * The listeners an expectation names with their conditions: its {@code listeners}, or {@code conditions} for the
   * listeners in {@code listenerNames} / {@code listenerName} (every listener when none is named).
   */
  private static JsonNode listenerWants(JsonNode s, JsonNode conditions) {
    if (s.has("listeners")) {
      return s.path("listeners");
    }
    List<String> names = new ArrayList<>();
    s.path("listenerNames").forEach(n -> names.add(n.asString()));
    if (s.hasNonNull("listenerName")) {
      names.add(s.path("listenerName").asString());
    }
    if (names.isEmpty()) {
      names.add("*");
    }
    tools.jackson.databind.node.ArrayNode out = tools.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    for (String n : names) {
      out.addObject().put("name", n).set("conditions", conditions);
    }
    return out;
  }

  /** What GatewayAndRoutesMustBeAccepted asks of every listener: ResolvedRefs, Accepted, Programmed True. */
  private static JsonNode readyListener() {
    tools.jackson.databind.node.ArrayNode a = tools.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    for (String type : List.of("ResolvedRefs", "Accepted", "Programmed")) {
      a.addObject().put("type", type).put("status", "True");
    }
    return a;
  }

  /** GatewayMustHaveCondition, GatewayStatusMustHaveListeners, Gateway part of Gateway(AndHTTP)RoutesMustBeAccepted. */
  private void gateway(ResourceKey key, JsonNode s, JsonNode wanted, boolean latest, String name,
      List<String> diffs, List<CheckResult> out) {
    JsonNode st = status(key, diffs);
    if (st.isMissingNode()) {
      return;
    }
    conditions(st.path("conditions"), wanted, "Gateway", diffs);
    if (s.has("listeners")) {
      listeners(st.path("listeners"), s.path("listeners"), s.path("listenersExact").asBoolean(false), false, diffs);
    }
    generation(key, latest, st.path("conditions"), diffs);
    if (s.path("addressAssigned").asBoolean(false)) {
      addressPart(key, s, name, out);
    }
  }

  private void addressPart(ResourceKey key, JsonNode s, String name, List<CheckResult> out) {
    JsonNode addresses = observed.statuses().getOrDefault(key, missing()).path("addresses");
    boolean typed = false;
    for (JsonNode a : addresses) {
      typed |= a.hasNonNull("type") && a.hasNonNull("value");
    }
    if (typed) {
      out.add(CheckResult.pass(test, "status", name + " (address)", null));
    } else {
      out.add(CheckResult.needsDataPlane(test, "status", name + " (address)",
          "status.addresses is filled from the proxy's Service once it is provisioned"));
    }
  }

  /**
   * Listener statuses against the wanted ones ({@code name} "*" for every listener). {@code strict} is
   * GatewayStatusMustHaveListeners: an expectation without {@code attachedRoutes} or {@code supportedKinds} means
   * 0 and none, as the Go struct's zero values do.
   */
  private void listeners(JsonNode actual, JsonNode want, boolean exact, boolean strict, List<String> diffs) {
    if (exact) {
      List<String> got = new ArrayList<>();
      actual.forEach(l -> got.add(l.path("name").asString()));
      List<String> wanted = new ArrayList<>();
      want.forEach(l -> wanted.add(l.path("name").asString()));
      if (!new java.util.HashSet<>(got).equals(new java.util.HashSet<>(wanted)) || got.size() != wanted.size()) {
        diffs.add("status.listeners " + got + ", want exactly " + wanted);
      }
    }
    for (JsonNode w : want) {
      String lname = w.path("name").asString();
      List<JsonNode> targets = new ArrayList<>();
      for (JsonNode l : actual) {
        if (lname.equals("*") || l.path("name").asString().equals(lname)) {
          targets.add(l);
        }
      }
      if (targets.isEmpty()) {
        diffs.add(lname.equals("*") ? "status.listeners is empty" : "no status for listener " + lname);
        continue;
      }
      for (JsonNode l : targets) {
        String where = "listener " + l.path("name").asString();
        conditions(l.path("conditions"), w.path("conditions"), where, diffs);
        if ((strict || w.has("attachedRoutes"))
            && l.path("attachedRoutes").asInt(-1) != w.path("attachedRoutes").asInt(0)) {
          diffs.add(where + " attachedRoutes " + l.path("attachedRoutes") + ", want " + w.path("attachedRoutes").asInt(0));
        }
        if (strict || w.has("supportedKinds")) {
          JsonNode kinds = l.path("supportedKinds");
          if (w.path("supportedKinds").isEmpty()) {
            if (!kinds.isEmpty()) {
              diffs.add(where + " supportedKinds " + kinds + ", want none");
            }
          } else {
            for (JsonNode k : w.path("supportedKinds")) {
              boolean found = false;
              for (JsonNode g : kinds) {
                found |= g.path("kind").asString().equals(k.path("kind").asString())
                    && g.path("group").asString("gateway.networking.k8s.io")
                        .equals(k.path("group").asString("gateway.networking.k8s.io"));
              }
              if (!found) {
                diffs.add(where + " supportedKinds " + kinds + " lacks " + k.path("kind").asString());
              }
            }
          }
        }
      }
    }
  }

  /** Every wanted {type, status, reason} is among the actual conditions (null status/reason = any). */
  static void conditions(JsonNode actual, JsonNode wanted, String where, List<String> diffs) {
    for (JsonNode w : wanted) {
      String type = w.path("type").asString();
      JsonNode got = null;
      for (JsonNode c : actual) {
        if (c.path("type").asString().equals(type)) {
          got = c;
        }
      }
      if (got == null) {
        diffs.add(where + ": no " + type + " condition");
        continue;
      }
      boolean statusOk = !w.hasNonNull("status") || w.path("status").asString().equals(got.path("status").asString());
      boolean reasonOk = !w.hasNonNull("reason") || w.path("reason").asString().equals(got.path("reason").asString());
      if (!statusOk || !reasonOk) {
        diffs.add(where + ": " + type + "=" + got.path("status").asString() + " (" + got.path("reason").asString()
            + (got.hasNonNull("message") ? ": " + got.path("message").asString() : "") + "), want "
            + (w.hasNonNull("status") ? w.path("status").asString() : "any") + " ("
            + (w.hasNonNull("reason") ? w.path("reason").asString() : "any reason") + ")");
      }
    }
  }

  /** latestObservedGeneration: every condition carries observedGeneration == metadata.generation. */
  private void generation(ResourceKey key, boolean latest, JsonNode conditions, List<String> diffs) {
    if (!latest) {
      return;
    }
    Long generation = observed.generations().get(key);
    if (conditions.isEmpty() && observed.statuses().containsKey(key)) {
      diffs.add("no conditions to carry observedGeneration " + generation);
    }
    for (JsonNode c : conditions) {
      long og = c.path("observedGeneration").asLong(-1);
      if (generation == null || og != generation) {
        diffs.add(c.path("type").asString() + " observedGeneration " + (og < 0 ? "unset" : og)
            + ", want metadata.generation " + generation);
      }
    }
  }

  /**
   * The top-level conditions, and with {@code nested} true those of every route parent and policy ancestor too.
   */
  private JsonNode allConditions(ResourceKey key, boolean nested) {
    JsonNode st = observed.statuses().getOrDefault(key, missing());
    tools.jackson.databind.node.ArrayNode all = tools.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    st.path("conditions").forEach(all::add);
    if (nested) {
      st.path("parents").forEach(p -> p.path("conditions").forEach(all::add));
      st.path("ancestors").forEach(p -> p.path("conditions").forEach(all::add));
    }
    return all;
  }

  /** Every Gateway in the namespace (but those marked to be skipped) Accepted and Programmed, latest generation. */
  private void namespaceReady(String namespace, List<String> diffs) {
    for (Map.Entry<ResourceKey, JsonNode> e : observed.objects().entrySet()) {
      ResourceKey k = e.getKey();
      if (!k.kind().equals("Gateway") || !namespace.equals(k.namespace())) {
        continue;
      }
      if ("true".equals(e.getValue().path("metadata").path("annotations")
          .path("gateway-api/skip-this-for-readiness").asString(null))) {
        continue;
      }
      JsonNode conditions = observed.statuses().getOrDefault(k, missing()).path("conditions");
      List<String> d = new ArrayList<>();
      conditions(conditions, readyConditions(), "Gateway " + k.name(), d);
      Long generation = observed.generations().get(k);
      for (JsonNode c : conditions) {
        if (c.path("observedGeneration").asLong(-1) != (generation == null ? -2 : generation)) {
          d.add("Gateway " + k.name() + " " + c.path("type").asString() + " not at latest generation");
        }
      }
      diffs.addAll(d);
    }
  }

  private static JsonNode readyConditions() {
    tools.jackson.databind.node.ArrayNode a = tools.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    a.addObject().put("type", "Accepted").put("status", "True");
    a.addObject().put("type", "Programmed").put("status", "True");
    return a;
  }

  private void statusAddresses(ResourceKey key, JsonNode s, List<String> diffs) {
    JsonNode addresses = status(key, diffs).path("addresses");
    List<String> values = new ArrayList<>();
    addresses.forEach(a -> values.add(a.path("value").asString()));
    if (s.has("statusAddressCount") && values.size() != s.path("statusAddressCount").asInt()) {
      diffs.add("status.addresses " + values + ", want " + s.path("statusAddressCount").asInt() + " address(es)");
    }
    for (JsonNode m : s.path("mustContain")) {
      String v = address(m.asString());
      if (!values.contains(v)) {
        diffs.add("status.addresses " + values + " lacks " + v);
      }
    }
    for (JsonNode m : s.path("mustNotContain")) {
      String v = address(m.asString());
      if (values.contains(v)) {
        diffs.add("status.addresses " + values + " contains " + v);
      }
    }
    if (s.path("usableAddressTypeMustMatch").asBoolean(false)) {
      for (JsonNode a : addresses) {
        if (a.path("value").asString().equals(ConformanceSuite.USABLE_ADDRESS)
            && !"IPAddress".equals(a.path("type").asString(null))) {
          diffs.add("address " + ConformanceSuite.USABLE_ADDRESS + " has type " + a.path("type") + ", want IPAddress");
        }
      }
    }
  }

  private static String address(String placeholder) {
    return placeholder.replace("{USABLE_ADDRESS}", ConformanceSuite.USABLE_ADDRESS)
        .replace("{UNUSABLE_ADDRESS}", ConformanceSuite.UNUSABLE_ADDRESS);
  }

  JsonNode status(ResourceKey key, List<String> diffs) {
    JsonNode st = observed.statuses().get(key);
    if (st == null) {
      diffs.add("no status for " + key + (observed.objects().containsKey(key) ? "" : " (object not applied)"));
      return missing();
    }
    return st;
  }

  static JsonNode missing() {
    return tools.jackson.databind.node.MissingNode.getInstance();
  }
}
