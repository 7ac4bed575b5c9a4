package io.gloo.core.convert;

import static io.gloo.core.convert.EdgeConversion.present;
import static io.gloo.core.convert.EdgeConversion.text;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A forwarding route's {@code prefixRewrite} on a string prefix, kept exact: Envoy's prefix_rewrite replaces the
 * matched prefix, but under a regex match (the exact form of Gloo's string prefix, see {@link Matches}) it would
 * replace the whole path; the RouteOption gets the equivalent {@code regexRewrite} instead, pattern
 * {@code ^<quoted prefix>} and the rewrite as substitution (Envoy applies both to the path without the query). Done
 * for a route with one case-sensitive prefix matcher (several matchers would need the one Envoy picked, which a
 * single pattern cannot know when headers or methods differ). Stateless.
 */
final class PrefixRewrites {

  private PrefixRewrites() {}

  /**
   * Rewrites {@code options} (the route's merged options) in place when the route qualifies.
   *
   * @return whether it did: the route's prefix can then become a regex match
   */
  static boolean asRegexRewrite(JsonNode route, ObjectNode options) {
    if (!present(options, "prefixRewrite") || text(options, "prefixRewrite").isEmpty()
        || present(options, "regexRewrite") || !present(route, "routeAction") || route.path("matchers").size() != 1) {
      return false;
    }
    JsonNode m = route.path("matchers").get(0);
    String prefix = text(m, "prefix");
    if (prefix == null || present(m, "exact") || present(m, "regex") || prefix.equals("/")
        || !m.path("caseSensitive").asBoolean(true)) {
      return false;
    }
    String substitution = text(options, "prefixRewrite").replace("\\", "\\\\");
    options.remove("prefixRewrite");
    ObjectNode rewrite = options.putObject("regexRewrite");
    rewrite.putObject("pattern").put("regex", "^" + Matches.quote(prefix));
    rewrite.put("substitution", substitution);
    return true;
  }
}
