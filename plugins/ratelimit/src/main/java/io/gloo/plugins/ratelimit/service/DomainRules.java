package io.gloo.plugins.ratelimit.service;

import com.google.errorprone.annotations.Immutable;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The compiled rules of one domain (one RateLimitConfig, or the inline {@code custom} domain): a descriptor tree and
 * a list of set-style rules. Immutable; shared by every request thread.
 */
@Immutable
final class DomainRules {

  /** A tree node; {@code rule} is null for a node that only leads to deeper nodes. */
  @Immutable
  record Node(Rule rule, Level children) {}

  /**
   * The nodes of one tree level: those for a key alone, and those for a key with exactly one value. Two maps rather
   * than one keyed by key and value joined, so that a request's entry is looked up by the strings it already has,
   * without building (and hashing) a joined string per entry per request.
   */
  @Immutable
  record Level(Map<String, Node> byKey, Map<String, Map<String, Node>> byKeyValue) {
    static final Level EMPTY = new Level(Map.of(), Map.of());

    @SuppressWarnings("Immutable") // unmodifiable copies
    Level {
      byKey = Map.copyOf(byKey);
      Map<String, Map<String, Node>> copy = new java.util.HashMap<>();
      byKeyValue.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
      byKeyValue = Map.copyOf(copy);
    }

    boolean isEmpty() {
      return byKey.isEmpty() && byKeyValue.isEmpty();
    }
  }

  /** A set-style rule: the keys it needs, each with a value or (null) any value. */
  @Immutable
  record SetRule(Rule rule, List<String> keys, List<String> values) {}

  private final Level root;
  @SuppressWarnings("Immutable")
  private final List<SetRule> setRules;

  DomainRules(Level root, List<SetRule> setRules) {
    this.root = root;
    this.setRules = List.copyOf(setRules);
  }

  /**
   * The tree rule for entries {@code from..} of a descriptor, as Envoy's reference service finds it: walk the tree
   * one entry at a time, preferring the node for key+value over the node for the key alone; the rule is the one of the
   * node reached by the last entry. A descriptor longer or shorter than any matching path has no rule.
   */
  Rule matchTree(List<RateLimitDescriptor.Entry> entries, int from) {
    Level level = root;
    int last = entries.size() - 1;
    for (int i = from; i <= last; i++) {
      RateLimitDescriptor.Entry e = entries.get(i);
      Map<String, Node> values = level.byKeyValue().get(e.getKey());
      Node next = values == null ? null : values.get(e.getValue());
      if (next == null) {
        next = level.byKey().get(e.getKey());
      }
      if (next == null) {
        return null;
      }
      if (i == last) {
        return next.rule();
      }
      level = next.children();
    }
    return null;
  }

  /**
   * Set-style rules matching entries {@code from..} (order-free: every entry a rule lists is present): the first such
   * rule in declaration order without {@code alwaysApply}, and every matching one with it. {@code valuesOut} receives, per rule
   * returned, the request's values for the rule's keys (they make the counter's identity).
   */
  List<Rule> matchSet(List<RateLimitDescriptor.Entry> entries, int from, List<String> valuesOut) {
    List<Rule> out = null;
    boolean regularMatched = false;
    for (SetRule s : setRules) {
      if (regularMatched && !s.rule().alwaysApply()) {
        continue;
      }
      String values = setValues(s, entries, from);
      if (values != null) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        out.add(s.rule());
        valuesOut.add(values);
        regularMatched |= !s.rule().alwaysApply();
      }
    }
    return out == null ? List.of() : out;
  }

  /** The request's values for the rule's keys joined, or null when the rule does not match. */
  private static String setValues(SetRule s, List<RateLimitDescriptor.Entry> entries, int from) {
    StringBuilder values = new StringBuilder();
    for (int k = 0; k < s.keys().size(); k++) {
      String key = s.keys().get(k);
      String wanted = s.values().get(k);
      String found = null;
      for (int i = from; i < entries.size(); i++) {
        RateLimitDescriptor.Entry e = entries.get(i);
        if (e.getKey().equals(key) && (wanted == null || wanted.equals(e.getValue()))) {
          found = e.getValue();
          break;
        }
      }
      if (found == null) {
        return null;
      }
      values.append(key).append('=').append(found).append('\u001e');
    }
    return values.toString();
  }

  boolean isEmpty() {
    return root.isEmpty() && setRules.isEmpty();
  }
}
