package io.gloo.core.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.gloo.core.evaluate.RouteDecision.Outcome;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.watch.DirectorySource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The golden inputs, translated and evaluated: Gateway API semantics end to end, as Envoy would route them. */
class RouteEvaluatorGoldenTest {

  private static RouteEvaluator gateway(String golden) {
    TranslationResult result = new Translator().translate(
        DirectorySource.load(List.of(GoldenFiles.sourceDir("golden/" + golden).resolve("input.yaml"))));
    XdsResources xds = result.gateways().get(new ResourceKey("Gateway", "default", "gw"));
    assertNotNull(xds, "Gateway default/gw in " + golden);
    return new RouteEvaluator(xds);
  }

  private static String source(RouteDecision d) {
    return d.source().namespace() + "/" + d.source().name() + " " + d.source().rule() + "/" + d.source().match();
  }

  private static RouteDecision req(RouteEvaluator ev, String method, String authority, String path, String... headers) {
    TestRequest.Builder b = TestRequest.builder().method(method).authority(authority).path(path);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return ev.evaluate(b.build());
  }

  @Test
  void precedenceAcrossRoutes() {
    RouteEvaluator ev = gateway("precedence");
    // Exact beats any prefix
    assertEquals("default/a-older 1/1", source(req(ev, "GET", "h", "/api")));
    // the longest prefix wins
    assertEquals("default/a-older 1/0", source(req(ev, "GET", "h", "/api/v1/x")));
    // same prefix: a method match beats none
    assertEquals("other/specific-matches 0/2", source(req(ev, "GET", "h", "/api/x")));
    // a method match beats header matches; among those, more header matches beat fewer
    assertEquals("other/specific-matches 0/2", source(req(ev, "GET", "h", "/api/x", "a", "1", "b", "2")));
    assertEquals("other/specific-matches 0/1", source(req(ev, "POST", "h", "/api/x", "a", "1", "b", "2")));
    assertEquals("other/specific-matches 0/0", source(req(ev, "POST", "h", "/api/x", "a", "1")));
    // query parameter matches come next
    assertEquals("other/specific-matches 0/3", source(req(ev, "POST", "h", "/api/x?q=1")));
    // then the oldest route: a-older before z-newer, whatever the declaration order
    assertEquals("default/a-older 0/0", source(req(ev, "POST", "h", "/api/x")));
    // /apix is not under /api
    assertEquals("default/z-newer 0/0", source(req(ev, "GET", "h", "/apix")));
  }

  @Test
  void hostnamesIntersectListenersAndRoutes() {
    RouteEvaluator ev = gateway("hostnames");
    RouteDecision deep = req(ev, "GET", "a.foo.example.com", "/api/x");
    assertEquals("http~80~*.foo.example.com", deep.virtualHost());
    assertEquals("default/specific 0/0", source(deep));
    // the more specific vhost has no route for /other: Envoy does not fall back to *.example.com
    assertEquals(Outcome.NO_ROUTE, req(ev, "GET", "a.foo.example.com", "/other").outcome());
    assertEquals("default/no-hostnames 0/0", source(req(ev, "GET", "www.example.com", "/x")));
    assertEquals("default/specific 0/0", source(req(ev, "GET", "API.example.com:80", "/api")));
    assertEquals(Outcome.NO_VIRTUAL_HOST, req(ev, "GET", "other.org", "/api").outcome(),
        "other.org intersects no listener hostname on port 80");
    RouteDecision any = ev.evaluate(TestRequest.builder().port(8080).authority("other.org").path("/api").build());
    assertEquals(Outcome.FORWARD, any.outcome());
    assertEquals("kube_default_svc_80", any.cluster());
  }

  @Test
  void unresolvedBackendsAnswer500AndWeightsHold() {
    RouteEvaluator ev = gateway("backends");
    RouteEvaluator e = ev;
    assertEquals("kube_default_a_80",
        e.evaluate(TestRequest.builder().path("/split").randomValue(79).build()).cluster());
    assertEquals("kube_default_b_8080",
        e.evaluate(TestRequest.builder().path("/split").randomValue(80).build()).cluster());
    RouteDecision half = e.evaluate(TestRequest.builder().path("/half").randomValue(50).build());
    assertEquals(Outcome.CLUSTER_NOT_FOUND, half.outcome());
    assertEquals(500, half.status());
    assertEquals(Outcome.FORWARD, e.evaluate(TestRequest.builder().path("/half").randomValue(49).build()).outcome());
    for (String path : List.of("/not-granted", "/bad-kind", "/bad-port", "/nothing")) {
      assertEquals(500, e.evaluate(TestRequest.get("h", path)).status(), path);
    }
    assertEquals("kube_backends_remote_80", e.evaluate(TestRequest.get("h", "/granted/x")).cluster());
  }

  @Test
  void filtersRedirectsAndRewrites() {
    RouteEvaluator ev = gateway("filters");
    RouteDecision moved = req(ev, "GET", "h.com", "/moved/a?b=1");
    assertEquals(302, moved.status());
    assertEquals("http://new.example.com:8443/new/a?b=1", moved.location());
    RouteDecision old = req(ev, "GET", "h.com", "/old-page");
    assertEquals(308, old.status());
    assertEquals("http://h.com/new-page", old.location());
    RouteDecision strip = req(ev, "GET", "h.com", "/strip/x/y");
    assertEquals("/x/y", strip.upstream().path());
    assertEquals("backend.internal", strip.upstream().authority());
    assertEquals("/v2/z", req(ev, "GET", "h.com", "/rewrite-prefix/z").upstream().path());
    RouteDecision headers = req(ev, "GET", "h.com", "/headers", "x-set", "zero", "x-remove", "r");
    HeaderMap up = new HeaderMap();
    headers.upstream().headers().forEach(h -> up.add(h.name(), h.value()));
    assertEquals(List.of("one"), up.getAll("x-set"));
    assertEquals(List.of("two"), up.getAll("x-add"));
    assertEquals(List.of(), up.getAll("x-remove"));
    // RequestRedirect with scheme https and no port: the Gateway API says the scheme's default port SHOULD NOT
    // appear in Location; the translator leaves port_redirect unset and the listener strips the request's port.
    RouteDecision https = req(ev, "GET", "h.com:80", "/to-https");
    assertEquals(301, https.status());
    assertEquals("https://h.com/to-https", https.location());
  }
}
