package io.gloo.core.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.gloo.core.evaluate.RouteDecision.Outcome;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.watch.DirectorySource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gateway API filters, timeouts, retries and redirects, evaluated as Envoy would execute the translated config. */
class RouteEvaluatorGatewayFeaturesTest {

  static XdsResources xds(String golden) {
    TranslationResult result = new Translator().translate(
        DirectorySource.load(List.of(GoldenFiles.sourceDir("golden/" + golden).resolve("input.yaml")),
            GoldenFiles.parser()));
    XdsResources xds = result.gateways().get(new ResourceKey("Gateway", "default", "gw"));
    assertNotNull(xds, "Gateway default/gw in " + golden);
    return xds;
  }

  private static RouteDecision get(RouteEvaluator ev, int port, String path) {
    return ev.evaluate(TestRequest.builder().port(port).authority("example.com").path(path).build());
  }

  private static String header(List<HeaderMap.Entry> headers, String name) {
    return headers.stream().filter(e -> e.name().equalsIgnoreCase(name)).map(HeaderMap.Entry::value).findFirst()
        .orElse(null);
  }

  @Test
  void mirrorsGoToResolvedBackendsWithTheirShare() {
    RouteEvaluator ev = new RouteEvaluator(xds("filters-extended"));
    RouteDecision d = get(ev, 80, "/mirror/x");
    assertEquals(Outcome.FORWARD, d.outcome());
    assertEquals("kube_default_svc_80", d.cluster());
    assertEquals(List.of(new RouteDecision.Mirror("kube_default_mirror-a_8080", 100.0),
        new RouteDecision.Mirror("kube_other_mirror-b_80", 20.0)), d.mirrors());
    RouteDecision fraction = get(ev, 80, "/fraction");
    assertEquals(1, fraction.mirrors().size());
    assertEquals(33.33, fraction.mirrors().get(0).percent(), 0.01);
    // a mirror the ReferenceGrants do not permit is dropped; the request itself is still served
    RouteDecision unresolved = get(ev, 80, "/unresolved-mirror");
    assertEquals(Outcome.FORWARD, unresolved.outcome());
    assertTrue(unresolved.mirrors().isEmpty());
  }

  @Test
  void backendRefFiltersApplyOnlyToTheirBackend() {
    RouteEvaluator ev = new RouteEvaluator(xds("filters-extended"));
    RouteDecision svc = ev.evaluate(TestRequest.builder().authority("example.com").path("/weights")
        .header("x-debug", "1").randomValue(0).build());
    assertEquals("kube_default_svc_80", svc.cluster());
    assertEquals("svc", header(svc.upstream().headers(), "x-backend"));
    assertEquals("1", header(svc.upstream().headers(), "x-debug"));
    assertEquals("svc", header(svc.responseHeaders(), "x-served-by"));
    RouteDecision mirror = ev.evaluate(TestRequest.builder().authority("example.com").path("/weights")
        .header("x-debug", "1").randomValue(85).build());
    assertEquals("kube_default_mirror-a_8080", mirror.cluster());
    assertEquals("mirror-a", header(mirror.upstream().headers(), "x-backend"));
    assertNull(header(mirror.upstream().headers(), "x-debug"));
    assertNull(header(mirror.responseHeaders(), "x-served-by"));
    // one backend with filters still gets its own edits
    assertEquals("one", header(get(ev, 80, "/single-backend-filter").upstream().headers(), "x-only"));
  }

  @Test
  void timeoutsAndRetries() {
    RouteEvaluator ev = new RouteEvaluator(xds("filters-extended"));
    RouteDecision t = get(ev, 80, "/timeouts");
    assertEquals("10s", t.timeout());
    assertEquals(0, t.retryPolicy().getNumRetries().getValue());
    assertEquals(500_000_000, t.retryPolicy().getPerTryTimeout().getNanos());
    assertEquals("0s", get(ev, 80, "/no-timeout").timeout());
    // backendRequest alone: every attempt fits in the route timeout
    RouteDecision b = get(ev, 80, "/backend-timeout-only");
    assertEquals("180s", b.timeout());
    assertEquals(60, b.retryPolicy().getPerTryTimeout().getSeconds());
    assertEquals(500, get(ev, 80, "/bad-timeouts").status());
    RouteDecision r = get(ev, 80, "/retry");
    assertEquals(3, r.retryPolicy().getNumRetries().getValue());
    assertEquals(List.of(500, 503), r.retryPolicy().getRetriableStatusCodesList());
    assertTrue(r.retryPolicy().getRetryOn().contains("retriable-status-codes"));
    assertTrue(r.retryPolicy().getRetryOn().contains("connect-failure"));
  }

  @Test
  void websocketBackendsAllowUpgrades() {
    XdsResources xds = xds("filters-extended");
    RouteDecision d = new RouteEvaluator(xds).evaluate(TestRequest.builder().authority("example.com").path("/ws")
        .header("upgrade", "websocket").header("connection", "upgrade").build());
    assertEquals("kube_default_chat_80", d.cluster());
    Route route = xds.routes().get(0).getVirtualHostsList().stream().flatMap(v -> v.getRoutesList().stream())
        .filter(r -> r.getName().equals(d.route())).findFirst().orElseThrow();
    assertEquals("websocket", route.getRoute().getUpgradeConfigs(0).getUpgradeType());
    Route other = xds.routes().get(0).getVirtualHostsList().stream().flatMap(v -> v.getRoutesList().stream())
        .filter(r -> r.getName().equals(get(new RouteEvaluator(xds), 80, "/timeouts").route())).findFirst()
        .orElseThrow();
    assertEquals(0, other.getRoute().getUpgradeConfigsCount());
  }

  @Test
  void redirectsKeepTheListenerPortUnlessWellKnown() {
    RouteEvaluator ev = new RouteEvaluator(xds("filters-extended"));
    assertEquals("http://example.net/redirect-listener-port", get(ev, 80, "/redirect-listener-port").location());
    assertEquals("http://example.net:8080/redirect-listener-port",
        get(ev, 8080, "/redirect-listener-port").location());
    // a scheme without a port: the scheme's well-known port, left out of Location, whatever the listener
    assertEquals("https://example.com/redirect-https", get(ev, 8080, "/redirect-https").location());
  }

  @Test
  void corsPolicyOnTheRouteAndFilterOnTheListener() throws Exception {
    XdsResources xds = xds("filters-extended");
    RouteDecision d = new RouteEvaluator(xds).evaluate(TestRequest.builder().authority("example.com").path("/cors")
        .header("origin", "https://a.example.org").build());
    Route route = xds.routes().get(0).getVirtualHostsList().stream().flatMap(v -> v.getRoutesList().stream())
        .filter(r -> r.getName().equals(d.route())).findFirst().orElseThrow();
    CorsPolicy cors = route.getTypedPerFilterConfigOrThrow("envoy.filters.http.cors").unpack(CorsPolicy.class);
    assertTrue(cors.getAllowOriginStringMatchList().stream().anyMatch(m ->
        EnvoyMatchers.matches(m, "https://a.example.org")));
    assertTrue(cors.getAllowOriginStringMatchList().stream().noneMatch(m ->
        EnvoyMatchers.matches(m, "https://example.org.evil.com")));
    assertEquals("GET,POST", cors.getAllowMethods());
    assertEquals("600", cors.getMaxAge());
    assertTrue(cors.getAllowCredentials().getValue());
    String filters = xds.listeners().get(0).getFilterChains(0).getFilters(0).getTypedConfig().toString();
    assertTrue(filters.contains("cors"), "the listener carries the CORS filter");
  }

  @Test
  void httpsListenersTerminateTlsPerHostname() {
    XdsResources xds = xds("https");
    RouteEvaluator ev = new RouteEvaluator(xds);
    RouteDecision wild = ev.evaluate(TestRequest.builder().port(443).scheme("https").sni("www.example.com")
        .authority("www.example.com").path("/x").build());
    assertEquals(Outcome.FORWARD, wild.outcome());
    assertEquals("https~443~https-wildcard", wild.filterChain());
    assertEquals("kube_default_svc_80", wild.cluster());
    RouteDecision org = ev.evaluate(TestRequest.builder().port(443).scheme("https").sni("secure.example.org")
        .authority("secure.example.org").path("/org/a").build());
    assertEquals("https~443~https-org", org.filterChain());
    assertEquals("default/org-only", org.source().namespace() + "/" + org.source().name());
    // HTTP/2 coalescing: a connection made for one listener's SNI may not reach another listener's hosts
    RouteDecision misdirected = ev.evaluate(TestRequest.builder().port(443).scheme("https").sni("www.example.com")
        .authority("secure.example.org").path("/org/a").build());
    assertEquals(421, misdirected.status());
    assertEquals(421, ev.evaluate(TestRequest.builder().port(443).scheme("https").sni("secure.example.org")
        .authority("www.example.com").path("/").build()).status());
    // no listener hostname covers the SNI: no filter chain, the handshake fails
    assertEquals(Outcome.NO_FILTER_CHAIN, ev.evaluate(TestRequest.builder().port(443).scheme("https")
        .sni("other.net").authority("other.net").path("/").build()).outcome());
    // a redirect on 443/https keeps the port out of Location
    assertEquals("https://www.example.com/secure-redirect", ev.evaluate(TestRequest.builder().port(443)
        .scheme("https").sni("a.example.com").authority("a.example.com").path("/secure-redirect").build())
        .location());
    // listeners whose certificateRefs did not resolve are not programmed
    for (int port : new int[] {8443, 9443, 9444, 9445}) {
      assertEquals(Outcome.NO_LISTENER, ev.evaluate(TestRequest.builder().port(port).scheme("https")
          .authority("a").path("/").build()).outcome());
    }
    assertEquals(List.of("secret/certs/org-cert", "secret/default/wildcard-cert"),
        xds.secrets().stream().map(s -> s.getName()).toList());
    assertTrue(xds.secrets().stream().allMatch(s -> s.toString().contains("PRIVATE KEY")),
        "SDS secrets carry the key (the publisher serves them); TranslationJson prints names only");
  }

  @Test
  void httpListenerIsolation() {
    RouteEvaluator ev = new RouteEvaluator(xds("listener-isolation"));
    assertEquals(Outcome.FORWARD, ev.evaluate(TestRequest.get("bar.com", "/empty-hostname")).outcome());
    assertEquals(Outcome.NO_ROUTE, ev.evaluate(TestRequest.get("bar.com", "/wildcard-example-com")).outcome());
    assertEquals("kube_default_v2_8080",
        ev.evaluate(TestRequest.get("foo.example.com", "/wildcard-example-com")).cluster());
    assertEquals(Outcome.NO_ROUTE, ev.evaluate(TestRequest.get("foo.example.com", "/empty-hostname")).outcome());
    assertEquals("kube_default_v3_8080",
        ev.evaluate(TestRequest.get("bar.foo.example.com", "/wildcard-foo-example-com")).cluster());
    assertEquals(Outcome.NO_ROUTE,
        ev.evaluate(TestRequest.get("bar.foo.example.com", "/wildcard-example-com")).outcome());
    // the most specific listener has no route: 404 for everything, not a broader listener's route
    for (String path : List.of("/empty-hostname", "/wildcard-example-com", "/wildcard-foo-example-com")) {
      assertEquals(Outcome.NO_ROUTE, ev.evaluate(TestRequest.get("abc.foo.example.com", path)).outcome(), path);
    }
  }

  private static RouteDecision grpc(RouteEvaluator ev, String path, String... headers) {
    TestRequest.Builder b = TestRequest.builder().method("POST").authority("grpc.example.com").path(path)
        .header("content-type", "application/grpc");
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return ev.evaluate(b.build());
  }

  @Test
  void grpcRoutesMatchServiceAndMethod() {
    XdsResources xds = xds("grpcroute");
    RouteEvaluator ev = new RouteEvaluator(xds);
    RouteDecision exact = grpc(ev, "/grpc.examples.echo.Echo/UnaryEcho", "version", "two");
    assertEquals("grpcroute/default/echo/0/0", exact.route(), "an exact service and method beats the rest");
    assertEquals("GRPCRoute", exact.source().kind());
    RouteDecision service = grpc(ev, "/grpc.examples.echo.Echo/ClientStreamingEcho", "version", "two");
    assertEquals("grpcroute/default/echo/1/0", service.route());
    assertEquals("gloo", header(service.upstream().headers(), "x-routed-by"));
    assertEquals(1, service.mirrors().size());
    // without the header, the service-only match does not apply; the regex rule takes Stream* methods
    assertEquals("grpcroute/default/echo/2/0", grpc(ev, "/grpc.examples.echo.Echo/StreamEcho").route());
    // the dot in the service name is literal under Exact
    assertEquals("grpcroute/default/echo/4/0", grpc(ev, "/grpcXexamples.echo.Echo/Foo", "version", "two").route());
    assertEquals("grpcroute/default/echo/3/0",
        grpc(ev, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo").route());
    assertEquals("grpcroute/default/echo/4/0", grpc(ev, "/other.Service/Method").route());
    // the listener that admits only HTTPRoutes serves none of it
    assertEquals(Outcome.NO_VIRTUAL_HOST, ev.evaluate(TestRequest.builder().port(8080).method("POST")
        .authority("grpc.example.com").path("/grpc.examples.echo.Echo/UnaryEcho").build()).outcome());
    // gRPC backends speak HTTP/2
    assertTrue(xds.clusters().stream().allMatch(c -> c.containsTypedExtensionProtocolOptions(
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions")));
  }

  @Test
  void replacePrefixMatchKeepsSegmentsWhole() {
    RouteEvaluator ev = new RouteEvaluator(xds("prefix-replacement"));
    java.util.function.BiFunction<String, String, String> up = (host, path) ->
        ev.evaluate(TestRequest.get(host, path)).upstream().path();
    String rw = "rewrite.example.com";
    assertEquals("/xyz/bar", up.apply(rw, "/foo/bar"));
    assertEquals("/xyz", up.apply(rw, "/foo"));
    assertEquals("/xyz/", up.apply(rw, "/foo/"));
    assertEquals("/bar", up.apply(rw, "/empty/bar"));
    assertEquals("/", up.apply(rw, "/empty"));
    assertEquals("/bar", up.apply(rw, "/slash/bar"));
    assertEquals("/", up.apply(rw, "/slash/"));
    assertEquals("/app/bar", up.apply(rw, "/bar"));
    assertEquals("/app/", up.apply(rw, "/"));
    String rd = "redirect.example.com";
    assertEquals("http://redirect.example.com/new/x", ev.evaluate(TestRequest.get(rd, "/old/x")).location());
    assertEquals("http://redirect.example.com/new", ev.evaluate(TestRequest.get(rd, "/old")).location());
    assertEquals("http://redirect.example.com/x", ev.evaluate(TestRequest.get(rd, "/strip/x")).location());
    assertEquals("http://redirect.example.com/", ev.evaluate(TestRequest.get(rd, "/strip")).location());
  }
}
