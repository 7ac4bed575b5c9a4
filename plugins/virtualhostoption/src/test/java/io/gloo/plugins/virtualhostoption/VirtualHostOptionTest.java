package io.gloo.plugins.virtualhostoption;

import io.gloo.core.testing.PluginTranslation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import io.gloo.plugins.common.EnvoyFilters;
import io.gloo.plugins.routeoption.RouteOptionPlugin;
import io.gloo.spi.GlooPlugin;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Golden files and precedence for VirtualHostOption, translated together with RouteOption. */
class VirtualHostOptionTest {

  static final Map<String, GlooPlugin> PLUGINS = Map.of("routeoption", new RouteOptionPlugin(),
      "virtualhostoption", new VirtualHostOptionPlugin());

  static Stream<String> cases() throws IOException {
    return GoldenFiles.cases();
  }

  private static TranslationResult translate(String goldenCase) throws IOException {
    ResourceSnapshot snapshot = PluginTranslation.load(GoldenFiles.inputs(goldenCase));
    assertTrue(snapshot.problems().isEmpty(), snapshot.problems().toString());
    return PluginTranslation.translate(snapshot, PLUGINS);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void translatesAsGolden(String name) throws IOException {
    GoldenFiles.assertMatches(GoldenFiles.expected(name),
        PluginTranslation.render(translate(name)));
  }

  private static VirtualHost vhost(TranslationResult result, int port) {
    RouteConfiguration config = result.gateways().get(new ResourceKey("Gateway", "default", "gw")).routes().stream()
        .filter(r -> r.getName().equals("http~" + port)).findFirst().orElseThrow();
    return config.getVirtualHosts(0);
  }

  @Test
  void listenerSpecificOptionsWinOverGatewayWideOnesAndOldestWinsAmongThose() throws IOException {
    TranslationResult result = translate("merge");
    assertEquals("listener-http", vhost(result, 8080).getResponseHeadersToAdd(0).getHeader().getValue());
    assertEquals("wide-old", vhost(result, 8081).getResponseHeadersToAdd(0).getHeader().getValue());
    // fields the winner does not set come from the others
    assertTrue(vhost(result, 8080).getIncludeAttemptCountInResponse());
    assertTrue(vhost(result, 8080).getIncludeRequestAttemptCount());
    @SuppressWarnings("unchecked")
    Map<String, String> lost = (Map<String, String>) ((Map<String, Object>) PluginTranslation.status(result,
        "VirtualHostOption", "default", "wide-old").get("details")).get("lostFields");
    assertTrue(lost.get("options.headerManipulation").contains("default/listener-http"), lost.toString());
  }

  @Test
  void routeLevelRetriesWinOverVirtualHostRetriesAndOtherRoutesInherit() throws IOException {
    TranslationResult result = translate("merge");
    VirtualHost vh = vhost(result, 8080);
    assertEquals(1, vh.getRetryPolicy().getNumRetries().getValue());
    var withOwn = vh.getRoutesList().stream().filter(r -> r.getName().endsWith("/0/0")).findFirst().orElseThrow();
    assertEquals(9, withOwn.getRoute().getRetryPolicy().getNumRetries().getValue());
    var inherits = vh.getRoutesList().stream().filter(r -> r.getName().endsWith("/1/0")).findFirst().orElseThrow();
    assertFalse(inherits.getRoute().hasRetryPolicy(), "Envoy applies the virtual host's retry policy");
  }

  /** Gloo's documented rules for optionsConfigRefs.delegateOptions, on its own example. */
  @Test
  void edgeDelegatedOptionsInlineWinThenFirstReference() throws IOException {
    TranslationResult result = translate("edge-options-config-refs");
    VirtualHost vh = result.gateways().get(new ResourceKey("Proxy", "gloo-system", "gateway-proxy")).routes()
        .get(0).getVirtualHosts(0);
    assertEquals(List.of("User-Agent"), vh.getRequestHeadersToRemoveList(), "the VirtualService's own wins");
    assertEquals(0, vh.getRequestHeadersToAddCount(), "virtualhost-options-1's headerManipulation is ignored");
    assertEquals(3, vh.getRetryPolicy().getNumRetries().getValue(), "the first reference's retries");
    assertTrue(vh.containsTypedPerFilterConfig("envoy.filters.http.cors"), "cors only the second one sets");
    assertEquals("Warning", PluginTranslation.status(result, "VirtualService", "httpbin", "httpbin").get("state"));
  }

  @Test
  void badRetriesVirtualHostOptionIsRejectedNamingTheField() throws IOException {
    TranslationResult result = translate("merge");
    Map<String, Object> status = PluginTranslation.status(result, "VirtualHostOption", "default", "bad-retries");
    assertEquals("Rejected", status.get("state"));
    assertTrue(String.valueOf(status.get("reason")).contains("spec.options.retries.retryBackOff.baseInterval"));
    assertEquals(1, vhost(result, 8080).getRetryPolicy().getNumRetries().getValue(), "not applied");
  }

  @Test
  void corsExposeHeadersUnionMergesIntoRoutesWithTheirOwnPolicy() throws Exception {
    TranslationResult result = translate("all-fields");
    VirtualHost vh = vhost(result, 8080);
    var route = vh.getRoutesList().stream().filter(r -> r.getTypedPerFilterConfigMap()
        .containsKey(EnvoyFilters.CORS)).findFirst().orElseThrow();
    CorsPolicy cors = route.getTypedPerFilterConfigMap().get(EnvoyFilters.CORS).unpack(CorsPolicy.class);
    assertEquals("x-route,x-shared,x-vh", cors.getExposeHeaders());
    assertEquals(2, vh.getVirtualClustersCount());
    assertEquals("Warning", PluginTranslation.status(result, "VirtualHostOption", "default", "every-field").get("state"));
  }

  @Test
  void authThatNoLoadedPluginImplementsClosesEveryRouteOfTheVirtualHost(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("vho.yaml"), """
        apiVersion: gateway.solo.io/v1
        kind: VirtualHostOption
        metadata: {name: auth-without-plugin, namespace: default}
        spec:
          targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw}]
          options: {extauth: {configRef: {name: login}}}
        """);
    java.util.List<java.nio.file.Path> inputs = new java.util.ArrayList<>(io.gloo.core.translate.GoldenFiles.inputs("all-fields"));
    inputs.removeIf(p -> p.getFileName().toString().equals("10-vho.yaml"));
    inputs.add(dir.resolve("vho.yaml"));
    inputs.add(dir.resolve("route.yaml"));
    java.nio.file.Files.writeString(dir.resolve("route.yaml"), """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: r, namespace: default}
        spec:
          parentRefs: [{name: gw}]
          rules:
            - matches: [{path: {type: PathPrefix, value: /plain}}]
              backendRefs: [{name: svc, port: 80}]
        """);
    TranslationResult result = PluginTranslation.translate(PluginTranslation.load(inputs),
        Map.of("virtualhostoption", new VirtualHostOptionPlugin()));
    for (var route : vhost(result, 8080).getRoutesList()) {
      assertEquals(500, route.getDirectResponse().getStatus(), route.getName());
    }
    assertEquals("Rejected", PluginTranslation.status(result, "VirtualHostOption", "default", "auth-without-plugin")
        .get("state"));
  }
}
