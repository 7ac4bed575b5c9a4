package io.gloo.plugins.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gloo.core.evaluate.RouteDecision;
import io.gloo.core.evaluate.RouteDecision.Entry;
import io.gloo.core.evaluate.RouteEvaluator;
import io.gloo.core.evaluate.TestRequest;
import io.gloo.core.testing.PluginTranslation;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.XdsResources;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Core's route evaluator (gloo route-check) on the translated golden case shows the descriptors a request sends. */
class RateLimitRouteCheckTest {

  static XdsResources xds;

  @BeforeAll
  static void translate() throws Exception {
    TranslationResult result = PluginTranslation.translate(
        PluginTranslation.load(GoldenFiles.inputs("refs-and-inline")), RateLimitGoldenTest.plugins());
    xds = result.gateways().values().iterator().next();
  }

  static RouteDecision check(String path, String... headers) {
    TestRequest.Builder b = TestRequest.builder().port(8080).authority("example.com").path(path);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return RouteEvaluator.evaluate(xds, b.build());
  }

  @Test
  void configReferencesSendTheirSelectorFirst() {
    RouteDecision d = check("/config", "x-user", "alice", "x-type", "premium");
    // the selector is signed for the option that references the config (see ConfigGrants)
    String perUser = RateLimitGoldenTest.selector("default.per-user", "config");
    assertEquals(1, d.rateLimits().size(), d.toJson().toString());
    RouteDecision.RateLimitCall call = d.rateLimits().get(0);
    assertEquals("envoy.filters.http.ratelimit", call.filter());
    assertEquals("custom", call.domain());
    assertEquals(List.of(
        List.of(new Entry("gloo.config", perUser), new Entry("user", "alice")),
        List.of(new Entry("gloo.config", perUser), new Entry("gloo.set", "true"),
            new Entry("user", "alice"), new Entry("type", "premium")),
        List.of(new Entry("gloo.config", RateLimitGoldenTest.selector("default.per-ip", "config")),
            new Entry("remote_address", "<client address>"))),
        call.descriptors());
    // without x-user, both per-user descriptors are dropped whole
    assertEquals(List.of(List.of(new Entry("gloo.config", RateLimitGoldenTest.selector("default.per-ip", "config")),
        new Entry("remote_address", "<client address>"))), check("/config").rateLimits().get(0).descriptors());
  }

  @Test
  void stagesAreSeparateCallsAndRoutesWithoutLimitsInheritTheVirtualHosts() {
    RouteDecision stages = check("/stages");
    assertEquals(List.of("envoy.filters.http.ratelimit.early", "envoy.filters.http.ratelimit.regular"),
        stages.rateLimits().stream().map(RouteDecision.RateLimitCall::filter).toList());
    RouteDecision plain = check("/plain");
    assertEquals(List.of(List.of(new Entry("generic_key", "whole-host")),
        List.of(new Entry("gloo.config", RateLimitGoldenTest.selector("default.per-ip", "vhost-limits")),
            new Entry("remote_address", "<client address>"))),
        plain.rateLimits().get(0).descriptors());
  }
}
