package io.gloo.core.convert;

import static io.gloo.core.convert.EdgeConversion.GATEWAY_API;
import static io.gloo.core.convert.EdgeConversion.MAPPER;
import static io.gloo.core.convert.EdgeConversion.dnsName;
import static io.gloo.core.convert.EdgeConversion.present;
import static io.gloo.core.convert.EdgeConversion.text;

import io.gloo.core.translate.edge.EdgeSelectors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Edge routes to HTTPRoute rules, one rule per route in the same order: matchers to matches ({@link Matches}),
 * routeAction to backendRefs (UpstreamGroups inlined), redirectAction to a RequestRedirect filter,
 * directResponseAction to Gloo Gateway's DirectResponse (ExtensionRef), delegateAction to HTTPRoute backendRefs
 * naming the RouteTables' child HTTPRoutes (Gloo 1.17+ delegation; a selector is resolved here, as the Edge
 * translator resolves it), {@code options} to a RouteOption targeting the rule by name. Not thread-safe.
 */
final class RouteRules {

  private static final Set<String> ROUTE_FIELDS = Set.of("matchers", "routeAction", "redirectAction",
      "directResponseAction", "delegateAction", "options", "optionsConfigRefs", "name", "inheritableMatchers",
      "inheritablePathMatchers");

  /** Option fields that guard traffic: the Edge translator fails closed on them without a plugin. */
  private static final Set<String> GUARDING = Set.of("extauth", "rbac", "waf", "jwt", "jwtStaged", "ratelimit",
      "rateLimitConfigs", "ratelimitBasic");

  private final EdgeConversion c;
  /** RouteTable key → the parent matcher its matches inherit (inheritableMatchers on a delegating route). */
  private final Map<String, JsonNode> inherited = new HashMap<>();
  private final Set<String> virtualServiceKeys = new HashSet<>();
  /** RouteTables below a delegating route that rewrites the prefix (their routes inherit the prefixRewrite). */
  private final Set<String> rewritingTables = new HashSet<>();

  RouteRules(EdgeConversion conversion) {
    this.c = conversion;
  }

  /** Records which VirtualServices exist (an HTTPRoute of a RouteTable must not take the name of one). */
  void virtualService(String key) {
    virtualServiceKeys.add(key);
  }

  /** The child HTTPRoute of each RouteTable, in input order. */
  List<ObjectNode> childRoutes() {
    // a table's matches inherit from a delegating route of another table too: record those before converting any
    for (JsonNode rt : c.routeTables.values()) {
      String ns = text(rt.path("metadata"), "namespace");
      for (JsonNode route : rt.path("spec").path("routes")) {
        if (route.path("inheritableMatchers").asBoolean(false) && present(route, "delegateAction")) {
          selectTables("", "", ns, route.path("delegateAction"))
              .forEach(k -> inherited.putIfAbsent(k, route.path("matchers").path(0)));
        }
      }
    }
    // and which tables inherit a prefixRewrite, through any depth of delegation
    boolean grew = true;
    while (grew) {
      grew = false;
      for (JsonNode rt : c.routeTables.values()) {
        boolean rewriting = rewritingTables.contains(EdgeConversion.key(rt));
        for (JsonNode route : rt.path("spec").path("routes")) {
          String ns = text(rt.path("metadata"), "namespace");
          if (present(route, "delegateAction") && (rewriting || rewrites(route, ns))) {
            grew |= rewritingTables.addAll(selectTables("", "", ns, route.path("delegateAction")));
          }
        }
      }
    }
    List<ObjectNode> out = new ArrayList<>();
    List<JsonNode> tables = new ArrayList<>(c.routeTables.values());
    tables.sort(java.util.Comparator.comparing(EdgeConversion::key));
    for (JsonNode rt : tables) {
      String ns = text(rt.path("metadata"), "namespace");
      String name = childName(EdgeConversion.key(rt));
      ObjectNode route = EdgeConversion.object("HTTPRoute", ns, name);
      String describe = EdgeConversion.describe(route);
      String source = "RouteTable " + EdgeConversion.key(rt);
      if (!name.equals(text(rt.path("metadata"), "name"))) {
        c.notes.add(describe, source + ": renamed, a VirtualService has its name");
      }
      if (!EdgeConversion.labels(rt).isEmpty()) {
        ((ObjectNode) route.get("metadata")).set("labels", rt.path("metadata").path("labels").deepCopy());
      }
      if (present(rt.path("spec"), "weight")) {
        c.notes.add(describe, source + ": weight " + rt.path("spec").path("weight") + " orders this table's routes"
            + " in Gloo Edge; Gateway API orders delegated rules by match precedence instead");
      }
      route.putObject("spec").set("rules", rules(source, describe, ns, name, rt.path("spec").path("routes"),
          inherited.get(EdgeConversion.key(rt))));
      out.add(route);
    }
    return out;
  }

  /** Whether the route rewrites its matched prefix (its options, with those it delegates to, or its redirect). */
  private boolean rewrites(JsonNode route, String ns) {
    return present(c.delegatedOptions.merged("", null, "RouteOption", ns, route.path("options"),
        route.path("optionsConfigRefs")), "prefixRewrite") || present(route.path("redirectAction"), "prefixRewrite");
  }

  /** Why the route's prefix matchers stay PathPrefix ({@link Matches}), or null. */
  private Matches.KeepPrefix keepPrefix(JsonNode route, String ns, boolean inheritsRewrite) {
    if (present(route, "delegateAction")) {
      return Matches.KeepPrefix.DELEGATING;
    }
    return inheritsRewrite || rewrites(route, ns) ? Matches.KeepPrefix.PREFIX_REWRITE : null;
  }

  private String childName(String key) {
    String name = key.substring(key.indexOf('/') + 1);
    return virtualServiceKeys.contains(key) ? name + "-routetable" : name;
  }

  /**
   * The rules of an HTTPRoute.
   *
   * @param source the Edge resource, for notes
   * @param out the output resource, where notes are printed
   * @param inherit the delegating parent's matcher whose headers, query parameters and methods every match adds, or
   *     null
   */
  ArrayNode rules(String source, String out, String ns, String routeName, JsonNode routes, JsonNode inherit) {
    ArrayNode rules = MAPPER.createArrayNode();
    Set<String> names = new HashSet<>();
    boolean child = source.startsWith("RouteTable ");
    boolean rewriting = child && rewritingTables.contains(source.substring("RouteTable ".length()));
    Matches matches = new Matches(c.notes, out, child);
    for (int i = 0; i < routes.size(); i++) {
      JsonNode route = routes.get(i);
      String where = source + " route " + i;
      String ruleName = dnsName(text(route, "name") == null ? "route-" + i : text(route, "name"));
      if (!names.add(ruleName)) {
        ruleName = ruleName + "-" + i;
        names.add(ruleName);
      }
      route.properties().forEach(e -> {
        if (!ROUTE_FIELDS.contains(e.getKey())) {
          c.notes.add(out, where + ": " + e.getKey() + " is not converted; dropped");
        }
      });
      if (!present(route, "routeAction") && !present(route, "redirectAction")
          && !present(route, "directResponseAction") && !present(route, "delegateAction")) {
        c.notes.add(out, where + ": no action (Gloo rejects the route); no rule");
        continue;
      }
      ObjectNode rule = rules.addObject().put("name", ruleName);
      ObjectNode options = c.delegatedOptions.merged(where, out, "RouteOption", ns, route.path("options"),
          route.path("optionsConfigRefs"));
      boolean regexRewrite = !rewriting && PrefixRewrites.asRegexRewrite(route, options);
      ArrayNode ms = matches.of(where, route.path("matchers"), inherit,
          regexRewrite ? null : keepPrefix(route, ns, rewriting));
      rule.set("matches", ms);
      if (present(route, "routeAction")) {
        ArrayNode refs = backendRefs(where, out, ns, route.path("routeAction"));
        if (!refs.isEmpty()) {
          rule.set("backendRefs", refs);
        }
      } else if (present(route, "redirectAction")) {
        rule.putArray("filters").add(redirect(where, out, route.path("redirectAction"), ms));
      } else if (present(route, "directResponseAction")) {
        rule.putArray("filters").add(directResponse(where, out, ns, routeName, ruleName,
            route.path("directResponseAction")));
      } else if (present(route, "delegateAction")) {
        rule.set("backendRefs", delegate(where, out, ns, route));
      }
      if (!options.isEmpty()) {
        options.propertyNames().forEach(f -> {
          if (GUARDING.contains(f)) {
            c.notes.add(out, where + ": options." + f + " became a RouteOption, served only with the routeoption"
                + " plugin: without it the rule is not guarded (Gloo Edge fails closed instead)");
          }
        });
        routeOption(ns, routeName, ruleName, options);
      }
    }
    shadowed(source, out, routes);
    return rules;
  }

  /**
   * Gloo Edge matches routes in declaration order, Gateway API by precedence (exact first, then longer prefixes): a
   * route after a plain prefix route that already covers its path is never reached in Edge but is in the conversion.
   */
  private void shadowed(String source, String out, JsonNode routes) {
    for (int j = 0; j < routes.size(); j++) {
      for (JsonNode mj : routes.get(j).path("matchers")) {
        String pj = present(mj, "exact") ? text(mj, "exact") : text(mj, "prefix");
        if (pj == null) {
          continue;
        }
        for (int i = 0; i < j; i++) {
          for (JsonNode mi : routes.get(i).path("matchers")) {
            String pi = text(mi, "prefix");
            boolean plain = pi != null && mi.path("headers").isEmpty() && mi.path("queryParameters").isEmpty()
                && mi.path("methods").isEmpty() && mi.path("caseSensitive").asBoolean(true);
            if (plain && pj.startsWith(pi) && (present(mj, "exact") || pj.length() > pi.length())) {
              c.notes.add(out, source + " route " + j + ": path " + pj + " is already matched by route " + i
                  + " (prefix " + pi + "), so Gloo Edge never serves it there; Gateway API orders rules by"
                  + " precedence and serves it first");
            }
          }
        }
      }
    }
  }

  // ---- routeAction ----------------------------------------------------------------------------------------------

  private ArrayNode backendRefs(String where, String out, String ns, JsonNode action) {
    ArrayNode refs = MAPPER.createArrayNode();
    if (present(action, "single")) {
      destination(where, out, ns, action.path("single"), null, refs);
    } else if (present(action, "multi")) {
      weighted(where, out, ns, action.path("multi").path("destinations"), refs);
    } else if (present(action, "upstreamGroup")) {
      JsonNode ref = action.path("upstreamGroup");
      String key = (text(ref, "namespace") == null ? ns : text(ref, "namespace")) + "/" + text(ref, "name");
      JsonNode ug = c.upstreamGroups.get(key);
      if (ug == null) {
        c.notes.add(out, where + ": UpstreamGroup " + key + " not found; the rule has no backendRefs (answers 500)");
      } else {
        weighted(where + " (UpstreamGroup " + key + ")", out, ns, ug.path("spec").path("destinations"), refs);
      }
    } else {
      c.notes.add(out, where + ": routeAction " + action.propertyNames() + " is not converted; the rule has no"
          + " backendRefs (answers 500)");
    }
    return refs;
  }

  private void weighted(String where, String out, String ns, JsonNode destinations, ArrayNode refs) {
    for (JsonNode d : destinations) {
      int before = refs.size();
      destination(where, out, ns, d.path("destination"), d.path("weight").asInt(0), refs);
      if (present(d, "options") && refs.size() > before) {
        DestinationHeaders.apply(where, out, d.path("options"), (ObjectNode) refs.get(before), c.notes);
      }
    }
  }

  private void destination(String where, String out, String ns, JsonNode dest, Integer weight, ArrayNode refs) {
    ObjectNode ref;
    if (present(dest, "kube")) {
      JsonNode kube = dest.path("kube");
      String target = text(kube.path("ref"), "namespace") == null ? ns : text(kube.path("ref"), "namespace");
      ref = MAPPER.createObjectNode().put("name", text(kube.path("ref"), "name"));
      namespaced(ref, ns, target, "", "Service");
      if (present(kube, "port")) {
        ref.put("port", kube.path("port").asInt());
      }
    } else if (present(dest, "upstream")) {
      JsonNode up = dest.path("upstream");
      String target = text(up, "namespace") == null ? ns : text(up, "namespace");
      ref = MAPPER.createObjectNode().put("group", "gloo.solo.io").put("kind", "Upstream").put("name",
          text(up, "name"));
      namespaced(ref, ns, target, "gloo.solo.io", "Upstream");
    } else {
      c.notes.add(out, where + ": destination " + dest.propertyNames() + " has no backendRef form; dropped");
      return;
    }
    for (String field : List.of("destinationSpec", "subset")) {
      if (present(dest, field)) {
        c.notes.add(out, where + ": destination " + field + " is not converted; dropped");
      }
    }
    if (weight != null) {
      ref.put("weight", weight);
    }
    refs.add(ref);
  }

  private void namespaced(ObjectNode ref, String from, String target, String group, String kind) {
    if (!target.equals(from)) {
      ref.put("namespace", target);
      c.grant(target, "HTTPRoute", from, group, kind);
    }
  }

  // ---- redirect and direct response -----------------------------------------------------------------------------

  private ObjectNode redirect(String where, String out, JsonNode r, ArrayNode matches) {
    ObjectNode filter = MAPPER.createObjectNode().put("type", "RequestRedirect");
    ObjectNode rr = filter.putObject("requestRedirect");
    if (r.path("httpsRedirect").asBoolean(false)) {
      rr.put("scheme", "https");
    }
    if (present(r, "hostRedirect")) {
      rr.put("hostname", text(r, "hostRedirect"));
    }
    if (present(r, "portRedirect")) {
      rr.put("port", r.path("portRedirect").asInt());
    }
    if (present(r, "pathRedirect")) {
      rr.putObject("path").put("type", "ReplaceFullPath").put("replaceFullPath", text(r, "pathRedirect"));
    } else if (present(r, "prefixRewrite")) {
      boolean prefixes = true;
      for (JsonNode m : matches) {
        prefixes &= "PathPrefix".equals(text(m.path("path"), "type"));
      }
      if (prefixes) {
        rr.putObject("path").put("type", "ReplacePrefixMatch").put("replacePrefixMatch", text(r, "prefixRewrite"));
      } else {
        c.notes.add(out, where + ": redirectAction.prefixRewrite needs PathPrefix matches in Gateway API; dropped");
      }
    }
    if (present(r, "regexRewrite")) {
      c.notes.add(out, where + ": redirectAction.regexRewrite has no Gateway API equivalent; dropped");
    }
    if (r.path("stripQuery").asBoolean(false)) {
      c.notes.add(out, where + ": redirectAction.stripQuery has no Gateway API equivalent; dropped");
    }
    rr.put("statusCode", switch (text(r, "responseCode") == null ? "MOVED_PERMANENTLY" : text(r, "responseCode")) {
      case "FOUND" -> 302;
      case "SEE_OTHER" -> 303;
      case "TEMPORARY_REDIRECT" -> 307;
      case "PERMANENT_REDIRECT" -> 308;
      default -> 301;
    });
    return filter;
  }

  /**
   * A directResponseAction as Gloo Gateway's DirectResponse (served by this control plane as by Gloo Gateway) named
   * by the rule's ExtensionRef filter: same status, same body.
   */
  private ObjectNode directResponse(String where, String out, String ns, String routeName, String ruleName,
      JsonNode action) {
    String name = dnsName(routeName + "-" + ruleName);
    ObjectNode dr = MAPPER.createObjectNode().put("apiVersion", "gateway.gloo.solo.io/v1alpha1")
        .put("kind", "DirectResponse");
    dr.putObject("metadata").put("name", name).put("namespace", ns);
    ObjectNode spec = dr.putObject("spec");
    if (present(action, "status")) {
      spec.set("status", action.get("status").deepCopy());
    } else {
      c.notes.add(out, where + ": directResponseAction without status (Gloo rejects the route); the DirectResponse"
          + " has none either, so the rule answers 500");
    }
    if (present(action, "body")) {
      spec.put("body", text(action, "body"));
    }
    c.extra.add(dr);
    ObjectNode filter = MAPPER.createObjectNode().put("type", "ExtensionRef");
    filter.putObject("extensionRef").put("group", "gateway.gloo.solo.io").put("kind", "DirectResponse")
        .put("name", name);
    return filter;
  }

  // ---- delegation -----------------------------------------------------------------------------------------------

  private ArrayNode delegate(String where, String out, String ns, JsonNode route) {
    JsonNode action = route.path("delegateAction");
    ArrayNode refs = MAPPER.createArrayNode();
    List<String> tables = selectTables(where, out, ns, action);
    if (tables.isEmpty()) {
      c.notes.add(out, where + ": delegateAction selects no RouteTable; the rule has no backendRefs (answers 500)");
    }
    if (rewrites(route, ns)) {
      rewritingTables.addAll(tables);
    }
    boolean inherit = route.path("inheritableMatchers").asBoolean(false);
    if (route.path("inheritablePathMatchers").asBoolean(false)) {
      c.notes.add(out, where + ": inheritablePathMatchers is not converted (children keep their own paths)");
    }
    for (String key : tables) {
      ObjectNode ref = refs.addObject().put("group", GATEWAY_API).put("kind", "HTTPRoute")
          .put("name", childName(key));
      String target = key.substring(0, key.indexOf('/'));
      if (!target.equals(ns)) {
        ref.put("namespace", target);
      }
      if (inherit) {
        if (route.path("matchers").size() > 1) {
          c.notes.add(out, where + ": inheritableMatchers with several matchers: the children inherit the first");
        }
        inherited.put(key, route.path("matchers").path(0));
      }
    }
    return refs;
  }

  /** The RouteTables a delegateAction selects, lowest weight first, as the Edge translator selects them. */
  private List<String> selectTables(String where, String out, String ns, JsonNode action) {
    if (!present(action, "selector")) {
      JsonNode ref = present(action, "ref") ? action.path("ref") : action;
      String key = (text(ref, "namespace") == null ? ns : text(ref, "namespace")) + "/" + text(ref, "name");
      if (!c.routeTables.containsKey(key)) {
        if (!out.isEmpty()) {
          c.notes.add(out, where + ": RouteTable " + key + " not found");
        }
        return List.of();
      }
      return List.of(key);
    }
    JsonNode selector = action.path("selector");
    JsonNode labels = selector.path("labels");
    JsonNode expressions = selector.path("expressions");
    if (labels.size() > 0 && expressions.size() > 0) {
      return List.of();
    }
    Map<Integer, List<String>> byWeight = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : c.routeTables.entrySet()) {
      String tableNs = e.getKey().substring(0, e.getKey().indexOf('/'));
      if (!EdgeSelectors.namespaceMatches(selector.get("namespaces"), tableNs, ns)) {
        continue;
      }
      Map<String, String> tableLabels = EdgeConversion.labels(e.getValue());
      boolean matches = expressions.size() > 0 ? EdgeSelectors.expressionsMatch(expressions, tableLabels) == null
          : EdgeSelectors.labelsMatch(labels, tableLabels);
      if (matches) {
        byWeight.computeIfAbsent(e.getValue().path("spec").path("weight").asInt(0), w -> new ArrayList<>())
            .add(e.getKey());
      }
    }
    List<String> out2 = new ArrayList<>();
    byWeight.values().forEach(out2::addAll);
    return out2;
  }

  // ---- options --------------------------------------------------------------------------------------------------

  private void routeOption(String ns, String routeName, String ruleName, JsonNode options) {
    ObjectNode ro = MAPPER.createObjectNode().put("apiVersion", EdgeConversion.EDGE_GATEWAY_API)
        .put("kind", "RouteOption");
    ro.putObject("metadata").put("name", dnsName(routeName + "-" + ruleName)).put("namespace", ns);
    ObjectNode spec = ro.putObject("spec");
    spec.putArray("targetRefs").addObject().put("group", GATEWAY_API).put("kind", "HTTPRoute").put("name", routeName)
        .put("sectionName", ruleName);
    spec.set("options", options.deepCopy());
    c.extra.add(ro);
  }
}
