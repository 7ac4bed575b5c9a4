package io.gloo.plugins.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.testing.PluginTranslation;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.validate.Finding;
import io.gloo.core.validate.SnapshotValidator;
import io.gloo.plugins.routeoption.RouteOptionPlugin;
import io.gloo.plugins.virtualhostoption.VirtualHostOptionPlugin;
import io.gloo.spi.GlooPlugin;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every folder under {@code golden/}: manifests in, and in {@code expected.json} the Gateway's listeners (with the
 * rate-limit filters), routes (with their rate-limit actions), the rate-limit service's cluster, and every
 * resource's status. Each generated xDS resource must also pass core's snapshot validator (Envoy's constraints).
 * Regenerate with {@code -Dgolden.update=true}.
 */
class RateLimitGoldenTest {

  /** A fixed selector-signing key, so that the signed selectors in the golden output are stable. */
  static final io.gloo.plugins.ratelimit.service.ConfigGrants GRANTS =
      io.gloo.plugins.ratelimit.service.ConfigGrants.of(new byte[32]);

  /** The selector the golden case's option {@code default/<option>} sends for {@code domain}. */
  static String selector(String domain, String option) {
    return GRANTS.grant(domain, "default", option);
  }

  static Stream<String> cases() throws IOException {
    return GoldenFiles.cases();
  }

  static Map<String, GlooPlugin> plugins() {
    return Map.of("routeoption", new RouteOptionPlugin(), "virtualhostoption", new VirtualHostOptionPlugin(),
        "ratelimit", new RateLimitPlugin(java.time.Clock.systemUTC(), GRANTS));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void translatesAsGolden(String name) throws IOException {
    ResourceSnapshot snapshot = PluginTranslation.load(GoldenFiles.inputs(name));
    assertTrue(snapshot.problems().isEmpty(), "input must parse cleanly: " + snapshot.problems());
    TranslationResult result = PluginTranslation.translate(snapshot, plugins());
    ObjectNode rendered = PluginTranslation.render(result);
    result.gateways().forEach((key, xds) -> {
      List<Finding> findings = new SnapshotValidator().validate(xds);
      assertEquals(List.of(), findings, "Envoy would reject the snapshot of " + key);
      xds.clusters().stream().filter(c -> c.getName().equals("gloo-system_rate-limit")).forEach(c ->
          ((ObjectNode) rendered.get("gateways").get(key.namespacedName())).set("rateLimitCluster",
              PluginTranslation.json(c)));
    });
    GoldenFiles.assertMatches(GoldenFiles.expected(name), rendered);
  }
}
