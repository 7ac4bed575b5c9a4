package io.gloo.core.convert;

import static io.gloo.core.convert.EdgeConversion.MAPPER;
import static io.gloo.core.convert.EdgeConversion.present;
import static io.gloo.core.convert.EdgeConversion.text;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Edge {@code matchers} to HTTPRouteMatches: one match per matcher and method (Gateway API has one method per match);
 * {@code prefix} → PathPrefix, {@code exact} → Exact, {@code regex} → RegularExpression, {@code caseSensitive: false}
 * → a {@code (?i)} RegularExpression; header and query matches with a value → Exact or RegularExpression, without →
 * RegularExpression {@code .*} (present); {@code invertMatch} has no Gateway API form and is dropped (noted).
 */
final class Matches {

  private final ConversionNotes notes;
  private final String out;

  Matches(ConversionNotes notes, String out) {
    this.notes = notes;
    this.out = out;
  }

  /**
   * @param inherit a delegating parent's matcher whose headers, query parameters and methods each match gets too
   *     (Gloo's inheritableMatchers), or null
   */
  ArrayNode of(String where, JsonNode matchers, JsonNode inherit) {
    ArrayNode out = MAPPER.createArrayNode();
    List<JsonNode> list = new ArrayList<>();
    matchers.forEach(list::add);
    if (list.isEmpty()) {
      list.add(MAPPER.createObjectNode().put("prefix", "/"));
    }
    for (JsonNode m : list) {
      ObjectNode base = MAPPER.createObjectNode();
      base.set("path", path(where, m));
      ArrayNode headers = values(where, "header", m.path("headers"), true);
      ArrayNode query = values(where, "query parameter", m.path("queryParameters"), false);
      List<String> methods = new ArrayList<>();
      m.path("methods").forEach(v -> methods.add(v.asString()));
      if (inherit != null) {
        add(headers, values(where, "header", inherit.path("headers"), true));
        add(query, values(where, "query parameter", inherit.path("queryParameters"), false));
        inherit.path("methods").forEach(v -> methods.add(0, v.asString()));
      }
      if (!headers.isEmpty()) {
        base.set("headers", headers);
      }
      if (!query.isEmpty()) {
        base.set("queryParams", query);
      }
      if (methods.isEmpty()) {
        out.add(base);
      }
      for (String method : new java.util.LinkedHashSet<>(methods)) {
        out.add(base.deepCopy().put("method", method));
      }
    }
    return out;
  }

  /** Adds the parent's matches of names the child does not match on (the child's win, as its own come first). */
  private static void add(ArrayNode to, ArrayNode parent) {
    Set<String> names = new HashSet<>();
    to.forEach(v -> names.add(text(v, "name")));
    for (JsonNode v : parent) {
      if (names.add(text(v, "name"))) {
        to.add(v);
      }
    }
  }

  private ObjectNode path(String where, JsonNode m) {
    String kind = "prefix";
    String value = "/";
    for (String k : List.of("prefix", "exact", "regex")) {
      if (present(m, k)) {
        kind = k;
        value = text(m, k);
        break;
      }
    }
    boolean caseSensitive = !present(m, "caseSensitive") || m.path("caseSensitive").asBoolean(true);
    ObjectNode path = MAPPER.createObjectNode();
    if (!caseSensitive) {
      String regex = "(?i)" + (kind.equals("regex") ? value : quote(value) + (kind.equals("prefix") ? ".*" : ""));
      return path.put("type", "RegularExpression").put("value", regex);
    }
    switch (kind) {
      case "exact" -> path.put("type", "Exact").put("value", value);
      case "regex" -> path.put("type", "RegularExpression").put("value", value);
      default -> {
        path.put("type", "PathPrefix").put("value", value);
        if (!value.equals("/")) {
          notes.add(out, where + ": prefix " + value + " became PathPrefix, which matches whole path segments ("
              + (value.endsWith("/") ? value + " also matches " + value.replaceAll("/+$", "")
                  : value + " still matches " + value + " and " + value + "/..., no longer " + value + "x")
              + ")");
        }
      }
    }
    return path;
  }

  private ArrayNode values(String where, String what, JsonNode matchers, boolean header) {
    ArrayNode out = MAPPER.createArrayNode();
    for (JsonNode h : matchers) {
      String name = text(h, "name");
      if (h.path("invertMatch").asBoolean(false)) {
        notes.add(this.out, where + ": " + what + " " + name + " invertMatch has no Gateway API equivalent; dropped");
        continue;
      }
      String value = text(h, "value");
      ObjectNode v = out.addObject();
      if (value == null || value.isEmpty()) {
        v.put("type", "RegularExpression").put("name", name).put("value", ".*");
      } else {
        v.put("type", h.path("regex").asBoolean(false) ? "RegularExpression" : "Exact").put("name", name)
            .put("value", value);
      }
    }
    return out;
  }

  /** A literal as a regular expression (RE2 and Java agree on these escapes). */
  static String quote(String literal) {
    StringBuilder b = new StringBuilder();
    for (char ch : literal.toCharArray()) {
      if ("\\.^$|?*+()[]{}".indexOf(ch) >= 0) {
        b.append('\\');
      }
      b.append(ch);
    }
    return b.toString();
  }
}
