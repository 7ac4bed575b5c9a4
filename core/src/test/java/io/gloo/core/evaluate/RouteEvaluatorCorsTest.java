package io.gloo.core.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.gloo.core.evaluate.RouteDecision.Outcome;
import io.gloo.core.translate.XdsResources;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Envoy's CORS filter (envoy.filters.http.cors) as the evaluator applies it, on hand-built protos. */
class RouteEvaluatorCorsTest {

  private static final String CORS = "envoy.filters.http.cors";

  private static XdsResources xds(boolean corsFilter, VirtualHost vh) {
    HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix("t")
        .setRds(Rds.newBuilder().setRouteConfigName("rc"));
    if (corsFilter) {
      hcm.addHttpFilters(HttpFilter.newBuilder().setName(CORS).setTypedConfig(Any.pack(Cors.getDefaultInstance())));
    }
    hcm.addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
        .setTypedConfig(Any.pack(Router.getDefaultInstance())));
    Listener l = Listener.newBuilder().setName("l80")
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setPortValue(80)))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm.build()))))
        .build();
    RouteConfiguration rc = RouteConfiguration.newBuilder().setName("rc").addVirtualHosts(vh).build();
    return new XdsResources(List.of(l), List.of(rc), List.of(Cluster.newBuilder().setName("c").build()), List.of(),
        List.of());
  }

  private static Route.Builder route(String prefix) {
    return Route.newBuilder().setName("r" + prefix).setMatch(RouteMatch.newBuilder().setPrefix(prefix))
        .setRoute(RouteAction.newBuilder().setCluster("c"));
  }

  private static VirtualHost.Builder vhost(Route.Builder... routes) {
    VirtualHost.Builder vh = VirtualHost.newBuilder().setName("vh").addDomains("*");
    for (Route.Builder r : routes) {
      vh.addRoutes(r);
    }
    return vh;
  }

  private static StringMatcher exact(String origin) {
    return StringMatcher.newBuilder().setExact(origin).build();
  }

  private static StringMatcher regex(String re) {
    return StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(re)).build();
  }

  /** allow https://www.foo.com, GET,OPTIONS, x-header-1, expose x-header-3, max-age 3600, credentials. */
  private static CorsPolicy.Builder policy() {
    return CorsPolicy.newBuilder()
        .addAllowOriginStringMatch(exact("https://www.foo.com"))
        .setAllowMethods("GET,OPTIONS")
        .setAllowHeaders("x-header-1")
        .setExposeHeaders("x-header-3")
        .setMaxAge("3600")
        .setAllowCredentials(BoolValue.of(true));
  }

  private static Route.Builder withPolicy(Route.Builder r, CorsPolicy.Builder p) {
    return r.putTypedPerFilterConfig(CORS, Any.pack(p.build()));
  }

  private static RouteDecision preflight(XdsResources xds, String path, String origin, String method,
      String... headers) {
    TestRequest.Builder b = TestRequest.builder().method("OPTIONS").path(path).authority("example.com")
        .header("origin", origin).header("access-control-request-method", method);
    if (headers.length > 0) {
      b.header("access-control-request-headers", String.join(", ", headers));
    }
    return new RouteEvaluator(xds).evaluate(b.build());
  }

  private static RouteDecision simple(XdsResources xds, String method, String path, String origin) {
    return new RouteEvaluator(xds).evaluate(TestRequest.builder().method(method).path(path).authority("example.com")
        .header("origin", origin).build());
  }

  private static HeaderMap response(RouteDecision d) {
    HeaderMap h = new HeaderMap();
    d.responseHeaders().forEach(e -> h.add(e.name(), e.value()));
    return h;
  }

  @Test
  void preflightFromAnAllowedOriginIsAnsweredByTheFilter() {
    XdsResources xds = xds(true, vhost(withPolicy(route("/"), policy())).build());
    RouteDecision d = preflight(xds, "/a", "https://www.foo.com", "GET", "x-header-1");
    assertEquals(Outcome.CORS_PREFLIGHT, d.outcome());
    assertEquals(200, d.status());
    assertNull(d.upstream(), "not proxied");
    assertEquals("c", d.cluster(), "the route is still resolved");
    HeaderMap h = response(d);
    assertEquals("https://www.foo.com", h.get("access-control-allow-origin"));
    assertEquals("GET,OPTIONS", h.get("access-control-allow-methods"));
    assertEquals("x-header-1", h.get("access-control-allow-headers"));
    assertEquals("3600", h.get("access-control-max-age"));
    assertEquals("true", h.get("access-control-allow-credentials"));
    // the answer passes the filter's encoder, which adds the expose headers
    assertEquals("x-header-3", h.get("access-control-expose-headers"));
    assertTrue(d.trace().stream().anyMatch(t -> t.contains("preflight") && t.contains("answered 200")), d.trace()
        .toString());
  }

  @Test
  void preflightFromAnotherOriginIsForwardedByDefault() {
    XdsResources xds = xds(true, vhost(withPolicy(route("/"), policy())).build());
    RouteDecision d = preflight(xds, "/a", "https://evil.com", "GET");
    assertEquals(Outcome.FORWARD, d.outcome());
    assertEquals("OPTIONS", d.upstream().method());
    assertFalse(response(d).contains("access-control-allow-origin"));
    assertTrue(d.trace().stream().anyMatch(t -> t.contains("forward_not_matching_preflights")));
  }

  @Test
  void preflightFromAnotherOriginIsAnsweredWithoutAllowOriginWhenNotForwarded() {
    XdsResources xds = xds(true, vhost(withPolicy(route("/"),
        policy().setForwardNotMatchingPreflights(BoolValue.of(false)))).build());
    RouteDecision d = preflight(xds, "/a", "https://evil.com", "GET");
    assertEquals(Outcome.CORS_PREFLIGHT, d.outcome());
    assertEquals(200, d.status());
    HeaderMap h = response(d);
    assertFalse(h.contains("access-control-allow-origin"));
    assertFalse(h.contains("access-control-expose-headers"), "the encoder adds nothing for a disallowed origin");
    // Envoy still sets the other preflight headers
    assertEquals("GET,OPTIONS", h.get("access-control-allow-methods"));
  }

  @Test
  void simpleRequestsGetAllowOriginCredentialsAndExposeHeaders() {
    XdsResources xds = xds(true, vhost(withPolicy(route("/"), policy())).build());
    RouteDecision ok = simple(xds, "GET", "/a", "https://www.foo.com");
    assertEquals(Outcome.FORWARD, ok.outcome());
    HeaderMap h = response(ok);
    assertEquals("https://www.foo.com", h.get("access-control-allow-origin"));
    assertEquals("true", h.get("access-control-allow-credentials"));
    assertEquals("x-header-3", h.get("access-control-expose-headers"));
    assertFalse(h.contains("access-control-allow-methods"), "preflight-only header");
    assertFalse(h.contains("access-control-max-age"), "preflight-only header");

    HeaderMap denied = response(simple(xds, "GET", "/a", "https://evil.com"));
    assertFalse(denied.contains("access-control-allow-origin"));
    assertFalse(denied.contains("access-control-allow-credentials"));

    // OPTIONS without Access-Control-Request-Method is no preflight: forwarded, with the CORS headers
    RouteDecision options = simple(xds, "OPTIONS", "/a", "https://www.foo.com");
    assertEquals(Outcome.FORWARD, options.outcome());
    assertEquals("https://www.foo.com", response(options).get("access-control-allow-origin"));

    // no Origin: not a CORS request
    RouteDecision plain = new RouteEvaluator(xds).evaluate(TestRequest.get("example.com", "/a"));
    assertFalse(response(plain).contains("access-control-allow-origin"));
  }

  @Test
  void credentialsOnlyWhenTrue() {
    XdsResources xds = xds(true, vhost(withPolicy(route("/"),
        policy().setAllowCredentials(BoolValue.of(false)))).build());
    assertFalse(response(preflight(xds, "/a", "https://www.foo.com", "GET"))
        .contains("access-control-allow-credentials"));
    assertFalse(response(simple(xds, "GET", "/a", "https://www.foo.com"))
        .contains("access-control-allow-credentials"));
  }

  @Test
  void wildcardOriginRegexEchoesTheOriginAndStarMethodsHeadersEchoTheRequest() {
    CorsPolicy.Builder p = CorsPolicy.newBuilder().addAllowOriginStringMatch(regex(".*"))
        .setAllowMethods("*").setAllowHeaders("*").setAllowCredentials(BoolValue.of(true));
    XdsResources xds = xds(true, vhost(withPolicy(route("/"), p)).build());
    RouteDecision d = preflight(xds, "/a", "https://any.example:8443", "PUT", "x-a", "x-b");
    assertEquals(Outcome.CORS_PREFLIGHT, d.outcome());
    HeaderMap h = response(d);
    assertEquals("https://any.example:8443", h.get("access-control-allow-origin"), "the origin, never '*'");
    assertEquals("PUT", h.get("access-control-allow-methods"));
    assertEquals("x-a, x-b", h.get("access-control-allow-headers"));
    assertEquals("true", h.get("access-control-allow-credentials"));
  }

  @Test
  void subdomainRegexAndStringMatchers() {
    CorsPolicy.Builder p = CorsPolicy.newBuilder()
        .addAllowOriginStringMatch(regex("^https://[a-z0-9-]+(\\.[a-z0-9-]+)*\\.bar\\.com$"))
        .addAllowOriginStringMatch(StringMatcher.newBuilder().setSuffix(".QUX.org").setIgnoreCase(true));
    XdsResources xds = xds(true, vhost(withPolicy(route("/"), p)).build());
    assertEquals(Outcome.CORS_PREFLIGHT, preflight(xds, "/", "https://a.b.bar.com", "GET").outcome());
    assertEquals(Outcome.CORS_PREFLIGHT, preflight(xds, "/", "https://a.qux.org", "GET").outcome());
    assertEquals(Outcome.FORWARD, preflight(xds, "/", "https://bar.com", "GET").outcome());
    // a matcher that accepts the literal "*" allows any origin
    XdsResources star = xds(true, vhost(withPolicy(route("/"),
        CorsPolicy.newBuilder().addAllowOriginStringMatch(exact("*")))).build());
    assertEquals("https://x.org", response(preflight(star, "/", "https://x.org", "GET"))
        .get("access-control-allow-origin"));
  }

  @Test
  void privateNetworkAccessWhenConfiguredAndRequested() {
    XdsResources xds = xds(true, vhost(withPolicy(route("/"),
        policy().setAllowPrivateNetworkAccess(BoolValue.of(true)))).build());
    RouteDecision d = new RouteEvaluator(xds).evaluate(TestRequest.builder().method("OPTIONS").path("/")
        .authority("example.com").header("origin", "https://www.foo.com")
        .header("access-control-request-method", "GET")
        .header("access-control-request-private-network", "true").build());
    assertEquals("true", response(d).get("access-control-allow-private-network"));
    assertFalse(response(preflight(xds, "/", "https://www.foo.com", "GET"))
        .contains("access-control-allow-private-network"));
  }

  @Test
  void withoutTheFilterInTheConnectionManagerThereIsNoCors() {
    XdsResources xds = xds(false, vhost(withPolicy(route("/"), policy())).build());
    RouteDecision d = preflight(xds, "/a", "https://www.foo.com", "GET");
    assertEquals(Outcome.FORWARD, d.outcome());
    assertFalse(response(d).contains("access-control-allow-origin"));
    assertFalse(response(simple(xds, "GET", "/a", "https://www.foo.com")).contains("access-control-allow-origin"));
  }

  @Test
  void routeLevelSettingsOverrideTheVirtualHostsFieldByField() {
    CorsPolicy.Builder vhPolicy = policy().setMaxAge("10");
    CorsPolicy.Builder routePolicy = CorsPolicy.newBuilder()
        .addAllowOriginStringMatch(exact("https://route.example")).setAllowMethods("PUT");
    VirtualHost vh = vhost(withPolicy(route("/special"), routePolicy), route("/"))
        .putTypedPerFilterConfig(CORS, Any.pack(vhPolicy.build())).build();
    XdsResources xds = xds(true, vh);

    RouteDecision special = preflight(xds, "/special", "https://route.example", "PUT");
    assertEquals(Outcome.CORS_PREFLIGHT, special.outcome());
    HeaderMap h = response(special);
    assertEquals("PUT", h.get("access-control-allow-methods"), "the route's");
    assertEquals("10", h.get("access-control-max-age"), "unset on the route: the virtual host's");
    assertEquals("true", h.get("access-control-allow-credentials"), "unset on the route: the virtual host's");
    assertEquals(Outcome.FORWARD, preflight(xds, "/special", "https://www.foo.com", "GET").outcome(),
        "the route's origins replace the virtual host's");

    RouteDecision other = preflight(xds, "/other", "https://www.foo.com", "GET");
    assertEquals(Outcome.CORS_PREFLIGHT, other.outcome(), "the virtual host's policy");
    assertEquals("GET,OPTIONS", response(other).get("access-control-allow-methods"));
  }

  @Test
  void filterEnabledShadowAndPerRouteDisable() {
    RuntimeFractionalPercent half = RuntimeFractionalPercent.newBuilder()
        .setDefaultValue(FractionalPercent.newBuilder().setNumerator(50)).build();
    XdsResources xds = xds(true, vhost(withPolicy(route("/"), policy().setFilterEnabled(half))).build());
    RouteEvaluator ev = new RouteEvaluator(xds);
    TestRequest.Builder b = TestRequest.builder().method("OPTIONS").path("/").authority("example.com")
        .header("origin", "https://www.foo.com").header("access-control-request-method", "GET");
    assertEquals(Outcome.CORS_PREFLIGHT, ev.evaluate(b.randomValue(10).build()).outcome());
    assertEquals(Outcome.FORWARD, ev.evaluate(b.randomValue(60).build()).outcome(), "filter_enabled 50%");

    RuntimeFractionalPercent off = RuntimeFractionalPercent.newBuilder()
        .setDefaultValue(FractionalPercent.newBuilder().setNumerator(0)).build();
    RuntimeFractionalPercent all = RuntimeFractionalPercent.newBuilder()
        .setDefaultValue(FractionalPercent.newBuilder().setNumerator(100)).build();
    XdsResources shadow = xds(true, vhost(withPolicy(route("/"),
        policy().setFilterEnabled(off).setShadowEnabled(all))).build());
    RouteDecision s = preflight(shadow, "/", "https://www.foo.com", "GET");
    assertEquals(Outcome.FORWARD, s.outcome(), "shadow mode does not enforce");
    assertFalse(response(s).contains("access-control-allow-origin"));
    assertTrue(s.trace().stream().anyMatch(t -> t.contains("shadow")));

    // a FilterConfig with disabled: true on the route turns the filter off there
    Route.Builder disabled = route("/").putTypedPerFilterConfig(CORS,
        Any.pack(FilterConfig.newBuilder().setDisabled(true).build()));
    VirtualHost vh = vhost(disabled).putTypedPerFilterConfig(CORS, Any.pack(policy().build())).build();
    assertEquals(Outcome.FORWARD, preflight(xds(true, vh), "/", "https://www.foo.com", "GET").outcome());
    // a FilterConfig wrapping a policy is unwrapped
    Route.Builder wrapped = route("/").putTypedPerFilterConfig(CORS,
        Any.pack(FilterConfig.newBuilder().setConfig(Any.pack(policy().build())).build()));
    assertEquals(Outcome.CORS_PREFLIGHT,
        preflight(xds(true, vhost(wrapped).build()), "/", "https://www.foo.com", "GET").outcome());
  }

  @Test
  @SuppressWarnings("deprecation")
  void legacyCorsFieldsOnlyWithoutPerFilterConfig() {
    io.envoyproxy.envoy.config.route.v3.CorsPolicy legacy = io.envoyproxy.envoy.config.route.v3.CorsPolicy
        .newBuilder().addAllowOriginStringMatch(exact("https://legacy.example")).setAllowMethods("PATCH").build();
    XdsResources xds = xds(true, vhost(route("/")).setCors(legacy).build());
    RouteDecision d = preflight(xds, "/", "https://legacy.example", "PATCH");
    assertEquals(Outcome.CORS_PREFLIGHT, d.outcome());
    assertEquals("PATCH", response(d).get("access-control-allow-methods"));
    // with a per-filter config anywhere, the legacy fields are ignored
    XdsResources both = xds(true, vhost(withPolicy(route("/"), policy())).setCors(legacy).build());
    assertEquals(Outcome.FORWARD, preflight(both, "/", "https://legacy.example", "PATCH").outcome());
  }

  @Test
  void redirectRoutesAreNotCorsRoutes() {
    Route.Builder redirect = Route.newBuilder().setName("redir").setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRedirect(RedirectAction.newBuilder().setHostRedirect("other.example"));
    XdsResources xds = xds(true, vhost(withPolicy(redirect, policy())).build());
    RouteDecision d = preflight(xds, "/", "https://www.foo.com", "GET");
    assertEquals(Outcome.REDIRECT, d.outcome());
    assertFalse(response(d).contains("access-control-allow-origin"));
  }

  @Test
  void corsHeadersReplaceTheBackendsAndReachLocalReplies() {
    XdsResources xds = xds(true, vhost(withPolicy(route("/"), policy())).build());
    RouteDecision d = new RouteEvaluator(xds).evaluate(TestRequest.builder().path("/").authority("example.com")
        .header("origin", "https://www.foo.com").responseHeader("access-control-allow-origin", "*").build());
    assertEquals(List.of("https://www.foo.com"), response(d).getAll("access-control-allow-origin"));

    Route.Builder missing = Route.newBuilder().setName("m").setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster("not-in-cds"));
    XdsResources nf = xds(true, vhost(withPolicy(missing, policy())).build());
    RouteDecision local = simple(nf, "GET", "/", "https://www.foo.com");
    assertEquals(Outcome.CLUSTER_NOT_FOUND, local.outcome());
    assertEquals("https://www.foo.com", response(local).get("access-control-allow-origin"));
  }
}
