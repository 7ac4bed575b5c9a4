package io.gloo.core.translate.edge;

import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.VirtualHostIR;
import java.util.HashMap;
import java.util.Map;

/**
 * Hands out the previous translation's IR instance for a route or virtual host equal to one just built, so that the
 * xDS stage (which caches protos by IR instance) rebuilds and revalidates only what changed: a one-RouteTable change
 * then costs one virtual host, not every route. Routes with plugin policies are never compared (equality would run
 * plugin code; see {@code PolicyResolver#identitySet}), nor are virtual hosts holding them or host policies. Keeps
 * one translation's entries. Not thread-safe: one translation at a time.
 */
final class EdgeIrCache {

  private Map<RouteIR, RouteIR> previousRoutes = new HashMap<>();
  private Map<RouteIR, RouteIR> currentRoutes = new HashMap<>();
  private Map<VirtualHostIR, VirtualHostIR> previousHosts = new HashMap<>();
  private Map<VirtualHostIR, VirtualHostIR> currentHosts = new HashMap<>();
  /** Parsed matchers by {@code matchers} JSON instance (specs are parsed once per object, see EdgeTranslator). */
  private Map<tools.jackson.databind.JsonNode, java.util.List<EdgeMatcher>> previousMatchers =
      new java.util.IdentityHashMap<>();
  private Map<tools.jackson.databind.JsonNode, java.util.List<EdgeMatcher>> currentMatchers =
      new java.util.IdentityHashMap<>();

  /** The parsed {@code matchers} of a route (immutable). */
  java.util.List<EdgeMatcher> matchers(tools.jackson.databind.JsonNode matchers) {
    java.util.List<EdgeMatcher> parsed = currentMatchers.get(matchers);
    if (parsed == null) {
      parsed = previousMatchers.get(matchers);
      if (parsed == null) {
        java.util.List<EdgeMatcher> out = new java.util.ArrayList<>();
        matchers.forEach(m -> out.add(EdgeMatcher.parse(m)));
        parsed = java.util.List.copyOf(out);
      }
      currentMatchers.put(matchers, parsed);
    }
    return parsed;
  }

  RouteIR route(RouteIR built) {
    if (!built.policies().isEmpty()) {
      return built;
    }
    RouteIR known = currentRoutes.get(built);
    if (known == null) {
      known = previousRoutes.getOrDefault(built, built);
      currentRoutes.put(known, known);
    }
    return known;
  }

  VirtualHostIR host(VirtualHostIR built) {
    if (!built.policies().isEmpty() || built.routes().stream().anyMatch(r -> !r.policies().isEmpty())) {
      return built;
    }
    VirtualHostIR known = currentHosts.get(built);
    if (known == null) {
      known = previousHosts.getOrDefault(built, built);
      currentHosts.put(known, known);
    }
    return known;
  }

  /** Ends a translation: only what it used is kept for the next. */
  void finish() {
    previousRoutes = currentRoutes;
    currentRoutes = new HashMap<>();
    previousHosts = currentHosts;
    currentHosts = new HashMap<>();
    previousMatchers = currentMatchers;
    currentMatchers = new java.util.IdentityHashMap<>();
  }
}
