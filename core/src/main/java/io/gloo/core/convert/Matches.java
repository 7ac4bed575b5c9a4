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
 * {@code exact} → Exact, {@code regex} → RegularExpression, {@code caseSensitive: false} → a {@code (?i)}
 * RegularExpression; {@code prefix} (a string prefix in Gloo: {@code /api} matches {@code /apix}) → the
 * RegularExpression {@code <prefix>.*} that matches exactly the same paths (RE2, as Envoy's safe_regex; Gateway API's
 * PathPrefix matches whole segments and ignores a trailing slash), except where a PathPrefix is needed: {@code /},
 * the matcher of a delegating route (only checked against the children's paths, as a string prefix), a route that
 * rewrites the matched prefix where {@link PrefixRewrites} cannot turn that into a regexRewrite (a redirect, several
 * matchers, an inherited prefixRewrite: Envoy would replace the whole path matched by a regex) and a child
 * route whose quoted prefix would no longer start with its parent's (noted each time). Header and query matches with
 * a value → Exact or RegularExpression, without → RegularExpression {@code .*} (present); {@code invertMatch} has no
 * Gateway API form and is dropped (noted, with why).
 */
final class Matches {

  private final ConversionNotes notes;
  private final String out;
  /** Whether these are the matchers of a delegated (RouteTable) route. */
  private final boolean child;

  Matches(ConversionNotes notes, String out, boolean child) {
    this.notes = notes;
    this.out = out;
    this.child = child;
  }

  /** Why a prefix matcher must stay a PathPrefix (see the class comment), or null when it becomes a regex. */
  enum KeepPrefix {
    DELEGATING, PREFIX_REWRITE, QUOTED_CHILD
  }

  /**
   * @param inherit a delegating parent's matcher whose headers, query parameters and methods each match gets too
   *     (Gloo's inheritableMatchers), or null
   * @param keep why prefixes stay PathPrefix, or null
   */
  ArrayNode of(String where, JsonNode matchers, JsonNode inherit, KeepPrefix keep) {
    ArrayNode out = MAPPER.createArrayNode();
    List<JsonNode> list = new ArrayList<>();
    matchers.forEach(list::add);
    if (list.isEmpty()) {
      list.add(MAPPER.createObjectNode().put("prefix", "/"));
    }
    for (JsonNode m : list) {
      ObjectNode base = MAPPER.createObjectNode();
      base.set("path", path(where, m, keep));
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

  private ObjectNode path(String where, JsonNode m, KeepPrefix keep) {
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
        if (value.equals("/") || keep == KeepPrefix.DELEGATING) {
          return path.put("type", "PathPrefix").put("value", value);
        }
        if (keep == null && child && !quote(value).equals(value)) {
          keep = KeepPrefix.QUOTED_CHILD;
        }
        if (keep == null) {
          // the exact string-prefix semantics; the regex ranks by its length among the rule matches, as prefixes do
          return path.put("type", "RegularExpression").put("value", quote(value) + ".*");
        }
        path.put("type", "PathPrefix").put("value", value);
        String why = keep == KeepPrefix.PREFIX_REWRITE
            ? "kept as PathPrefix because the route rewrites the matched prefix (prefixRewrite), which a regex match"
                + " would turn into a whole-path rewrite"
            : "kept as PathPrefix because, quoted as a regex, it would no longer start with its delegating parent's"
                + " prefix";
        notes.add(out, where + ": prefix " + value + " " + why + "; PathPrefix matches whole path segments ("
            + (value.endsWith("/") ? value + " also matches " + value.replaceAll("/+$", "")
                : value + " still matches " + value + " and " + value + "/..., no longer " + value + "x")
            + ")");
      }
    }
    return path;
  }

  private ArrayNode values(String where, String what, JsonNode matchers, boolean header) {
    ArrayNode out = MAPPER.createArrayNode();
    for (JsonNode h : matchers) {
      String name = text(h, "name");
      if (h.path("invertMatch").asBoolean(false)) {
        notes.add(this.out, where + ": " + what + " " + name + " invertMatch has no Gateway API equivalent"
            + " (an HTTPRouteMatch only matches a header or parameter that is present, an inverted one also matches"
            + " requests without it, and RE2, Envoy's regex engine, has no negative lookahead to negate a value);"
            + " dropped, so the rule also matches the requests it excluded");
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
