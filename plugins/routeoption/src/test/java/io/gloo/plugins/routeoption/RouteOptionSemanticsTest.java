package io.gloo.plugins.routeoption;

import io.gloo.core.testing.PluginTranslation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import io.gloo.plugins.common.Durations;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Merge precedence, lost-field reports and invalid input, asserted directly (the golden files pin the rest). */
class RouteOptionSemanticsTest {

  private static TranslationResult translate(String goldenCase) throws IOException {
    // as RouteOptionGoldenTest: the all-fields case has more rules in one HTTPRoute than the CRD allows (one per field)
    ResourceSnapshot snapshot = PluginTranslation.loadWithoutAdmission(GoldenFiles.inputs(goldenCase));
    return PluginTranslation.translate(snapshot, Map.of("routeoption", new RouteOptionPlugin()));
  }

  private static Route route(TranslationResult result, String name) {
    return result.gateways().get(new ResourceKey("Gateway", "default", "gw")).routes().get(0).getVirtualHosts(0)
        .getRoutesList().stream().filter(r -> r.getName().equals(name)).findFirst().orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> lost(TranslationResult result, String name) {
    Map<String, Object> details = (Map<String, Object>) PluginTranslation.status(result, "RouteOption", "default", name)
        .get("details");
    return (Map<String, String>) details.getOrDefault("lostFields", Map.of());
  }

  @Test
  void extensionRefsInFilterOrderThenTargetRefsOldestFirst() throws IOException {
    TranslationResult result = translate("merge");
    Route rule0 = route(result, "httproute/default/example/0/0");
    // extref1 (first filter) keeps headerManipulation and retries over extref2 and both targetRefs
    assertEquals("extref", rule0.getResponseHeadersToAdd(0).getHeader().getValue());
    assertEquals(1, rule0.getResponseHeadersToAddCount());
    assertEquals(2, rule0.getRoute().getRetryPolicy().getNumRetries().getValue());
    // extref2 contributes what extref1 does not set
    assertTrue(rule0.getRoute().getAppendXForwardedHost());
    // target-1 (older) keeps prefixRewrite over target-2; target-2 still contributes hostRewrite
    assertEquals("/anything/rewrite", rule0.getRoute().getPrefixRewrite());
    assertEquals("foo.com", rule0.getRoute().getHostRewriteLiteral());
  }

  @Test
  void theLosingPoliciesNameTheFieldsTheyLostAndToWhom() throws IOException {
    TranslationResult result = translate("merge");
    assertTrue(lost(result, "extref2").get("options.retries").contains("default/extref1"));
    assertTrue(lost(result, "target-1").get("options.headerManipulation").contains("default/extref1"));
    assertTrue(lost(result, "target-2").get("options.prefixRewrite").contains("default/target-1"));
    assertEquals(List.of(), List.copyOf(lost(result, "extref1").keySet()));
  }

  @Test
  void aRuleTargetedOptionAppliesOnlyToThatRuleAndOlderRouteWideOnesStillWin() throws IOException {
    TranslationResult result = translate("merge");
    Route second = route(result, "httproute/default/example/1/0");
    assertEquals(Durations.parse("3s"), second.getRoute().getTimeout());
    assertEquals("/anything/rewrite", second.getRoute().getPrefixRewrite());
    assertTrue(lost(result, "target-second-rule").get("options.prefixRewrite").contains("default/target-1"));
    assertTrue(!route(result, "httproute/default/example/0/0").getRoute().hasTimeout());
  }

  @Test
  void badRtoIsRejectedNamingTheFieldAndItsRuleAnswers500() throws IOException {
    TranslationResult result = translate("invalid");
    Map<String, Object> status = PluginTranslation.status(result, "RouteOption", "default", "bad-rto");
    assertEquals("Rejected", status.get("state"));
    assertTrue(String.valueOf(status.get("reason")).contains("spec.options.retries.retryBackOff.baseInterval"),
        String.valueOf(status.get("reason")));
    assertEquals(500, route(result, "httproute/default/invalid/0/0").getDirectResponse().getStatus());
    assertTrue(route(result, "httproute/default/invalid/4/0").hasRoute(), "other rules are served");
  }

  @Test
  void moreThanOneHostRewriteAndUnknownFieldsAreRejected() throws IOException {
    TranslationResult result = translate("invalid");
    assertEquals("Rejected", PluginTranslation.status(result, "RouteOption", "default", "two-host-rewrites").get("state"));
    String unknown = String.valueOf(PluginTranslation.status(result, "RouteOption", "default", "unknown-field").get("reason"));
    assertTrue(unknown.contains("spec.options.timeOut: unknown field"), unknown);
    assertTrue(unknown.contains("spec.options.cors.allowOrigins: unknown field"), unknown);
  }

  @Test
  void unsupportedFieldsAreWarningsAndTheRestApplies() throws IOException {
    TranslationResult result = translate("all-fields");
    Map<String, Object> status = PluginTranslation.status(result, "RouteOption", "default", "unsupported");
    assertEquals("Warning", status.get("state"));
    for (String f : List.of("stagedTransformations", "transformations", "ratelimit", "rateLimitConfigs")) {
      assertTrue(String.valueOf(status.get("reason")).contains("spec.options." + f + " is not supported"), f);
    }
    assertEquals("/u", route(result, "httproute/default/fields/23/0").getRoute().getPrefixRewrite());
  }

  @Test
  void authThatNoLoadedPluginImplementsFailsTheRuleClosed() throws IOException {
    TranslationResult result = translate("all-fields");
    Map<String, Object> status = PluginTranslation.status(result, "RouteOption", "default", "auth-without-plugin");
    assertEquals("Rejected", status.get("state"));
    assertTrue(String.valueOf(status.get("reason")).contains("spec.options.extauth: no loaded plugin implements it"),
        String.valueOf(status.get("reason")));
    assertEquals(500, route(result, "httproute/default/fields/24/0").getDirectResponse().getStatus(),
        "never served without the auth it asks for");
  }

  @Test
  void durationsParseGlooSyntax() {
    assertEquals(5, Durations.parse("5s").getSeconds());
    assertEquals(500_000_000, Durations.parse("1.5s").getNanos());
    assertEquals(100_000_000, Durations.parse("100ms").getNanos());
    assertEquals(90, Durations.parse("1m30s").getSeconds());
    assertEquals(0, Durations.parse("0s").getSeconds());
  }

  @Test
  void thePluginIsFoundByServiceLoader() {
    var plugins = ServiceLoader.load(io.gloo.spi.GlooPlugin.class).stream().map(ServiceLoader.Provider::get).toList();
    assertTrue(plugins.stream().anyMatch(p -> p instanceof RouteOptionPlugin));
    assertEquals(RouteOptionKind.GROUP_KIND, plugins.get(0).policyKinds().get(0).groupKind());
  }
}
