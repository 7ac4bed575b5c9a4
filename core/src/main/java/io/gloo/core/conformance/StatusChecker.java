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
    switch (assertion) {
      case "InfrastructurePropagation" -> {
        out.add(CheckResult.needsDataPlane(test, "status", name,
            "labels/annotations on the generated proxy Deployment/Service/ServiceAccount"));
        return out;
      }
      case "WaitForGatewayAddress" -> {
        addressPart(key, s, name, out);
        generation(key, s, allConditions(key, false), diffs);
      }
      case "NamespacesMustBeReady" -> {
        namespaceReady(objectName, diffs);
        if (s.path("allPodsReady").asBoolean(false)) {
          out.add(CheckResult.needsDataPlane(test, "status", name + " (pods)", "pods must be running and Ready"));
        }
      }
      case "GenerationChanged" -> {
        Long before = generationsBeforeStep.get(key);
        Long after = observed.generations().get(key);
        if (after == null || after.equals(before)) {
          diffs.add("metadata.generation " + before + " -> " + after + ", want a change");
        }
      }
      case "GatewayMustHaveLatestConditions", "HTTPRouteMustHaveLatestConditions" ->
          generation(key, s, allConditions(key, true), diffs);
      case "GatewayMustHaveZeroRoutes" -> {
        JsonNode listeners = status(key, diffs).path("listeners");
        boolean ok = listeners.isEmpty()
            || (listeners.size() == 1 && listeners.get(0).path("attachedRoutes").asInt(-1) == 0);
        if (!ok) {
          diffs.add("status.listeners " + listeners + ", want none or one with attachedRoutes 0");
        }
        generation(key, s, allConditions(key, false), diffs);
      }
      case "HTTPRouteMustHaveNoAcceptedParents" -> {
        JsonNode parents = status(key, diffs).path("parents");
        if (!parents.isEmpty()) {
          if (parents.size() != 1) {
            diffs.add(parents.size() + " parents in status, want none or one not accepted");
          } else {
            conditions(parents.get(0).path("conditions"), s.path("conditions"), "parent", diffs);
            generation(key, s, parents.get(0).path("conditions"), diffs);
          }
        }
      }
      case "StatusAddresses" -> statusAddresses(key, s, diffs);
      case "BackendTLSPolicyMustHaveAcceptedConditionTrue" -> {
        JsonNode st = status(key, diffs);
        JsonNode ancestor = null;
        for (JsonNode a : st.path("ancestors")) {
          JsonNode ref = a.path("ancestorRef");
          if (ref.path("name").asString().equals(s.path("ancestor").path("name").asString())) {
            ancestor = a;
          }
        }
        if (ancestor == null) {
          if (!st.isMissingNode()) {
            diffs.add("no status.ancestors entry for Gateway " + s.path("ancestor").path("name").asString());
          }
        } else {
          conditions(ancestor.path("conditions"), s.path("conditions"), "ancestor", diffs);
          generation(key, s, ancestor.path("conditions"), diffs);
        }
      }
      default -> {
        if (kind.equals("Gateway")) {
          gateway(key, s, name, diffs, out);
        } else if (kind.equals("HTTPRoute") || kind.equals("GRPCRoute")) {
          route(key, s, diffs);
        } else {
          diffs.add("assertion " + assertion + " on " + kind + " is not known to the harness");
        }
      }
    }
    out.add(0, diffs.isEmpty() ? CheckResult.pass(test, "status", name, null)
        : CheckResult.fail(test, "status", name, String.join("; ", diffs)));
    return out;
  }

  /** GatewayMustHaveCondition, GatewayStatusMustHaveListeners, Gateway part of Gateway(AndHTTP)RoutesMustBeAccepted. */
  private void gateway(ResourceKey key, JsonNode s, String name, List<String> diffs, List<CheckResult> out) {
    JsonNode st = status(key, diffs);
    if (st.isMissingNode()) {
      return;
    }
    if (s.has("conditions")) {
      conditions(st.path("conditions"), s.path("conditions"), "Gateway", diffs);
    }
    if (s.has("listeners")) {
      listeners(st.path("listeners"), s.path("listeners"), s.path("listenersExact").asBoolean(false), diffs);
    }
    generation(key, s, st.path("conditions"), diffs);
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

  private void listeners(JsonNode actual, JsonNode want, boolean exact, List<String> diffs) {
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
        if (w.has("attachedRoutes") && l.path("attachedRoutes").asInt(-1) != w.path("attachedRoutes").asInt()) {
          diffs.add(where + " attachedRoutes " + l.path("attachedRoutes") + ", want " + w.path("attachedRoutes"));
        }
        if (w.has("supportedKinds")) {
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

  /** Route parent status assertions: the parent entry, its controllerName, its conditions. */
  private void route(ResourceKey key, JsonNode s, List<String> diffs) {
    JsonNode st = status(key, diffs);
    if (st.isMissingNode()) {
      return;
    }
    JsonNode want = s.path("parent");
    JsonNode parent = null;
    for (JsonNode p : st.path("parents")) {
      JsonNode ref = p.path("parentRef");
      String refNs = ref.path("namespace").asString(null);
      boolean matches = ref.path("name").asString().equals(want.path("name").asString())
          && (refNs == null ? !s.path("namespaceRequired").asBoolean(false)
              : refNs.equals(want.path("namespace").asString(refNs)))
          && (!want.hasNonNull("sectionName")
              || want.path("sectionName").asString().equals(ref.path("sectionName").asString(null)));
      if (matches) {
        parent = p;
        break;
      }
    }
    if (parent == null) {
      List<String> refs = new ArrayList<>();
      st.path("parents").forEach(p -> refs.add(p.path("parentRef").toString()));
      diffs.add("no status.parents entry for " + want + " (parents: " + refs + ")");
      return;
    }
    JsonNode ref = parent.path("parentRef");
    if (want.has("group") && !want.path("group").asString().equals(ref.path("group").asString(null))) {
      diffs.add("parentRef.group " + ref.path("group") + ", want it set to " + want.path("group").asString());
    }
    if (want.has("kind") && !want.path("kind").asString().equals(ref.path("kind").asString(null))) {
      diffs.add("parentRef.kind " + ref.path("kind") + ", want it set to " + want.path("kind").asString());
    }
    if (s.path("namespaceRequired").asBoolean(false) && !ref.hasNonNull("namespace")) {
      diffs.add("parentRef.namespace not set");
    }
    if (s.has("controllerName")) {
      String wantController = ConformanceSuite.fillPlaceholders(s.path("controllerName").asString());
      if (!wantController.equals(parent.path("controllerName").asString(null))) {
        diffs.add("controllerName " + parent.path("controllerName") + ", want " + wantController);
      }
    }
    conditions(parent.path("conditions"), s.path("conditions"), "parent " + want.path("name").asString(), diffs);
    generation(key, s, parent.path("conditions"), diffs);
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
  private void generation(ResourceKey key, JsonNode s, JsonNode conditions, List<String> diffs) {
    if (!s.path("latestObservedGeneration").asBoolean(false)) {
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

  /** The top-level conditions, and with {@code parents} true those of every route parent. */
  private JsonNode allConditions(ResourceKey key, boolean withParents) {
    JsonNode st = observed.statuses().getOrDefault(key, missing());
    tools.jackson.databind.node.ArrayNode all = tools.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    st.path("conditions").forEach(all::add);
    if (withParents) {
      st.path("parents").forEach(p -> p.path("conditions").forEach(all::add));
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

  private JsonNode status(ResourceKey key, List<String> diffs) {
    JsonNode st = observed.statuses().get(key);
    if (st == null) {
      diffs.add("no status for " + key + (observed.objects().containsKey(key) ? "" : " (object not applied)"));
      return missing();
    }
    return st;
  }

  private static JsonNode missing() {
    return tools.jackson.databind.node.MissingNode.getInstance();
  }
}
