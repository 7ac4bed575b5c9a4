package io.gloo.core.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.gloo.core.evaluate.RouteDecision.Outcome;
import io.gloo.core.translate.XdsResources;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Envoy's routing rules, one at a time, on hand-built protos. */
class RouteEvaluatorTest {

  // ------------------------------------------------------------------------------------------------ fixtures

  private static Listener listener(int port, boolean stripPort) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix("t")
        .setStripAnyHostPort(stripPort)
        .setNormalizePath(BoolValue.of(true))
        .setRds(Rds.newBuilder().setRouteConfigName("rc"))
        .build();
    return Listener.newBuilder().setName("l" + port)
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setPortValue(port)))
        .addFilterChains(FilterChain.newBuilder().addFilters(
            Filter.newBuilder().setName("envoy.filters.network.http_connection_manager")
                .setTypedConfig(Any.pack(hcm))))
        .build();
  }

  private static XdsResources xds(RouteConfiguration rc, String... clusters) {
    return xds(rc, true, clusters);
  }

  private static XdsResources xds(RouteConfiguration rc, boolean stripPort, String... clusters) {
    List<Cluster> cs = java.util.Arrays.stream(clusters).map(c -> Cluster.newBuilder().setName(c).build()).toList();
    return new XdsResources(List.of(listener(80, stripPort)), List.of(rc.toBuilder().setName("rc").build()), cs,
        List.of(), List.of());
  }

  private static VirtualHost vhost(String name, List<String> domains, Route... routes) {
    return VirtualHost.newBuilder().setName(name).addAllDomains(domains).addAllRoutes(List.of(routes)).build();
  }

  private static Route route(String name, RouteMatch match, String cluster) {
    return Route.newBuilder().setName(name).setMatch(match).setRoute(RouteAction.newBuilder().setCluster(cluster))
        .build();
  }

  private static RouteMatch prefix(String p) {
    return RouteMatch.newBuilder().setPrefix(p).build();
  }

  private static RouteConfiguration single(Route... routes) {
    return RouteConfiguration.newBuilder().addVirtualHosts(vhost("vh", List.of("*"), routes)).build();
  }

  private static RouteDecision get(XdsResources xds, String authority, String path) {
    return RouteEvaluator.evaluate(xds, TestRequest.get(authority, path));
  }

  private static HeaderValueOption header(String k, String v, HeaderAppendAction action) {
    return HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey(k).setValue(v))
        .setAppendAction(action).build();
  }

  // ------------------------------------------------------------------------------------------------ virtual hosts

  @Test
  void domainsMatchExactThenLongestSuffixThenPrefixThenDefault() {
    Route r = route("r", prefix("/"), "c");
    RouteConfiguration rc = RouteConfiguration.newBuilder()
        .addVirtualHosts(vhost("default", List.of("*"), r))
        .addVirtualHosts(vhost("prefix", List.of("api.*"), r))
        .addVirtualHosts(vhost("suffix", List.of("*.foo.com"), r))
        .addVirtualHosts(vhost("longer-suffix", List.of("*.bar.foo.com"), r))
        .addVirtualHosts(vhost("exact", List.of("api.foo.com"), r))
        .build();
    XdsResources x = xds(rc, "c");
    assertEquals("exact", get(x, "api.foo.com", "/").virtualHost());
    assertEquals("exact", get(x, "API.Foo.COM:8080", "/").virtualHost(), "case-insensitive, port stripped");
    assertEquals("longer-suffix", get(x, "a.bar.foo.com", "/").virtualHost());
    assertEquals("suffix", get(x, "a.foo.com", "/").virtualHost());
    assertEquals("suffix", get(x, "api.x.foo.com", "/").virtualHost(), "a suffix wildcard beats a prefix wildcard");
    assertEquals("prefix", get(x, "api.other.org", "/").virtualHost());
    assertEquals("default", get(x, "foo.com", "/").virtualHost(), "*.foo.com needs at least one character");
    assertEquals("suffix", get(x, "bar.foo.com", "/").virtualHost(), "*.bar.foo.com needs a character before .bar");
  }

  @Test
  void noVirtualHostAndNoRouteAre404() {
    RouteConfiguration rc = RouteConfiguration.newBuilder()
        .addVirtualHosts(vhost("only", List.of("a.com"), route("r", prefix("/x"), "c"))).build();
    RouteDecision none = get(xds(rc, "c"), "b.com", "/x");
    assertEquals(Outcome.NO_VIRTUAL_HOST, none.outcome());
    assertEquals(404, none.status());
    RouteDecision noRoute = get(xds(rc, "c"), "a.com", "/y");
    assertEquals(Outcome.NO_ROUTE, noRoute.outcome());
    assertEquals(404, noRoute.status());
    assertEquals("only", noRoute.virtualHost());
  }

  @Test
  void noListenerOnThePort() {
    RouteDecision d = RouteEvaluator.evaluate(xds(single(route("r", prefix("/"), "c")), "c"),
        TestRequest.builder().port(81).build());
    assertEquals(Outcome.NO_LISTENER, d.outcome());
  }

  // ------------------------------------------------------------------------------------------------ route matching

  @Test
  void firstMatchingRouteWinsNotTheLongest() {
    XdsResources x = xds(single(route("short", prefix("/a"), "c1"), route("long", prefix("/a/b"), "c2")), "c1", "c2");
    assertEquals("short", get(x, "h", "/a/b").route());
    assertEquals("c1", get(x, "h", "/a/b").cluster());
  }

  @Test
  void pathSeparatedPrefixMatchesWholeSegmentsOnly() {
    XdsResources x = xds(single(
        route("sep", RouteMatch.newBuilder().setPathSeparatedPrefix("/v2").build(), "sep"),
        route("plain", prefix("/v2"), "plain")), "sep", "plain");
    assertEquals("sep", get(x, "h", "/v2").route());
    assertEquals("sep", get(x, "h", "/v2/").route());
    assertEquals("sep", get(x, "h", "/v2/items").route());
    assertEquals("sep", get(x, "h", "/v2?x=1").route(), "the query string is not part of the path");
    assertEquals("plain", get(x, "h", "/v2example").route(), "a plain prefix matches /v2example");
    assertEquals(Outcome.NO_ROUTE, get(x, "h", "/V2").outcome(), "case-sensitive by default");
  }

  @Test
  void caseInsensitivePrefixAndPath() {
    XdsResources x = xds(single(
        route("p", RouteMatch.newBuilder().setPrefix("/Api").setCaseSensitive(BoolValue.of(false)).build(), "c"),
        route("exact", RouteMatch.newBuilder().setPath("/Doc").setCaseSensitive(BoolValue.of(false)).build(), "c")),
        "c");
    assertEquals("p", get(x, "h", "/aPI/x").route());
    assertEquals("exact", get(x, "h", "/DOC?q").route());
  }

  @Test
  void exactPathIgnoresTheQuery() {
    XdsResources x = xds(single(route("e", RouteMatch.newBuilder().setPath("/old").build(), "c")), "c");
    assertEquals("e", get(x, "h", "/old?x=1").route());
    assertEquals(Outcome.NO_ROUTE, get(x, "h", "/old/").outcome());
  }

  @Test
  void safeRegexIsAFullMatchOfThePathWithoutQuery() {
    XdsResources x = xds(single(route("re",
        RouteMatch.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex("/api/[0-9]+")).build(), "c")), "c");
    assertEquals("re", get(x, "h", "/api/12?x=y").route());
    assertEquals(Outcome.NO_ROUTE, get(x, "h", "/api/12/more").outcome(), "not a substring match");
    assertEquals(Outcome.NO_ROUTE, get(x, "h", "/v1/api/12").outcome());
  }

  @Test
  void normalizePathRemovesDotSegmentsBeforeMatching() {
    XdsResources x = xds(single(route("sep", RouteMatch.newBuilder().setPathSeparatedPrefix("/v2").build(), "c")),
        "c");
    RouteDecision d = get(x, "h", "/public/../v2/./x?q=1");
    assertEquals("sep", d.route());
    assertEquals("/v2/x?q=1", d.upstream().path());
  }

  @Test
  void headerMatchersInvertPresentAndPseudoHeaders() {
    HeaderMatcher notProd = HeaderMatcher.newBuilder().setName("env")
        .setStringMatch(StringMatcher.newBuilder().setExact("prod")).setInvertMatch(true).build();
    HeaderMatcher hasDebug = HeaderMatcher.newBuilder().setName("X-Debug").setPresentMatch(true).build();
    HeaderMatcher post = HeaderMatcher.newBuilder().setName(":method")
        .setStringMatch(StringMatcher.newBuilder().setExact("POST")).build();
    HeaderMatcher ci = HeaderMatcher.newBuilder().setName("team")
        .setStringMatch(StringMatcher.newBuilder().setPrefix("WEB").setIgnoreCase(true)).build();
    XdsResources x = xds(single(
        route("not-prod", RouteMatch.newBuilder().setPrefix("/a").addHeaders(notProd).build(), "c"),
        route("debug", RouteMatch.newBuilder().setPrefix("/b").addHeaders(hasDebug).build(), "c"),
        route("post", RouteMatch.newBuilder().setPrefix("/c").addHeaders(post).build(), "c"),
        route("team", RouteMatch.newBuilder().setPrefix("/d").addHeaders(ci).build(), "c")), "c");
    RouteEvaluator ev = new RouteEvaluator(x);
    assertEquals("not-prod", ev.evaluate(TestRequest.builder().path("/a").header("env", "dev").build()).route());
    assertEquals(Outcome.NO_ROUTE, ev.evaluate(TestRequest.builder().path("/a").header("env", "prod").build())
        .outcome());
    assertEquals(Outcome.NO_ROUTE, ev.evaluate(TestRequest.builder().path("/a").build()).outcome(),
        "an absent header does not match, even inverted");
    assertEquals("debug", ev.evaluate(TestRequest.builder().path("/b").header("x-debug", "").build()).route());
    assertEquals(Outcome.NO_ROUTE, ev.evaluate(TestRequest.builder().path("/b").build()).outcome());
    assertEquals("post", ev.evaluate(TestRequest.builder().path("/c").method("POST").build()).route());
    assertEquals(Outcome.NO_ROUTE, ev.evaluate(TestRequest.builder().path("/c").build()).outcome());
    assertEquals("team", ev.evaluate(TestRequest.builder().path("/d").header("Team", "web-store").build()).route());
  }

  @Test
  void presentMatchFalseMatchesAbsenceAndMultipleValuesAreJoined() {
    HeaderMap h = new HeaderMap().add("a", "1").add("A", "2");
    assertTrue(EnvoyMatchers.matches(HeaderMatcher.newBuilder().setName("a")
        .setStringMatch(StringMatcher.newBuilder().setExact("1,2")).build(), h));
    assertTrue(EnvoyMatchers.matches(HeaderMatcher.newBuilder().setName("b").setPresentMatch(false).build(), h));
    assertTrue(EnvoyMatchers.matches(HeaderMatcher.newBuilder().setName("b").setPresentMatch(true)
        .setInvertMatch(true).build(), h));
  }

  @Test
  void queryParameterMatchers() {
    XdsResources x = xds(single(
        route("present", RouteMatch.newBuilder().setPrefix("/a")
            .addQueryParameters(QueryParameterMatcher.newBuilder().setName("debug").setPresentMatch(true)).build(), "c"),
        route("value", RouteMatch.newBuilder().setPrefix("/b")
            .addQueryParameters(QueryParameterMatcher.newBuilder().setName("v")
                .setStringMatch(StringMatcher.newBuilder().setExact("a b"))).build(), "c")), "c");
    assertEquals("present", get(x, "h", "/a?debug").route());
    assertEquals("present", get(x, "h", "/a?x=1&debug=0").route());
    assertEquals(Outcome.NO_ROUTE, get(x, "h", "/a?debugging=1").outcome());
    assertEquals("value", get(x, "h", "/b?v=a%20b&v=other").route(), "first value, percent-decoded");
    assertEquals(Outcome.NO_ROUTE, get(x, "h", "/b?v=other&v=a%20b").outcome());
  }

  // ------------------------------------------------------------------------------------------------ clusters

  @Test
  void weightedSelectionUsesRandomModuloTotalOverClustersInOrder() {
    WeightedCluster wc = WeightedCluster.newBuilder()
        .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("a").setWeight(UInt32Value.of(80)))
        .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("zero").setWeight(UInt32Value.of(0)))
        .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("b").setWeight(UInt32Value.of(20)))
        .build();
    XdsResources x = xds(single(Route.newBuilder().setName("w").setMatch(prefix("/"))
        .setRoute(RouteAction.newBuilder().setWeightedClusters(wc)).build()), "a", "b", "zero");
    RouteEvaluator ev = new RouteEvaluator(x);
    assertEquals("a", ev.evaluate(TestRequest.builder().randomValue(0).build()).cluster());
    assertEquals("a", ev.evaluate(TestRequest.builder().randomValue(79).build()).cluster());
    assertEquals("b", ev.evaluate(TestRequest.builder().randomValue(80).build()).cluster());
    assertEquals("b", ev.evaluate(TestRequest.builder().randomValue(99).build()).cluster());
    assertEquals("a", ev.evaluate(TestRequest.builder().randomValue(100).build()).cluster(), "100 % 100 = 0");
    assertEquals("a", ev.evaluate(TestRequest.builder().randomValue(-1).build()).cluster(),
        "the random value is unsigned: 18446744073709551615 % 100 = 15");
  }

  @Test
  void clusterNotFoundResponseCodes() {
    RouteConfiguration rc = single(
        Route.newBuilder().setName("default").setMatch(prefix("/default"))
            .setRoute(RouteAction.newBuilder().setCluster("missing")).build(),
        Route.newBuilder().setName("404").setMatch(prefix("/nf"))
            .setRoute(RouteAction.newBuilder().setCluster("missing")
                .setClusterNotFoundResponseCode(RouteAction.ClusterNotFoundResponseCode.NOT_FOUND)).build(),
        Route.newBuilder().setName("500").setMatch(prefix("/ise"))
            .setRoute(RouteAction.newBuilder().setCluster("missing")
                .setClusterNotFoundResponseCode(RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR))
            .build());
    XdsResources x = xds(rc);
    assertEquals(503, get(x, "h", "/default").status());
    assertEquals(404, get(x, "h", "/nf").status());
    RouteDecision ise = get(x, "h", "/ise");
    assertEquals(500, ise.status());
    assertEquals(Outcome.CLUSTER_NOT_FOUND, ise.outcome());
    assertEquals("missing", ise.cluster());
    assertNull(ise.upstream());
  }

  // ------------------------------------------------------------------------------------------------ redirects

  private static String location(RedirectAction r, RouteMatch m, String authority, String path, boolean stripPort) {
    XdsResources x = xds(single(Route.newBuilder().setName("r").setMatch(m).setRedirect(r).build()), stripPort);
    RouteDecision d = get(x, authority, path);
    assertEquals(Outcome.REDIRECT, d.outcome());
    return d.location();
  }

  @Test
  void redirectLocationComposition() {
    RouteMatch all = prefix("/");
    assertEquals("https://h.com/p?q=1",
        location(RedirectAction.newBuilder().setHttpsRedirect(true).build(), all, "h.com", "/p?q=1", true));
    // Envoy writes a port_redirect verbatim, even the scheme's default: the Gateway API wants it left out
    assertEquals("https://h.com:443/p",
        location(RedirectAction.newBuilder().setSchemeRedirect("https").setPortRedirect(443).build(), all, "h.com",
            "/p", true));
    // Without strip_any_host_port: the request's default port goes when the scheme changes...
    assertEquals("https://h.com/p",
        location(RedirectAction.newBuilder().setHttpsRedirect(true).build(), all, "h.com:80", "/p", false));
    // ...but a non-default one stays, and a port_redirect replaces it
    assertEquals("https://h.com:8080/p",
        location(RedirectAction.newBuilder().setHttpsRedirect(true).build(), all, "h.com:8080", "/p", false));
    assertEquals("http://h.com:9000/p",
        location(RedirectAction.newBuilder().setPortRedirect(9000).build(), all, "h.com:8080", "/p", false));
    assertEquals("http://new.com:8443/new/x?y",
        location(RedirectAction.newBuilder().setHostRedirect("new.com").setPortRedirect(8443).setPrefixRewrite("/new")
            .build(), RouteMatch.newBuilder().setPathSeparatedPrefix("/old").build(), "h.com", "/old/x?y", true));
    assertEquals("http://h.com/other?keep=1",
        location(RedirectAction.newBuilder().setPathRedirect("/other").build(), all, "h.com", "/p?keep=1", true));
    assertEquals("http://h.com/other",
        location(RedirectAction.newBuilder().setPathRedirect("/other").setStripQuery(true).build(), all, "h.com",
            "/p?keep=1", true));
    assertEquals("http://h.com/other?own",
        location(RedirectAction.newBuilder().setPathRedirect("/other?own").build(), all, "h.com", "/p?keep=1", true));
    assertEquals("http://h.com/x",
        location(RedirectAction.newBuilder().setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
            .setPattern(RegexMatcher.newBuilder().setRegex("^/strip/*")).setSubstitution("/")).build(),
            RouteMatch.newBuilder().setPathSeparatedPrefix("/strip").build(), "h.com", "/strip/x", true));
  }

  @Test
  void redirectResponseCodes() {
    assertEquals(301, RouteEvaluator.redirectCode(RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY));
    assertEquals(302, RouteEvaluator.redirectCode(RedirectAction.RedirectResponseCode.FOUND));
    assertEquals(303, RouteEvaluator.redirectCode(RedirectAction.RedirectResponseCode.SEE_OTHER));
    assertEquals(307, RouteEvaluator.redirectCode(RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT));
    assertEquals(308, RouteEvaluator.redirectCode(RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT));
    XdsResources x = xds(single(Route.newBuilder().setName("r").setMatch(prefix("/")).setRedirect(
        RedirectAction.newBuilder().setPathRedirect("/n").setResponseCode(RedirectAction.RedirectResponseCode.SEE_OTHER))
        .build()));
    RouteDecision d = get(x, "h", "/");
    assertEquals(303, d.status());
    assertEquals("http://h/n", d.responseHeaders().get(0).value());
  }

  // ------------------------------------------------------------------------------------------------ rewrites, headers

  @Test
  void prefixRegexAndHostRewrites() {
    RouteConfiguration rc = single(
        Route.newBuilder().setName("prefix").setMatch(RouteMatch.newBuilder().setPathSeparatedPrefix("/api"))
            .setRoute(RouteAction.newBuilder().setCluster("c").setPrefixRewrite("/v2")
                .setHostRewriteLiteral("backend.internal")).build(),
        Route.newBuilder().setName("regex").setMatch(prefix("/users/"))
            .setRoute(RouteAction.newBuilder().setCluster("c").setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
                .setPattern(RegexMatcher.newBuilder().setRegex("^/users/([^/]+)/(.*)$"))
                .setSubstitution("/\\2/by-user/\\1"))).build());
    XdsResources x = xds(rc, "c");
    RouteDecision p = get(x, "h.com:80", "/api/items?x=1");
    assertEquals("/v2/items?x=1", p.upstream().path());
    assertEquals("backend.internal", p.upstream().authority());
    assertEquals("/api/items?x=1", p.upstream().headers().stream()
        .filter(e -> e.name().equals("x-envoy-original-path")).findFirst().orElseThrow().value());
    RouteDecision r = get(x, "h.com", "/users/ann/orders?y");
    assertEquals("/orders/by-user/ann?y", r.upstream().path());
    assertEquals("h.com", r.upstream().authority(), "the host port was stripped by strip_any_host_port");
  }

  @Test
  void headerAppendActions() {
    Route r = Route.newBuilder().setName("r").setMatch(prefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster("c"))
        .addRequestHeadersToAdd(header("x-a", "2", HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD))
        .addRequestHeadersToAdd(header("x-a", "3", HeaderAppendAction.ADD_IF_ABSENT))
        .addRequestHeadersToAdd(header("x-b", "4", HeaderAppendAction.ADD_IF_ABSENT))
        .addRequestHeadersToAdd(header("x-c", "5", HeaderAppendAction.OVERWRITE_IF_EXISTS))
        .addRequestHeadersToAdd(header("x-d", "6", HeaderAppendAction.OVERWRITE_IF_EXISTS))
        .addRequestHeadersToAdd(header("x-e", "7", HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
        .addRequestHeadersToAdd(header("x-empty", "", HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD))
        .addRequestHeadersToRemove("x-gone")
        .build();
    XdsResources x = xds(single(r), "c");
    RouteDecision d = RouteEvaluator.evaluate(x, TestRequest.builder()
        .header("x-a", "1").header("x-d", "old").header("x-gone", "bye").build());
    HeaderMap up = new HeaderMap();
    d.upstream().headers().forEach(e -> up.add(e.name(), e.value()));
    assertEquals(List.of("1", "2"), up.getAll("x-a"), "append keeps the old value; ADD_IF_ABSENT adds nothing");
    assertEquals("4", up.get("x-b"));
    assertNull(up.get("x-c"), "OVERWRITE_IF_EXISTS does not add");
    assertEquals(List.of("6"), up.getAll("x-d"));
    assertEquals("7", up.get("x-e"));
    assertNull(up.get("x-empty"), "empty values are not added without keep_empty_value");
    assertNull(up.get("x-gone"));
  }

  @Test
  void headerLevelsRouteThenVirtualHostThenRouteConfiguration() {
    Route r = Route.newBuilder().setName("r").setMatch(prefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster("c"))
        .addRequestHeadersToAdd(header("x-level", "route", HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
        .addResponseHeadersToAdd(header("x-level", "route", HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD))
        .build();
    VirtualHost vh = vhost("vh", List.of("*"), r).toBuilder()
        .addRequestHeadersToAdd(header("x-level", "vhost", HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
        .addResponseHeadersToAdd(header("x-level", "vhost", HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD))
        .build();
    RouteConfiguration rc = RouteConfiguration.newBuilder().addVirtualHosts(vh)
        .addRequestHeadersToAdd(header("x-level", "config", HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
        .addResponseHeadersToAdd(header("x-level", "config", HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD))
        .build();
    RouteDecision d = get(xds(rc, "c"), "h", "/");
    assertEquals(List.of(new HeaderMap.Entry("x-level", "config")), d.upstream().headers().stream()
        .filter(e -> e.name().equals("x-level")).toList(), "the least specific level is applied last");
    assertEquals(List.of("route", "vhost", "config"), d.responseHeaders().stream()
        .filter(e -> e.name().equals("x-level")).map(HeaderMap.Entry::value).toList());

    RouteDecision specific = get(xds(rc.toBuilder().setMostSpecificHeaderMutationsWins(true).build(), "c"), "h", "/");
    assertEquals("route", specific.upstream().headers().stream()
        .filter(e -> e.name().equals("x-level")).findFirst().orElseThrow().value());
  }

  @Test
  void decisionRendersToJson() {
    XdsResources x = xds(single(route("r", prefix("/"), "c")), "c");
    ObjectNode json = get(x, "h", "/x").toJson();
    assertEquals("FORWARD", json.get("outcome").asString());
    assertEquals("c", json.get("cluster").asString());
    assertEquals("/x", json.get("upstream").get("path").asString());
    assertEquals("15s", json.get("timeout").asString());
    assertTrue(json.get("trace").size() > 0);
  }
}
