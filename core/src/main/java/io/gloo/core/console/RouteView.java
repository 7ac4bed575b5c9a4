package io.gloo.core.console;

import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.gloo.core.ir.RouteSource;
import io.gloo.core.translate.xds.SourceMetadata;
import java.util.ArrayList;
import java.util.List;

/** One Envoy route told in a line per aspect: its match, destination and source resource. Stateless. */
final class RouteView {

  private RouteView() {}

  static String match(Route route) {
    RouteMatch m = route.getMatch();
    List<String> parts = new ArrayList<>();
    switch (m.getPathSpecifierCase()) {
      case PREFIX -> parts.add("prefix " + m.getPrefix());
      case PATH -> parts.add("path " + m.getPath());
      case SAFE_REGEX -> parts.add("regex " + m.getSafeRegex().getRegex());
      case PATH_SEPARATED_PREFIX -> parts.add("path prefix " + m.getPathSeparatedPrefix());
      case CONNECT_MATCHER -> parts.add("CONNECT");
      default -> parts.add(m.getPathSpecifierCase().name().toLowerCase(java.util.Locale.ROOT));
    }
    if (m.hasCaseSensitive() && !m.getCaseSensitive().getValue()) {
      parts.add("(case-insensitive)");
    }
    for (HeaderMatcher h : m.getHeadersList()) {
      parts.add("header " + h.getName() + header(h));
    }
    for (QueryParameterMatcher q : m.getQueryParametersList()) {
      parts.add("query " + q.getName() + (q.hasStringMatch() ? string(q.getStringMatch()) : " present"));
    }
    return String.join(", ", parts);
  }

  private static String header(HeaderMatcher h) {
    String not = h.getInvertMatch() ? " not" : "";
    return switch (h.getHeaderMatchSpecifierCase()) {
      case STRING_MATCH -> not + string(h.getStringMatch());
      case EXACT_MATCH -> not + " = " + h.getExactMatch();
      case PREFIX_MATCH -> not + " starts with " + h.getPrefixMatch();
      case SAFE_REGEX_MATCH -> not + " ~ " + h.getSafeRegexMatch().getRegex();
      case PRESENT_MATCH -> h.getInvertMatch() ? " absent" : " present";
      default -> not + " " + h.getHeaderMatchSpecifierCase().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String string(StringMatcher s) {
    return switch (s.getMatchPatternCase()) {
      case EXACT -> " = " + s.getExact();
      case PREFIX -> " starts with " + s.getPrefix();
      case SUFFIX -> " ends with " + s.getSuffix();
      case CONTAINS -> " contains " + s.getContains();
      case SAFE_REGEX -> " ~ " + s.getSafeRegex().getRegex();
      default -> " " + s.getMatchPatternCase().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** Where the route sends a request: a cluster, weighted clusters, a redirect or a direct response. */
  static String destination(Route route) {
    switch (route.getActionCase()) {
      case ROUTE -> {
        RouteAction a = route.getRoute();
        String rewrite = a.getPrefixRewrite().isEmpty() ? "" : " (prefix rewritten to " + a.getPrefixRewrite() + ")";
        if (a.hasWeightedClusters()) {
          List<String> w = new ArrayList<>();
          for (WeightedCluster.ClusterWeight c : a.getWeightedClusters().getClustersList()) {
            w.add(c.getName() + " (weight " + c.getWeight().getValue() + ")");
          }
          return String.join(", ", w) + rewrite;
        }
        if (!a.getClusterHeader().isEmpty()) {
          return "cluster named by header " + a.getClusterHeader() + rewrite;
        }
        return a.getCluster() + rewrite;
      }
      case REDIRECT -> {
        RedirectAction r = route.getRedirect();
        StringBuilder b = new StringBuilder("redirect ").append(redirectCode(r));
        if (!r.getSchemeRedirect().isEmpty()) {
          b.append(" scheme ").append(r.getSchemeRedirect());
        } else if (r.getHttpsRedirect()) {
          b.append(" scheme https");
        }
        if (!r.getHostRedirect().isEmpty()) {
          b.append(" host ").append(r.getHostRedirect());
        }
        if (r.getPortRedirect() != 0) {
          b.append(" port ").append(r.getPortRedirect());
        }
        if (!r.getPathRedirect().isEmpty()) {
          b.append(" path ").append(r.getPathRedirect());
        }
        if (!r.getPrefixRewrite().isEmpty()) {
          b.append(" prefix ").append(r.getPrefixRewrite());
        }
        return b.toString();
      }
      case DIRECT_RESPONSE -> {
        String body = route.getDirectResponse().getBody().getInlineString();
        return "direct response " + route.getDirectResponse().getStatus()
            + (body.isEmpty() ? "" : ": " + (body.length() > 80 ? body.substring(0, 80) + "…" : body));
      }
      default -> {
        return route.getActionCase().name().toLowerCase(java.util.Locale.ROOT);
      }
    }
  }

  private static int redirectCode(RedirectAction r) {
    return switch (r.getResponseCode()) {
      case FOUND -> 302;
      case SEE_OTHER -> 303;
      case TEMPORARY_REDIRECT -> 307;
      case PERMANENT_REDIRECT -> 308;
      default -> 301;
    };
  }

  /** The resource, rule and match the route came from, or null when it has no source metadata. */
  static RouteSource source(Route route) {
    return route.hasMetadata() ? SourceMetadata.routeSource(route.getMetadata()) : null;
  }

  /** "HTTPRoute default/web rule 0 (name) match 1". */
  static String describe(RouteSource source) {
    if (source == null) {
      return "";
    }
    return source.route().kind() + " " + source.route().namespacedName() + " rule " + source.rule()
        + (source.ruleName() == null ? "" : " (" + source.ruleName() + ")") + " match " + source.match();
  }

  /** The place a policy report names for this source: "HTTPRoute default/web rule 0". */
  static String policyPlace(RouteSource source) {
    return source.route().kind() + " " + source.route().namespacedName() + " rule " + source.rule();
  }
}
