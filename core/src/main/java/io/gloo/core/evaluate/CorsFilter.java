package io.gloo.core.evaluate;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Envoy's CORS filter ({@code envoy.filters.http.cors}, source/extensions/filters/http/cors/cors_filter.cc) as the
 * evaluator applies it.
 *
 * <ul>
 *   <li>It runs only when the connection manager's http_filters have it, and only for a route with a route action
 *       (Envoy's {@code routeEntry()} is null for redirects and direct responses).
 *   <li>Policies: the {@code typed_per_filter_config} under the filter's name at the picked weighted cluster, route,
 *       virtual host and route configuration levels ({@code FilterConfig} wrappers unwrapped); each setting is taken from the most specific
 *       policy that sets it; filter_enabled/shadow_enabled only from the most specific policy. Only when there is no
 *       per-filter config at all, the deprecated {@code cors} fields of the route action and virtual host.
 *   <li>filter_enabled (default on) and shadow_enabled (default off) are runtime fractions: enabled when
 *       {@code random % denominator < numerator} (runtime overrides are not known). Shadow mode only counts.
 *   <li>A request with a non-empty Origin is a CORS request; the origin is allowed when a matcher of
 *       allow_origin_string_match matches it, or matches the literal {@code *}.
 *   <li>Preflight = OPTIONS with Origin and a non-empty Access-Control-Request-Method. A disallowed origin's preflight
 *       goes on to the router when forward_not_matching_preflights (default true); otherwise, and for an allowed
 *       origin, the filter answers 200 itself with access-control-allow-origin (the origin, when allowed),
 *       -allow-credentials (when true), -allow-methods ({@code *} echoes Access-Control-Request-Method),
 *       -allow-headers ({@code *} echoes Access-Control-Request-Headers), -max-age, and
 *       -allow-private-network when configured and requested.
 *   <li>Responses to CORS requests with an allowed origin (backend answers, local replies and the filter's own
 *       preflight answer, which passes its encoder too) get access-control-allow-origin (the origin),
 *       -allow-credentials (when true) and -expose-headers, replacing any the response had.
 * </ul>
 */
final class CorsFilter {

  static final String DEFAULT_NAME = "envoy.filters.http.cors";

  /** The settings of one policy, whichever message it came from. Null means unset. */
  record Policy(String level, List<StringMatcher> allowOrigins, String allowMethods, String allowHeaders,
      String exposeHeaders, String maxAge, Boolean allowCredentials, RuntimeFractionalPercent filterEnabled,
      RuntimeFractionalPercent shadowEnabled, Boolean allowPrivateNetworkAccess,
      Boolean forwardNotMatchingPreflights) {

    static Policy of(String level, CorsPolicy p) {
      return new Policy(level, p.getAllowOriginStringMatchList(), p.getAllowMethods(), p.getAllowHeaders(),
          p.getExposeHeaders(), p.getMaxAge(), p.hasAllowCredentials() ? bool(p.getAllowCredentials()) : null,
          p.hasFilterEnabled() ? p.getFilterEnabled() : null, p.hasShadowEnabled() ? p.getShadowEnabled() : null,
          p.hasAllowPrivateNetworkAccess() ? bool(p.getAllowPrivateNetworkAccess()) : null,
          p.hasForwardNotMatchingPreflights() ? bool(p.getForwardNotMatchingPreflights()) : null);
    }

    @SuppressWarnings("deprecation")
    static Policy of(String level, io.envoyproxy.envoy.config.route.v3.CorsPolicy p) {
      return new Policy(level, p.getAllowOriginStringMatchList(), p.getAllowMethods(), p.getAllowHeaders(),
          p.getExposeHeaders(), p.getMaxAge(), p.hasAllowCredentials() ? bool(p.getAllowCredentials()) : null,
          p.hasFilterEnabled() ? p.getFilterEnabled() : null, p.hasShadowEnabled() ? p.getShadowEnabled() : null,
          p.hasAllowPrivateNetworkAccess() ? bool(p.getAllowPrivateNetworkAccess()) : null,
          p.hasForwardNotMatchingPreflights() ? bool(p.getForwardNotMatchingPreflights()) : null);
    }

    private static Boolean bool(BoolValue v) {
      return v.getValue();
    }
  }

  /** What the filter decided on the request path: a preflight answer, or the headers its encoder will set. */
  static final class State {
    /** Non-null when the filter answers the preflight itself (status 200). */
    HeaderMap preflightResponse;
    /** The latched origin when the request is a CORS request with an allowed origin, else null. */
    String allowedOrigin;
    private final List<Policy> policies;

    State(List<Policy> policies) {
      this.policies = policies;
    }

    /** The filter's encodeHeaders: sets the CORS response headers for an allowed origin. */
    void encode(HeaderMap response, List<String> trace) {
      if (allowedOrigin == null) {
        return;
      }
      response.set("access-control-allow-origin", allowedOrigin);
      if (Boolean.TRUE.equals(first(policies, Policy::allowCredentials))) {
        response.set("access-control-allow-credentials", "true");
      }
      String expose = firstString(policies, Policy::exposeHeaders);
      if (!expose.isEmpty()) {
        response.set("access-control-expose-headers", expose);
      }
      trace.add("cors: response headers access-control-allow-origin: " + allowedOrigin
          + (Boolean.TRUE.equals(first(policies, Policy::allowCredentials)) ? ", access-control-allow-credentials"
              : "")
          + (expose.isEmpty() ? "" : ", access-control-expose-headers"));
    }
  }

  /** The CORS filter of the connection manager, or null when it has none. */
  static HttpFilter find(HttpConnectionManager hcm) {
    for (HttpFilter f : hcm.getHttpFiltersList()) {
      if (f.getTypedConfig().is(Cors.class)) {
        return f;
      }
    }
    return null;
  }

  private CorsFilter() {}

  /**
   * The filter's decodeHeaders for a route with a route action. Returns null when the filter does nothing for the
   * request (not configured, disabled, shadow only, or no Origin).
   */
  static State decode(HttpFilter filter, RouteConfiguration rc, VirtualHost vh, Route route,
      WeightedCluster.ClusterWeight pick, HeaderMap headers, long random, List<String> trace) {
    String name = filter.getName();
    // The filter can be disabled in the connection manager and enabled per route by a FilterConfig, or the reverse.
    Boolean disabled = filter.getDisabled();
    String disabledBy = "connection manager";
    List<Policy> policies = new ArrayList<>();
    Object[][] levels = {
        {"weighted cluster", pick == null ? null : pick.getTypedPerFilterConfigMap().get(name)},
        {"route", route.getTypedPerFilterConfigMap().get(name)},
        {"virtual host", vh.getTypedPerFilterConfigMap().get(name)},
        {"route configuration", rc.getTypedPerFilterConfigMap().get(name)}};
    boolean disabledSet = false;
    for (Object[] level : levels) {
      Any any = (Any) level[1];
      if (any == null) {
        continue;
      }
      String where = (String) level[0];
      Any config = any;
      if (any.is(FilterConfig.class)) {
        FilterConfig fc = unpack(any, FilterConfig.class);
        if (!disabledSet) {
          disabled = fc.getDisabled();
          disabledBy = where + " FilterConfig";
          disabledSet = true;
        }
        config = fc.hasConfig() ? fc.getConfig() : null;
      }
      if (config != null && config.is(CorsPolicy.class)) {
        policies.add(Policy.of(where, unpack(config, CorsPolicy.class)));
      }
    }
    if (disabled) {
      trace.add("cors: filter " + name + " is disabled (" + disabledBy + ")");
      return null;
    }
    if (policies.isEmpty()) {
      // Only without any per-filter config: the deprecated cors fields of the route action and virtual host.
      if (route.getRoute().hasCors()) {
        policies.add(Policy.of("route (legacy cors)", route.getRoute().getCors()));
      }
      if (vh.hasCors()) {
        policies.add(Policy.of("virtual host (legacy cors)", vh.getCors()));
      }
    }
    if (policies.isEmpty()) {
      return null;
    }
    Policy top = policies.get(0);
    boolean enabled = top.filterEnabled() == null || featureEnabled(top.filterEnabled(), random);
    boolean shadow = top.shadowEnabled() != null && featureEnabled(top.shadowEnabled(), random);
    if (!enabled && !shadow) {
      trace.add("cors: policy (" + top.level() + ") not enabled for this request (filter_enabled)");
      return null;
    }
    String origin = headers.get("origin");
    if (origin == null || origin.isEmpty()) {
      return null;
    }
    List<StringMatcher> allowOrigins = List.of();
    for (Policy p : policies) {
      if (!p.allowOrigins().isEmpty()) {
        allowOrigins = p.allowOrigins();
        break;
      }
    }
    boolean allowed = false;
    for (StringMatcher m : allowOrigins) {
      // a matcher that accepts the literal "*" allows every origin
      if (EnvoyMatchers.matches(m, "*") || EnvoyMatchers.matches(m, origin)) {
        allowed = true;
        break;
      }
    }
    String levelsDesc = String.join(", ", policies.stream().map(Policy::level).toList());
    if (!enabled) {
      trace.add("cors: shadow mode only (" + levelsDesc + "): origin " + origin + (allowed ? " valid" : " invalid")
          + ", not enforced");
      return null;
    }
    State state = new State(policies);
    if (allowed) {
      state.allowedOrigin = origin;
    }
    String method = headers.get(":method");
    String requestMethod = headers.get("access-control-request-method");
    if (!"OPTIONS".equals(method) || requestMethod == null || requestMethod.isEmpty()) {
      trace.add("cors: CORS request (policy " + levelsDesc + "), origin " + origin
          + (allowed ? " allowed" : " not allowed: no CORS response headers"));
      return state;
    }
    if (!allowed && !Boolean.FALSE.equals(first(policies, Policy::forwardNotMatchingPreflights))) {
      trace.add("cors: preflight from origin " + origin + " not allowed (policy " + levelsDesc
          + "): forwarded (forward_not_matching_preflights)");
      return state;
    }
    HeaderMap response = new HeaderMap();
    if (allowed) {
      response.set("access-control-allow-origin", origin);
    }
    if (Boolean.TRUE.equals(first(policies, Policy::allowCredentials))) {
      response.set("access-control-allow-credentials", "true");
    }
    String allowMethods = firstString(policies, Policy::allowMethods);
    if (!allowMethods.isEmpty()) {
      response.set("access-control-allow-methods", allowMethods.equals("*") ? requestMethod : allowMethods);
    }
    String allowHeaders = firstString(policies, Policy::allowHeaders);
    if (!allowHeaders.isEmpty()) {
      String requested = headers.get("access-control-request-headers");
      response.set("access-control-allow-headers",
          allowHeaders.equals("*") ? (requested == null ? "" : requested) : allowHeaders);
    }
    String maxAge = firstString(policies, Policy::maxAge);
    if (!maxAge.isEmpty()) {
      response.set("access-control-max-age", maxAge);
    }
    if (Boolean.TRUE.equals(first(policies, Policy::allowPrivateNetworkAccess))
        && "true".equals(headers.get("access-control-request-private-network"))) {
      response.set("access-control-allow-private-network", "true");
    }
    trace.add("cors: preflight from origin " + origin + (allowed ? " allowed" : " not allowed")
        + " (policy " + levelsDesc + "): answered 200 by the CORS filter");
    // The answer goes through the filter's own encoder too.
    state.encode(response, trace);
    state.preflightResponse = response;
    return state;
  }

  private static <T> T first(List<Policy> policies, Function<Policy, T> field) {
    for (Policy p : policies) {
      T v = field.apply(p);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  private static String firstString(List<Policy> policies, Function<Policy, String> field) {
    for (Policy p : policies) {
      String v = field.apply(p);
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return "";
  }

  private static boolean featureEnabled(RuntimeFractionalPercent f, long random) {
    FractionalPercent p = f.getDefaultValue();
    long denominator = switch (p.getDenominator()) {
      case TEN_THOUSAND -> 10_000;
      case MILLION -> 1_000_000;
      default -> 100;
    };
    return Long.remainderUnsigned(random, denominator) < p.getNumerator();
  }

  private static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("malformed " + type.getSimpleName() + " in typed_per_filter_config", e);
    }
  }
}
