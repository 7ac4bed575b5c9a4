package io.gloo.core.translate.edge;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Gloo's selection of VirtualServices by a Gateway and of RouteTables by a delegating route: {@code labels} (all
 * must equal), {@code expressions} (Gloo's operators) and {@code namespaces} ({@code *} for all; by default the
 * selecting resource's own namespace for RouteTables, any namespace for VirtualServices). Public for the converter
 * ({@code gloo convert}), which must select as the translator does.
 */
public final class EdgeSelectors {

  private EdgeSelectors() {}

  /** Whether every label of {@code selector} (a {@code key: value} object) is on {@code labels}. */
  public static boolean labelsMatch(JsonNode selector, Map<String, String> labels) {
    for (Map.Entry<String, JsonNode> e : selector.properties()) {
      if (!e.getValue().asString().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether every expression ({@code {key, operator, values}}) holds. Operators as Gloo spells them: {@code Equals}
   * ({@code =}, {@code ==}), {@code NotEquals} ({@code !=}), {@code In}, {@code NotIn}, {@code Exists},
   * {@code DoesNotExist}, {@code GreaterThan} ({@code gt}), {@code LessThan} ({@code lt}).
   *
   * @return null when they hold, else a problem (unknown operator) or "" when they simply do not hold
   */
  public static String expressionsMatch(JsonNode expressions, Map<String, String> labels) {
    for (JsonNode e : expressions) {
      String key = EdgeApi.str(e, "key");
      String op = EdgeApi.str(e, "operator");
      List<String> values = new java.util.ArrayList<>();
      e.path("values").forEach(v -> values.add(v.asString()));
      String actual = key == null ? null : labels.get(key);
      boolean holds;
      switch (op == null ? "Equals" : op) {
        case "Equals", "=", "==" -> holds = actual != null && values.contains(actual);
        case "NotEquals", "!=" -> holds = actual == null || !values.contains(actual);
        case "In", "in" -> holds = actual != null && values.contains(actual);
        case "NotIn", "notin" -> holds = actual == null || !values.contains(actual);
        case "Exists", "exists" -> holds = actual != null;
        case "DoesNotExist", "!" -> holds = actual == null;
        case "GreaterThan", "gt" -> holds = compare(actual, values) > 0;
        case "LessThan", "lt" -> holds = compare(actual, values) < 0 && actual != null;
        default -> {
          return "expressions: unknown operator " + op;
        }
      }
      if (!holds) {
        return "";
      }
    }
    return null;
  }

  private static int compare(String actual, List<String> values) {
    if (actual == null || values.size() != 1) {
      return 0;
    }
    try {
      return Long.compare(Long.parseLong(actual), Long.parseLong(values.get(0)));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Whether {@code namespace} is in {@code namespaces} (or it holds {@code *}); an empty list is {@code fallback}. */
  public static boolean namespaceMatches(JsonNode namespaces, String namespace, String fallback) {
    if (namespaces == null || !namespaces.isArray() || namespaces.isEmpty()) {
      return fallback == null || fallback.equals(namespace);
    }
    for (JsonNode ns : namespaces) {
      if (ns.asString().equals("*") || ns.asString().equals(namespace)) {
        return true;
      }
    }
    return false;
  }
}
