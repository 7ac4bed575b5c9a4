package io.gloo.core.translate.edge;

import io.gloo.core.ir.RouteMatchIR;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One Gloo Edge {@code matchers[]} entry: a path ({@code prefix}, {@code exact} or {@code regex}; Gloo's prefix is a
 * plain string prefix), {@code caseSensitive}, {@code headers} ({@code value}, {@code regex}, {@code invertMatch};
 * no value means present), {@code queryParameters} and {@code methods}.
 *
 * @param pathKind {@code prefix}, {@code exact} or {@code regex}
 * @param caseSensitive null when unset (true)
 */
record EdgeMatcher(String pathKind, String path, Boolean caseSensitive, List<Header> headers, List<Query> queries,
    List<String> methods) {

  /** Gloo's default matcher: prefix {@code /}. */
  static final EdgeMatcher DEFAULT = new EdgeMatcher("prefix", "/", null, List.of(), List.of(), List.of());

  EdgeMatcher {
    headers = List.copyOf(headers);
    queries = List.copyOf(queries);
    methods = List.copyOf(methods);
  }

  record Header(String name, String value, boolean regex, boolean invert) {}

  record Query(String name, String value, boolean regex) {}

  static EdgeMatcher parse(JsonNode m) {
    String kind = "prefix";
    String path = "/";
    for (String k : List.of("prefix", "exact", "regex")) {
      if (EdgeApi.present(m, k)) {
        kind = k;
        path = EdgeApi.str(m, k);
        break;
      }
    }
    Boolean cs = EdgeApi.present(m, "caseSensitive") ? m.get("caseSensitive").asBoolean() : null;
    List<Header> headers = new ArrayList<>();
    for (JsonNode h : m.path("headers")) {
      String value = EdgeApi.str(h, "value");
      headers.add(new Header(EdgeApi.str(h, "name"), value == null || value.isEmpty() ? null : value,
          h.path("regex").asBoolean(false), h.path("invertMatch").asBoolean(false)));
    }
    List<Query> queries = new ArrayList<>();
    for (JsonNode q : m.path("queryParameters")) {
      String value = EdgeApi.str(q, "value");
      queries.add(new Query(EdgeApi.str(q, "name"), value == null || value.isEmpty() ? null : value,
          q.path("regex").asBoolean(false)));
    }
    List<String> methods = new ArrayList<>();
    m.path("methods").forEach(v -> methods.add(v.asString()));
    return new EdgeMatcher(kind, path, cs, headers, queries, methods);
  }

  /** Whether a matcher sets a path at all (a delegating route's matcher without one means {@code /}). */
  static boolean hasPath(JsonNode m) {
    return EdgeApi.present(m, "prefix") || EdgeApi.present(m, "exact") || EdgeApi.present(m, "regex");
  }

  EdgeMatcher withPath(EdgeMatcher from) {
    return new EdgeMatcher(from.pathKind, from.path, from.caseSensitive, headers, queries, methods);
  }

  /** This matcher with the parent's headers, query parameters and methods first (Gloo's inheritableMatchers). */
  EdgeMatcher inheriting(EdgeMatcher parent) {
    List<Header> h = new ArrayList<>(parent.headers);
    h.addAll(headers);
    List<Query> q = new ArrayList<>(parent.queries);
    q.addAll(queries);
    List<String> ms = new ArrayList<>(parent.methods);
    ms.addAll(methods);
    return new EdgeMatcher(pathKind, path, caseSensitive, h, q, ms);
  }

  /**
   * Why this child matcher is not within its delegating parent's (Gloo's messages), or null when it is: its path
   * must begin with the parent's prefix, with the same case sensitivity, and it must keep every header, query
   * parameter and method of the parent.
   */
  String notWithin(EdgeMatcher parent) {
    if (!path.startsWith(parent.path)) {
      return "invalid route: route table matchers must begin with the prefix of their parent route's matcher: "
          + "required prefix: " + parent.path + ", prefix: " + path;
    }
    if (!java.util.Objects.equals(caseSensitive, parent.caseSensitive)) {
      return "invalid route: route table matchers must have the same case sensitivity of their parent route's "
          + "matcher: required caseSensitive: " + parent.caseSensitive + ", caseSensitive: " + caseSensitive;
    }
    for (Header ph : parent.headers) {
      if (headers.stream().noneMatch(ph::equals)) {
        return "invalid route: route table matchers must have all headers that were specified on their parent "
            + "route's matcher: required headers: " + parent.headers + ", headers: " + headers;
      }
    }
    for (Query pq : parent.queries) {
      if (queries.stream().noneMatch(pq::equals)) {
        return "invalid route: route table matchers must have all query params that were specified on their "
            + "parent route's matcher: required query params: " + parent.queries + ", query params: " + queries;
      }
    }
    if (!methods.containsAll(parent.methods)) {
      return "invalid route: route table matchers must have all methods that were specified on their parent "
          + "route's matcher: required methods: " + parent.methods + ", methods: " + methods;
    }
    return null;
  }

  RouteMatchIR toIr() {
    RouteMatchIR.PathKind kind = switch (pathKind) {
      case "exact" -> RouteMatchIR.PathKind.EXACT;
      case "regex" -> RouteMatchIR.PathKind.REGEX;
      default -> RouteMatchIR.PathKind.STRING_PREFIX;
    };
    List<RouteMatchIR.ValueMatch> hs = new ArrayList<>();
    for (Header h : headers) {
      hs.add(new RouteMatchIR.ValueMatch(h.name, h.regex, h.value, h.invert));
    }
    String method = null;
    if (methods.size() == 1) {
      method = methods.get(0);
    } else if (methods.size() > 1) {
      hs.add(new RouteMatchIR.ValueMatch(":method", true, String.join("|", methods)));
    }
    List<RouteMatchIR.ValueMatch> qs = new ArrayList<>();
    for (Query q : queries) {
      qs.add(new RouteMatchIR.ValueMatch(q.name, q.regex, q.value));
    }
    return new RouteMatchIR(new RouteMatchIR.PathMatch(kind, path), hs, qs, method,
        caseSensitive == null || caseSensitive);
  }

  /**
   * Gloo's order for routes of several RouteTables of one weight (so that {@code /foo} does not shadow
   * {@code /foo/bar}): exact, then regex, then prefix; longer paths first.
   */
  static int specificity(EdgeMatcher a, EdgeMatcher b) {
    int ka = rank(a.pathKind);
    int kb = rank(b.pathKind);
    if (ka != kb) {
      return Integer.compare(ka, kb);
    }
    return Integer.compare(b.path.length(), a.path.length());
  }

  private static int rank(String kind) {
    return switch (kind) {
      case "exact" -> 0;
      case "regex" -> 1;
      default -> 2;
    };
  }
}
