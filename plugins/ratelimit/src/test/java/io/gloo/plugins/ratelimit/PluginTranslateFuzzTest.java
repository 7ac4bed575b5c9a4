package io.gloo.plugins.ratelimit;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.testing.PluginTranslation;
import io.gloo.core.testing.TranslationInvariants;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.policy.PluginInvoker;
import io.gloo.core.translate.xds.PolicyApplier;
import io.gloo.core.validate.SnapshotValidator;
import io.gloo.core.watch.ManifestParser;
import io.gloo.plugins.routeoption.RouteOptionPlugin;
import io.gloo.plugins.virtualhostoption.VirtualHostOptionPlugin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Fuzzes {@code gloo translate} with the plugins this module's tests can load (routeoption, virtualhostoption,
 * ratelimit): mutated Gateway API + Gloo manifests (RouteOption, VirtualHostOption, RateLimitConfig), seeded with
 * the golden inputs and Gloo's examples, parsed with admission as the server parses them. The same invariants as
 * core's {@code TranslateFuzzTest} ({@link TranslationInvariants}), with the plugins' output included. (extauth's
 * AuthConfig translation is not on this class path; the extauth request path has its own fuzz test.)
 */
class PluginTranslateFuzzTest {

  private static final ManifestParser PARSER = new ManifestParser(PluginTranslation.kinds());
  private static final SimpleMeterRegistry METRICS = new SimpleMeterRegistry();
  private static final PluginInvoker INVOKER = new PluginInvoker(Duration.ofSeconds(5), METRICS);
  private static final Translator TRANSLATOR = new Translator(PluginTranslation.catalog(Map.of(
      "routeoption", new RouteOptionPlugin(), "virtualhostoption", new VirtualHostOptionPlugin(),
      "ratelimit", new RateLimitPlugin(java.time.Clock.systemUTC(), RateLimitGoldenTest.GRANTS))),
      INVOKER, PolicyApplier.OutputCheck.NONE);
  private static final int ISOLATION_CHECKS = 2;

  @FuzzTest
  void translate(byte[] data) {
    ManifestParser.Result parsed = PARSER.parse("fuzz.yaml", new String(data, StandardCharsets.UTF_8));
    ResourceSnapshot snapshot = ResourceSnapshot.of(parsed.resources(), parsed.problems());
    TranslationResult result = TRANSLATOR.translate(snapshot);
    TranslationInvariants.assertPublishable(result, new SnapshotValidator());
    TranslationInvariants.assertRejectedIsolated(snapshot, result, TRANSLATOR::translate, ISOLATION_CHECKS);
  }
}
