package io.gloo.core.translate.xds;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.gloo.core.ir.CorsIR;
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

  /** The HTTP filter that serves CORS policies; the listener has it when one of its routes has a policy. */
  public static final String CORS_FILTER = "envoy.filters.http.cors";

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
    if (ir.cors() != null) {
      route.putTypedPerFilterConfig(CORS_FILTER, Any.pack(cors(ir.cors())));
    }
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
      case STRING_PREFIX -> m.setPrefix(ir.path().value());
    }
    if (!ir.caseSensitive()) {
      m.setCaseSensitive(com.google.protobuf.BoolValue.of(false));
    }
    for (RouteMatchIR.ValueMatch h : ir.headers()) {
      HeaderMatcher.Builder header = HeaderMatcher.newBuilder().setName(h.name()).setInvertMatch(h.invert());
      if (h.value() == null) {
        header.setPresentMatch(true);
      } else {
        header.setStringMatch(stringMatch(h));
      }
      m.addHeaders(header);
    }
    if (ir.method() != null) {
      m.addHeaders(HeaderMatcher.newBuilder().setName(":method")
          .setStringMatch(StringMatcher.newBuilder().setExact(ir.method())));
    }
    for (RouteMatchIR.ValueMatch q : ir.queryParams()) {
      m.addQueryParameters(q.value() == null
          ? QueryParameterMatcher.newBuilder().setName(q.name()).setPresentMatch(true)
          : QueryParameterMatcher.newBuilder().setName(q.name()).setStringMatch(stringMatch(q)));
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
    boolean perBackendEdits = forward.backends().stream()
        .anyMatch(b -> !b.requestHeaders().isEmpty() || !b.responseHeaders().isEmpty());
    if (forward.backends().size() == 1 && !perBackendEdits) {
      action.setCluster(clusterName(ir, 0, forward.backends().get(0)));
    } else {
      // backendRef filters: header edits that apply only when that backend is picked (ClusterWeight level)
      WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
      for (int i = 0; i < forward.backends().size(); i++) {
        RouteActionIR.WeightedBackend b = forward.backends().get(i);
        WeightedCluster.ClusterWeight.Builder cw = WeightedCluster.ClusterWeight.newBuilder()
            .setName(clusterName(ir, i, b))
            .setWeight(UInt32Value.of(b.weight()));
        HeaderEdits.apply(b.requestHeaders(), cw::addRequestHeadersToAdd, cw::addRequestHeadersToRemove);
        HeaderEdits.apply(b.responseHeaders(), cw::addResponseHeadersToAdd, cw::addResponseHeadersToRemove);
        weighted.addClusters(cw);
      }
      action.setWeightedClusters(weighted);
    }
    for (RouteActionIR.Mirror m : forward.mirrors()) {
      RouteAction.RequestMirrorPolicy.Builder mirror = RouteAction.RequestMirrorPolicy.newBuilder()
          .setCluster(m.cluster());
      if (m.perMillion() < 1_000_000) {
        mirror.setRuntimeFraction(RuntimeFractionalPercent.newBuilder().setDefaultValue(fraction(m.perMillion())));
      }
      action.addRequestMirrorPolicies(mirror);
    }
    timeoutsAndRetry(forward, action);
    if (forward.websocket()) {
      action.addUpgradeConfigs(RouteAction.UpgradeConfig.newBuilder().setUpgradeType("websocket"));
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

  /** Per million as the coarsest exact Envoy fraction (20% stays "20 per HUNDRED"). */
  private static FractionalPercent fraction(int perMillion) {
    if (perMillion % 10_000 == 0) {
      return FractionalPercent.newBuilder().setNumerator(perMillion / 10_000)
          .setDenominator(FractionalPercent.DenominatorType.HUNDRED).build();
    }
    if (perMillion % 100 == 0) {
      return FractionalPercent.newBuilder().setNumerator(perMillion / 100)
          .setDenominator(FractionalPercent.DenominatorType.TEN_THOUSAND).build();
    }
    return FractionalPercent.newBuilder().setNumerator(perMillion)
        .setDenominator(FractionalPercent.DenominatorType.MILLION).build();
  }

  /**
   * Envoy Gateway's mapping: {@code request} is the route timeout (the whole exchange, retries included);
   * {@code backendRequest} is the per-try timeout of the retry policy. A retry policy that exists only to carry
   * the per-try timeout retries nothing ({@code num_retries: 0}). When only {@code backendRequest} is set, the route
   * timeout is widened to cover every attempt so that Envoy's 15s default does not cut it short.
   */
  private static void timeoutsAndRetry(RouteActionIR.Forward forward, RouteAction.Builder action) {
    RouteActionIR.Timeouts t = forward.timeouts();
    RouteActionIR.Retry r = forward.retry();
    Long perTry = t == null ? null : t.backendRequestMillis();
    if (t != null && t.requestMillis() != null) {
      action.setTimeout(Durations.fromMillis(t.requestMillis()));
    } else if (perTry != null) {
      long attempts = 1 + (r == null ? 0 : r.attempts());
      action.setTimeout(Durations.fromMillis(perTry == 0 ? 0 : perTry * attempts));
    }
    if (r == null && perTry == null) {
      return;
    }
    RetryPolicy.Builder retry = RetryPolicy.newBuilder();
    if (r == null) {
      retry.setNumRetries(UInt32Value.of(0));
    } else {
      // The spec: with a retry stanza, connection errors are always retried; codes add retriable statuses.
      String on = "connect-failure,refused-stream,reset";
      if (!r.codes().isEmpty()) {
        on += ",retriable-status-codes";
        r.codes().forEach(retry::addRetriableStatusCodes);
      }
      retry.setRetryOn(on).setNumRetries(UInt32Value.of(r.attempts()));
      if (r.backoffMillis() != null) {
        retry.setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder()
            .setBaseInterval(Durations.fromMillis(r.backoffMillis())));
      }
    }
    if (perTry != null && perTry > 0) {
      retry.setPerTryTimeout(Durations.fromMillis(perTry));
    }
    action.setRetryPolicy(retry);
  }

  /**
   * The Gateway API's HTTPCORSFilter as Envoy's per-route CorsPolicy. A preflight from an origin not allowed is
   * answered by Envoy (200 without access-control-allow-origin), not forwarded to the backend
   * ({@code forward_not_matching_preflights: false}), as the conformance test HTTPRouteCORS requires. A {@code *} in
   * allowMethods/allowHeaders stays {@code *}: Envoy's CORS filter answers a preflight with the requested method and
   * headers for it, which is what the spec requires when credentials are allowed; for allowOrigins, Envoy always
   * answers with the request's origin.
   */
  static CorsPolicy cors(CorsIR cors) {
    CorsPolicy.Builder p = CorsPolicy.newBuilder()
        .setForwardNotMatchingPreflights(com.google.protobuf.BoolValue.of(false));
    for (String origin : cors.allowOrigins()) {
      p.addAllowOriginStringMatch(originMatcher(origin));
    }
    if (!cors.allowMethods().isEmpty()) {
      p.setAllowMethods(String.join(",", cors.allowMethods()));
    }
    if (!cors.allowHeaders().isEmpty()) {
      p.setAllowHeaders(String.join(",", cors.allowHeaders()));
    }
    if (!cors.exposeHeaders().isEmpty()) {
      p.setExposeHeaders(String.join(",", cors.exposeHeaders()));
    }
    if (cors.maxAgeSeconds() != null) {
      p.setMaxAge(Integer.toString(cors.maxAgeSeconds()));
    }
    if (cors.allowCredentials()) {
      p.setAllowCredentials(com.google.protobuf.BoolValue.of(true));
    }
    return p.build();
  }

  /**
   * {@code *} matches any origin; an origin with {@code *} in its host ({@code https://*.example.com}) is a regex
   * where the wildcard stands for one or more DNS labels; anything else is exact (origins compare case-insensitively
   * in scheme and host, and Envoy's exact match is case-sensitive, so lowercase it).
   */
  static StringMatcher originMatcher(String origin) {
    if (origin.equals("*")) {
      return StringMatcher.newBuilder().setSafeRegex(regex(".*")).build();
    }
    if (origin.contains("*")) {
      StringBuilder re = new StringBuilder("^");
      String[] parts = origin.toLowerCase(java.util.Locale.ROOT).split("\\*", -1);
      for (int i = 0; i < parts.length; i++) {
        if (i > 0) {
          re.append("[a-z0-9-]+(\\.[a-z0-9-]+)*");
        }
        re.append(quoteRegex(parts[i]));
      }
      return StringMatcher.newBuilder().setSafeRegex(regex(re.append("$").toString())).build();
    }
    return StringMatcher.newBuilder().setExact(origin.toLowerCase(java.util.Locale.ROOT)).setIgnoreCase(true).build();
  }

  /**
   * ReplacePrefixMatch in Envoy terms: a {@code prefix_rewrite}, or a {@code regex_rewrite} where a plain prefix
   * rewrite would double or lose a slash. The Gateway API compares whole segments, so trailing slashes of the
   * replacement do not count: {@code /foo} → {@code /xyz/} turns {@code /foo/bar} into {@code /xyz/bar}, not
   * {@code /xyz//bar}; an empty (or "/") replacement turns {@code /foo/bar} into {@code /bar} and {@code /foo}
   * into {@code /}; under the prefix {@code /}, {@code /bar} becomes {@code /xyz/bar}, not {@code /xyzbar}.
   */
  record PrefixReplacement(String prefix, RegexMatchAndSubstitute regex) {
    static PrefixReplacement of(RouteMatchIR match, String replacement) {
      String matched = match.path().kind() == RouteMatchIR.PathKind.PREFIX
          || match.path().kind() == RouteMatchIR.PathKind.STRING_PREFIX ? match.path().value() : "/";
      String r = replacement.replaceAll("/+$", "");
      if (matched.equals("/")) {
        return r.isEmpty() ? new PrefixReplacement("/", null)
            : new PrefixReplacement(null, RegexMatchAndSubstitute.newBuilder()
                .setPattern(RouteBuilder.regex("^/")).setSubstitution(r + "/").build());
      }
      if (r.isEmpty()) {
        return new PrefixReplacement(null, RegexMatchAndSubstitute.newBuilder()
            .setPattern(RouteBuilder.regex("^" + quoteRegex(matched) + "/*")).setSubstitution("/").build());
      }
      return new PrefixReplacement(r, null);
    }
  }

  private static void prefixRewrite(RouteMatchIR match, String replacement, RouteAction.Builder action) {
    PrefixReplacement p = PrefixReplacement.of(match, replacement);
    if (p.regex() != null) {
      action.setRegexRewrite(p.regex());
    } else {
      action.setPrefixRewrite(p.prefix());
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
      PrefixReplacement p = PrefixReplacement.of(match, r.prefix());
      if (p.regex() != null) {
        redirect.setRegexRewrite(p.regex());
      } else {
        redirect.setPrefixRewrite(p.prefix());
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
    if (request) {
      HeaderEdits.apply(edits, route::addRequestHeadersToAdd, route::addRequestHeadersToRemove);
    } else {
      HeaderEdits.apply(edits, route::addResponseHeadersToAdd, route::addResponseHeadersToRemove);
    }
  }

  /** Gateway API header edits as Envoy header options: set overwrites, add appends, remove deletes. */
  private static final class HeaderEdits {
    static void apply(HeaderEditsIR edits, java.util.function.Consumer<HeaderValueOption> add,
        java.util.function.Consumer<String> remove) {
      for (HeaderEditsIR.Header h : edits.set()) {
        add.accept(headerOption(h, HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
      }
      for (HeaderEditsIR.Header h : edits.add()) {
        add.accept(headerOption(h, HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD));
      }
      edits.remove().forEach(remove);
    }
  }

  private static HeaderValueOption headerOption(HeaderEditsIR.Header h, HeaderValueOption.HeaderAppendAction action) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(h.name()).setValue(h.value()))
        .setAppendAction(action)
        .build();
  }
}
