package io.gloo.core.validate;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;

/**
 * The semantic checks of {@link SemanticChecks} that need nothing but one route: regexes that are not RE2
 * ({@code regex.invalid}) and header edits Envoy refuses ({@code header.unmodifiable}). Run per route by the
 * translator (a route that fails is replaced, not the snapshot) and by the snapshot validator. Stateless.
 */
public final class RouteLocalChecks {

  private RouteLocalChecks() {}

  /**
   * What Envoy rejects in one route that needs no other resource to see: regexes that are not RE2 (matchers and
   * rewrites) and header edits of {@code :}-prefixed or {@code host} headers. Paths are relative to the route
   * ({@code match.safe_regex.regex}); violations are added to {@code out}.
   */
  public static void route(Route route, List<Violation> out) {
    RouteMatch match = route.getMatch();
    if (match.hasSafeRegex()) {
      regex(match.getSafeRegex(), "match.safe_regex", out);
    }
    for (int h = 0; h < match.getHeadersCount(); h++) {
      HeaderMatcher header = match.getHeaders(h);
      String hp = "match.headers[" + h + "]";
      if (header.hasStringMatch()) {
        stringMatcher(header.getStringMatch(), hp + ".string_match", out);
      }
      if (header.hasSafeRegexMatch()) {
        regex(header.getSafeRegexMatch(), hp + ".safe_regex_match", out);
      }
    }
    for (int q = 0; q < match.getQueryParametersCount(); q++) {
      QueryParameterMatcher param = match.getQueryParameters(q);
      if (param.hasStringMatch()) {
        stringMatcher(param.getStringMatch(), "match.query_parameters[" + q + "].string_match", out);
      }
    }
    if (route.hasRedirect() && route.getRedirect().hasRegexRewrite()) {
      regex(route.getRedirect().getRegexRewrite().getPattern(), "redirect.regex_rewrite.pattern", out);
    }
    headerEdits(route.getRequestHeadersToAddList(), route.getRequestHeadersToRemoveList(),
        route.getResponseHeadersToAddList(), route.getResponseHeadersToRemoveList(), "", out);
    if (!route.hasRoute()) {
      return;
    }
    RouteAction action = route.getRoute();
    if (action.hasRegexRewrite()) {
      regex(action.getRegexRewrite().getPattern(), "route.regex_rewrite.pattern", out);
    }
    if (action.hasWeightedClusters()) {
      for (int c = 0; c < action.getWeightedClusters().getClustersCount(); c++) {
        WeightedCluster.ClusterWeight w = action.getWeightedClusters().getClusters(c);
        headerEdits(w.getRequestHeadersToAddList(), w.getRequestHeadersToRemoveList(),
            w.getResponseHeadersToAddList(), w.getResponseHeadersToRemoveList(),
            "route.weighted_clusters.clusters[" + c + "].", out);
      }
    }
  }

  /**
   * Envoy's HeaderParser refuses to add or remove {@code :}-prefixed headers and {@code host} (request and response
   * side alike): the whole resource is rejected.
   */
  static void headerEdits(List<HeaderValueOption> requestAdd, List<String> requestRemove,
      List<HeaderValueOption> responseAdd, List<String> responseRemove, String prefix, List<Violation> out) {
    headersToAdd(requestAdd, prefix + "request_headers_to_add", out);
    headersToRemove(requestRemove, prefix + "request_headers_to_remove", out);
    headersToAdd(responseAdd, prefix + "response_headers_to_add", out);
    headersToRemove(responseRemove, prefix + "response_headers_to_remove", out);
  }

  private static void headersToAdd(List<HeaderValueOption> headers, String path, List<Violation> out) {
    for (int i = 0; i < headers.size(); i++) {
      String key = headers.get(i).getHeader().getKey();
      if (!modifiable(key)) {
        out.add(new Violation(path + "[" + i + "].header.key", "header.unmodifiable",
            "header '" + key + "' may not be modified (Envoy refuses :-prefixed and host headers)"));
      }
    }
  }

  private static void headersToRemove(List<String> headers, String path, List<Violation> out) {
    for (int i = 0; i < headers.size(); i++) {
      if (!modifiable(headers.get(i))) {
        out.add(new Violation(path + "[" + i + "]", "header.unmodifiable",
            "header '" + headers.get(i) + "' may not be removed (Envoy refuses :-prefixed and host headers)"));
      }
    }
  }

  /** Envoy's {@code HeaderUtility::isModifiableHeader}: not {@code :}-prefixed and not {@code host}. */
  public static boolean modifiable(String header) {
    return (header.isEmpty() || header.charAt(0) != ':') && !header.equalsIgnoreCase("host");
  }

  private static void stringMatcher(StringMatcher matcher, String path, List<Violation> out) {
    if (matcher.hasSafeRegex()) {
      regex(matcher.getSafeRegex(), path + ".safe_regex", out);
    }
  }

  private static void regex(RegexMatcher regex, String path, List<Violation> out) {
    String error = SemanticChecks.regexError(regex.getRegex());
    if (error != null) {
      out.add(new Violation(path + ".regex", "regex.invalid", "not a valid RE2 regex: " + error));
    }
  }

}
