package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPQueryParamMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.gloo.core.ir.RouteMatchIR;
import io.gloo.core.ir.RouteMatchIR.PathKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An HTTPRoute match (path, headers, query parameters, method) as the IR's route match, or why it cannot be one:
 * such a match is dropped by {@link RuleTranslator}, since serving it as "/" would capture other traffic.
 */
final class RouteMatches {

  private RouteMatches() {}

  /** An IR match, or why the Gateway API match cannot be one. */
  record MatchOrError(RouteMatchIR match, String error) {}

  static MatchOrError match(HTTPRouteMatch match) {
    HTTPPathMatch path = match.getPath();
    String type = path == null || path.getType() == null ? "PathPrefix" : path.getType();
    String value = path == null || path.getValue() == null ? "/" : path.getValue();
    RouteMatchIR.PathMatch pathMatch;
    switch (type) {
      case "Exact" -> {
        if (!value.startsWith("/")) {
          return new MatchOrError(null, "path.value must start with '/'");
        }
        pathMatch = new RouteMatchIR.PathMatch(PathKind.EXACT, value);
      }
      case "PathPrefix" -> {
        if (!value.startsWith("/")) {
          return new MatchOrError(null, "path.value must start with '/'");
        }
        // "/foo/" and "/foo" both match the segment /foo (and /foo/...), never /foobar.
        String prefix = value.length() > 1 && value.endsWith("/") ? value.replaceAll("/+$", "") : value;
        pathMatch = new RouteMatchIR.PathMatch(PathKind.PREFIX, prefix.isEmpty() ? "/" : prefix);
      }
      case "RegularExpression" -> pathMatch = new RouteMatchIR.PathMatch(PathKind.REGEX, value);
      case GrpcRoutes.INVALID_METHOD_MATCH -> {
        return new MatchOrError(null, "method match needs a service or a method");
      }
      default -> {
        return new MatchOrError(null, "path.type " + type + " is not supported");
      }
    }
    List<RouteMatchIR.ValueMatch> headers = new ArrayList<>();
    Set<String> seenHeaders = new HashSet<>();
    if (match.getHeaders() != null) {
      for (int i = 0; i < match.getHeaders().size(); i++) {
        String problem = SpecValues.headerName(match.getHeaders().get(i).getName());
        if (problem != null) {
          return new MatchOrError(null, "headers[" + i + "].name: " + problem);
        }
      }
      for (HTTPHeaderMatch h : match.getHeaders()) {
        String name = h.getName().toLowerCase(Locale.ROOT); // header names are case-insensitive
        if (seenHeaders.add(name)) { // the spec: the first match for a name wins
          headers.add(new RouteMatchIR.ValueMatch(name, "RegularExpression".equals(h.getType()), h.getValue()));
        }
      }
    }
    List<RouteMatchIR.ValueMatch> query = new ArrayList<>();
    Set<String> seenParams = new HashSet<>();
    if (match.getQueryParams() != null) {
      for (int i = 0; i < match.getQueryParams().size(); i++) {
        // HTTPQueryParamMatch.name is an HTTPHeaderName: the same token rule and 256-character limit
        String problem = SpecValues.headerName(match.getQueryParams().get(i).getName());
        if (problem != null) {
          return new MatchOrError(null, "queryParams[" + i + "].name: "
              + problem.replace("header name", "query parameter name"));
        }
      }
      for (HTTPQueryParamMatch q : match.getQueryParams()) {
        if (seenParams.add(q.getName())) { // query parameter names are case-sensitive
          query.add(new RouteMatchIR.ValueMatch(q.getName(), "RegularExpression".equals(q.getType()), q.getValue()));
        }
      }
    }
    return new MatchOrError(new RouteMatchIR(pathMatch, headers, query, match.getMethod()), null);
  }
}
