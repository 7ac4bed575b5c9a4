package io.gloo.core.conformance;

import io.gloo.core.store.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * The route and policy parts of the status assertions: a route's parent entry and its conditions
 * (*RouteMustHaveCondition, the route half of GatewayAnd*RoutesMustBeAccepted), the parent list
 * (*RouteMustHaveParents), *RouteMustHaveNoAcceptedParents, and a policy's ancestor entry. Route kinds are not
 * distinguished: HTTPRoute, GRPCRoute, TLSRoute, TCPRoute and UDPRoute statuses share {@code status.parents}.
 */
final class RouteStatusChecks {

  private final ConformanceWorld.Observed observed;

  RouteStatusChecks(ConformanceWorld.Observed observed) {
    this.observed = observed;
  }

  /** The status entry for the expectation's {@code parent}: name, namespace (when set) and sectionName (when set). */
  JsonNode parentEntry(JsonNode status, JsonNode s) {
    JsonNode want = s.path("parent");
    for (JsonNode p : status.path("parents")) {
      JsonNode ref = p.path("parentRef");
      String refNs = ref.path("namespace").asString(null);
      boolean matches = ref.path("name").asString().equals(want.path("name").asString())
          && (refNs == null ? !s.path("namespaceRequired").asBoolean(false)
              : refNs.equals(want.path("namespace").asString(refNs)))
          && (!want.hasNonNull("sectionName")
              || want.path("sectionName").asString().equals(ref.path("sectionName").asString(null)));
      if (matches) {
        return p;
      }
    }
    return null;
  }

  /** The conditions of the matching parent entry (for the generation check), or none. */
  JsonNode parentConditions(ResourceKey key, JsonNode s) {
    JsonNode p = parentEntry(observed.statuses().getOrDefault(key, StatusChecker.missing()), s);
    return p == null ? StatusChecker.missing() : p.path("conditions");
  }

  /** The parent entry exists, names group/kind/namespace as asked, has the controller and the conditions. */
  void route(ResourceKey key, JsonNode s, JsonNode wanted, boolean latest, List<String> diffs) {
    JsonNode st = observed.statuses().get(key);
    if (st == null) {
      diffs.add("no status for " + key + (observed.objects().containsKey(key) ? "" : " (object not applied)"));
      return;
    }
    JsonNode want = s.path("parent");
    JsonNode parent = parentEntry(st, s);
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
    StatusChecker.conditions(parent.path("conditions"), wanted, "parent " + want.path("name").asString(), diffs);
  }

  /** *RouteMustHaveNoAcceptedParents: no parent entry, or exactly one whose conditions match {@code wanted}. */
  void noAcceptedParents(JsonNode parents, JsonNode wanted, List<String> diffs) {
    if (parents.isEmpty()) {
      return;
    }
    if (parents.size() != 1) {
      diffs.add(parents.size() + " parents in status, want none or one not accepted");
      return;
    }
    StatusChecker.conditions(parents.get(0).path("conditions"), wanted, "parent", diffs);
  }

  /**
   * *RouteMustHaveParents (upstream {@code parentsForRouteMatch}): every expected entry of {@code parents} has an
   * actual entry with the same controllerName, parentRef group and kind (unset only matches unset), name, namespace
   * (an unset actual namespace matches unless {@code namespaceRequired}) and the expected conditions. sectionName is
   * not compared, as upstream.
   */
  void parents(JsonNode actual, JsonNode s, List<String> diffs) {
    boolean namespaceRequired = s.path("namespaceRequired").asBoolean(false);
    for (JsonNode e : s.path("parents")) {
      JsonNode eRef = e.path("parentRef");
      boolean matched = false;
      List<String> why = new ArrayList<>();
      for (JsonNode a : actual) {
        JsonNode aRef = a.path("parentRef");
        List<String> d = new ArrayList<>();
        if (!Objects.equals(ConformanceSuite.fillPlaceholders(e.path("controllerName").asString("")),
            a.path("controllerName").asString(""))) {
          d.add("controllerName " + a.path("controllerName"));
        }
        for (String field : List.of("group", "kind", "name")) {
          if (!Objects.equals(eRef.path(field).asString(null), aRef.path(field).asString(null))) {
            d.add("parentRef." + field + " " + aRef.path(field));
          }
        }
        String eNs = eRef.path("namespace").asString(null);
        String aNs = aRef.path("namespace").asString(null);
        if (!Objects.equals(eNs, aNs) && (namespaceRequired || aNs != null)) {
          d.add("parentRef.namespace " + aRef.path("namespace"));
        }
        StatusChecker.conditions(a.path("conditions"), e.path("conditions"), "parent", d);
        if (d.isEmpty()) {
          matched = true;
          break;
        }
        why.add(String.join(", ", d));
      }
      if (!matched) {
        diffs.add("no status.parents entry matches " + eRef + (why.isEmpty() ? " (no parents)" : " " + why));
      }
    }
  }

  /** A policy's ancestor entry for the Gateway {@code want} (name; namespace when both are set), or null. */
  JsonNode ancestor(JsonNode status, JsonNode want) {
    for (JsonNode a : status.path("ancestors")) {
      JsonNode ref = a.path("ancestorRef");
      String ns = ref.path("namespace").asString(null);
      if (ref.path("name").asString().equals(want.path("name").asString())
          && (ns == null || !want.hasNonNull("namespace") || ns.equals(want.path("namespace").asString()))) {
        return a;
      }
    }
    return null;
  }
}
