package io.gloo.core.translate.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.watch.DirectorySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gloo's "last accepted configuration keeps serving", per resource: an errored VirtualService or RouteTable is
 * Rejected and its last accepted routes stay served while other resources publish their changes; once fixed, the
 * new version serves; a resource never accepted serves its valid routes only.
 */
class EdgeLastAcceptedTest {

  private static final ResourceKey PROXY = new ResourceKey("Proxy", "gloo-system", "gateway-proxy");

  @TempDir
  Path dir;

  private final Translator translator = new Translator();

  private static String vs(String name, long generation, String routes) {
    return "apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata:\n  name: " + name
        + "\n  namespace: default\n  generation: " + generation + "\nspec:\n  virtualHost:\n    domains: [" + name
        + ".example.com]\n    routes:\n" + routes;
  }

  private static String rt(String name, long generation, String routes) {
    return "apiVersion: gateway.solo.io/v1\nkind: RouteTable\nmetadata:\n  name: " + name
        + "\n  namespace: default\n  generation: " + generation + "\nspec:\n  routes:\n" + routes;
  }

  private static String direct(String prefix, String body) {
    return "      - matchers: [{prefix: " + prefix + "}]\n        directResponseAction: {status: 200, body: " + body
        + "}\n";
  }

  private static final String NO_ACTION = "      - matchers: [{prefix: /broken}]\n";
  private static final String NO_ACTION_UNDER_T = "      - matchers: [{prefix: /t/broken}]\n";

  private TranslationResult translate(String... docs) throws IOException {
    Path file = dir.resolve("edge.yaml");
    Files.writeString(file, String.join("\n---\n", docs));
    ResourceSnapshot snapshot = DirectorySource.load(List.of(file), GoldenFiles.parser());
    assertTrue(snapshot.problems().isEmpty(), snapshot.problems().toString());
    return translator.translate(snapshot);
  }

  /** The bodies of the direct responses served for {@code domain}, in route order. */
  private static List<String> bodies(TranslationResult result, String domain) {
    List<String> out = new ArrayList<>();
    for (RouteConfiguration rc : result.gateways().get(PROXY).routes()) {
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        if (vh.getDomainsList().contains(domain)) {
          for (Route r : vh.getRoutesList()) {
            out.add(r.getMatch().getPrefix() + "=" + r.getDirectResponse().getBody().getInlineString());
          }
        }
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(TranslationResult result, String kind, String name) {
    Map<String, Object> status = (Map<String, Object>) result.statuses().get(new ResourceKey(kind, "default", name));
    return (Map<String, Object>) ((Map<String, Object>) status.get("statuses")).get("gloo-system");
  }

  @Test
  void rejectedVirtualServiceKeepsServingItsLastAcceptedRoutesWhileOthersPublish() throws IOException {
    TranslationResult first = translate(vs("a", 1, direct("/a", "a1")), vs("b", 1, direct("/b", "b1")));
    assertEquals(List.of("/a=a1"), bodies(first, "a.example.com"));
    assertEquals("Accepted", status(first, "VirtualService", "a").get("state"));

    TranslationResult broken = translate(vs("a", 2, direct("/a", "a2") + NO_ACTION),
        vs("b", 2, direct("/b", "b2")));
    assertEquals(List.of("/a=a1"), bodies(broken, "a.example.com"), "a's last accepted routes keep serving");
    assertEquals(List.of("/b=b2"), bodies(broken, "b.example.com"), "b publishes its change");
    Map<String, Object> a = status(broken, "VirtualService", "a");
    assertEquals("Rejected", a.get("state"));
    assertEquals(2L, ((Number) a.get("observedGeneration")).longValue());
    assertTrue(a.get("reason").toString().contains("invalid route: route must specify an action"), a.toString());
    assertTrue(a.get("reason").toString().contains("last accepted version (generation 1) keeps serving"),
        a.toString());

    TranslationResult fixed = translate(vs("a", 3, direct("/a", "a3")), vs("b", 2, direct("/b", "b2")));
    assertEquals(List.of("/a=a3"), bodies(fixed, "a.example.com"));
    assertEquals("Accepted", status(fixed, "VirtualService", "a").get("state"));
  }

  @Test
  void rejectedRouteTableKeepsServingItsLastAcceptedRoutes() throws IOException {
    String parent = vs("a", 1, "      - matchers: [{prefix: /t}]\n        delegateAction: {ref: {name: t}}\n");
    TranslationResult first = translate(parent, rt("t", 1, direct("/t/x", "t1")));
    assertEquals(List.of("/t/x=t1"), bodies(first, "a.example.com"));

    TranslationResult broken = translate(parent, rt("t", 2, direct("/t/y", "t2") + NO_ACTION_UNDER_T));
    assertEquals(List.of("/t/x=t1"), bodies(broken, "a.example.com"));
    assertEquals("Rejected", status(broken, "RouteTable", "t").get("state"));
    assertTrue(status(broken, "VirtualService", "a").get("reason").toString()
        .contains("on sub route table default.t: invalid route: route must specify an action"));
  }

  @Test
  void neverAcceptedVirtualServiceServesOnlyItsValidRoutes() throws IOException {
    TranslationResult result = translate(vs("a", 1, direct("/a", "ok") + NO_ACTION));
    assertEquals(List.of("/a=ok"), bodies(result, "a.example.com"));
    assertEquals("Rejected", status(result, "VirtualService", "a").get("state"));
  }
}
