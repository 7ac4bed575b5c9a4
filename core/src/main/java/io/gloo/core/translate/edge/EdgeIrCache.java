package io.gloo.core.translate.edge;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Parsed route matchers by {@code matchers} JSON instance (specs are parsed once per object, see
 * {@link EdgeTranslator}), kept from one translation to the next for what it used. The reuse of route and virtual
 * host IR instances is the plans' ({@link EdgePlans}). Not thread-safe: one translation at a time.
 */
final class EdgeIrCache {

  private Map<JsonNode, List<EdgeMatcher>> previousMatchers = new IdentityHashMap<>();
  private Map<JsonNode, List<EdgeMatcher>> currentMatchers = new IdentityHashMap<>();

  /** The parsed {@code matchers} of a route (immutable). */
  List<EdgeMatcher> matchers(JsonNode matchers) {
    List<EdgeMatcher> parsed = currentMatchers.get(matchers);
    if (parsed == null) {
      parsed = previousMatchers.get(matchers);
      if (parsed == null) {
        List<EdgeMatcher> out = new ArrayList<>();
        matchers.forEach(m -> out.add(EdgeMatcher.parse(m)));
        parsed = List.copyOf(out);
      }
      currentMatchers.put(matchers, parsed);
    }
    return parsed;
  }

  /** Ends a translation: only what it used is kept for the next. */
  void finish() {
    previousMatchers = currentMatchers;
    currentMatchers = new IdentityHashMap<>();
  }
}
