package io.gloo.core.translate.xds;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.gloo.core.ir.HeaderEditsIR;
import io.gloo.core.ir.RouteActionIR;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.RouteMatchIR;

/** One IR route → one Envoy {@link Route}. Stateless. */
public final class RouteBuilder {

  /** The cluster name Envoy is given for an unresolved backend: deliberately absent from CDS, so it answers 500. */
  public static final String UNRESOLVED_CLUSTER_PREFIX = "unresolved~";

  private RouteBuilder() {}

  static Route build(RouteIR ir) {
    Route.Builder route = Route.newBuilder()
        .setName(ir.name())
        .setMatch(match(ir.match()))
        .setMetadata(SourceMetadata.of(ir.source()));
    if (ir.action() instanceof RouteActionIR.Forward forward) {
      route.setRoute(forward(ir, forward));
    } else if (ir.action() instanceof RouteActionIR.Redirect redirect) {
      route.setRedirect(redirect(ir.match(), redirect));
    } else if (ir.action() instanceof RouteActionIR.DirectResponse direct) {
      DirectResponseAction.Builder d = DirectResponseAction.newBuilder().setStatus(direct.status());
      if (direct.body() != null) {
        d.getBodyBuilder().setInlineString(direct.body());
      }
      route.setDirectResponse(d);
    }
    addHeaderEdits(ir.requestHeaders(), route, true);
    addHeaderEdits(ir.responseHeaders(), route, false);
    return route.build();
  }

  static RouteMatch match(RouteMatchIR ir) {
    RouteMatch.Builder m = RouteMatch.newBuilder();
    switch (ir.path().kind()) {
      case EXACT -> m.setPath(ir.path().value());
      case PREFIX -> {
        if (ir.path().value().equals("/")) {
          m.setPrefix("/");
        } else {
          // matches /foo and /foo/..., never /foobar: the Gateway API's segment semantics
          m.setPathSeparatedPrefix(ir.path().value());
        }
      }
      case REGEX -> m.setSafeRegex(regex(ir.path().value()));
    }
    for (RouteMatchIR.ValueMatch h : ir.headers()) {
      m.addHeaders(HeaderMatcher.newBuilder().setName(h.name()).setStringMatch(stringMatch(h)));
    }
    if (ir.method() != null) {
      m.addHeaders(HeaderMatcher.newBuilder().setName(":method")
          .setStringMatch(StringMatcher.newBuilder().setExact(ir.method())));
    }
    for (RouteMatchIR.ValueMatch q : ir.queryParams()) {
      m.addQueryParameters(QueryParameterMatcher.newBuilder().setName(q.name()).setStringMatch(stringMatch(q)));
    }
    return m.build();
  }

  private static StringMatcher stringMatch(RouteMatchIR.ValueMatch v) {
    return v.regex()
        ? StringMatcher.newBuilder().setSafeRegex(regex(v.value())).build()
        : StringMatcher.newBuilder().setExact(v.value()).build();
  }

  private static RegexMatcher regex(String pattern) {
    return RegexMatcher.newBuilder().setRegex(pattern).build();
  }

  private static RouteAction forward(RouteIR ir, RouteActionIR.Forward forward) {
    RouteAction.Builder action = RouteAction.newBuilder()
        // a weighted share whose backend did not resolve points at a cluster that does not exist: 500, not 503
        .setClusterNotFoundResponseCode(RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR);
    if (forward.backends().size() == 1) {
      action.setCluster(clusterName(ir, 0, forward.backends().get(0)));
    } else {
      WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
      for (int i = 0; i < forward.backends().size(); i++) {
        RouteActionIR.WeightedBackend b = forward.backends().get(i);
        weighted.addClusters(WeightedCluster.ClusterWeight.newBuilder()
            .setName(clusterName(ir, i, b))
            .setWeight(UInt32Value.of(b.weight())));
      }
      action.setWeightedClusters(weighted);
    }
    RouteActionIR.UrlRewrite rewrite = forward.rewrite();
    if (rewrite != null) {
      if (rewrite.hostname() != null) {
        action.setHostRewriteLiteral(rewrite.hostname());
      }
      if (rewrite.fullPath() != null) {
        action.setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
            .setPattern(regex("^/.*$")).setSubstitution(rewrite.fullPath()));
      } else if (rewrite.prefix() != null) {
        prefixRewrite(ir.match(), rewrite.prefix(), action);
      }
    }
    return action.build();
  }

  /**
   * Replaces the matched prefix. Envoy's plain prefix_rewrite would turn {@code /foo/bar} into {@code //bar} when
   * the replacement is "/", so that case is a regex that also eats the separator.
   */
  private static void prefixRewrite(RouteMatchIR match, String replacement, RouteAction.Builder action) {
    String matched = match.path().kind() == RouteMatchIR.PathKind.PREFIX ? match.path().value() : "/";
    if (replacement.equals("/") && !matched.equals("/")) {
      action.setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
          .setPattern(regex("^" + quoteRegex(matched) + "/*")).setSubstitution("/"));
    } else {
      action.setPrefixRewrite(replacement);
    }
  }

  /** Escapes RE2 metacharacters so that a literal path can sit inside a pattern. */
  static String quoteRegex(String literal) {
    StringBuilder sb = new StringBuilder(literal.length() + 8);
    for (char c : literal.toCharArray()) {
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  private static String clusterName(RouteIR ir, int index, RouteActionIR.WeightedBackend b) {
    return b.cluster() != null ? b.cluster() : UNRESOLVED_CLUSTER_PREFIX + ir.name() + "/" + index;
  }

  private static RedirectAction redirect(RouteMatchIR match, RouteActionIR.Redirect r) {
    RedirectAction.Builder redirect = RedirectAction.newBuilder();
    if (r.scheme() != null) {
      redirect.setSchemeRedirect(r.scheme());
    }
    if (r.hostname() != null) {
      redirect.setHostRedirect(r.hostname());
    }
    if (r.port() != null) {
      redirect.setPortRedirect(r.port());
    }
    // Without a port, the spec wants the scheme's well-known port and no port in Location. Envoy writes any
    // port_redirect into Location verbatim, and our listeners strip the request's port (strip_any_host_port), so
    // leaving port_redirect unset yields exactly "scheme://host/path".
    if (r.fullPath() != null) {
      redirect.setPathRedirect(r.fullPath());
    } else if (r.prefix() != null) {
      String matched = match.path().kind() == RouteMatchIR.PathKind.PREFIX ? match.path().value() : "/";
      if (r.prefix().equals("/") && !matched.equals("/")) {
        redirect.setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
            .setPattern(regex("^" + quoteRegex(matched) + "/*")).setSubstitution("/"));
      } else {
        redirect.setPrefixRewrite(r.prefix());
      }
    }
    redirect.setResponseCode(switch (r.statusCode()) {
      case 301 -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
      case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
      case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
      case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
      default -> RedirectAction.RedirectResponseCode.FOUND;
    });
    return redirect.build();
  }

  private static void addHeaderEdits(HeaderEditsIR edits, Route.Builder route, boolean request) {
    for (HeaderEditsIR.Header h : edits.set()) {
      HeaderValueOption o = headerOption(h, HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
      if (request) {
        route.addRequestHeadersToAdd(o);
      } else {
        route.addResponseHeadersToAdd(o);
      }
    }
    for (HeaderEditsIR.Header h : edits.add()) {
      HeaderValueOption o = headerOption(h, HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD);
      if (request) {
        route.addRequestHeadersToAdd(o);
      } else {
        route.addResponseHeadersToAdd(o);
      }
    }
    for (String name : edits.remove()) {
      if (request) {
        route.addRequestHeadersToRemove(name);
      } else {
        route.addResponseHeadersToRemove(name);
      }
    }
  }

  private static HeaderValueOption headerOption(HeaderEditsIR.Header h, HeaderValueOption.HeaderAppendAction action) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(h.name()).setValue(h.value()))
        .setAppendAction(action)
        .build();
  }
}
