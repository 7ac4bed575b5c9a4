package io.gloo.plugins.routeoption;

import io.gloo.core.testing.PluginTranslation;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import java.io.IOException;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every folder under {@code golden/} holds input manifests and {@code expected.json}: the Gateway's listeners and
 * route configurations and every resource's status, translated with the routeoption plugin. Regenerate with
 * {@code -Dgolden.update=true}.
 */
class RouteOptionGoldenTest {

  static Stream<String> cases() throws IOException {
    return GoldenFiles.cases();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void translatesAsGolden(String name) throws IOException {
    // all-fields puts 26 rules in one HTTPRoute (the CRD allows 16) to exercise every RouteOption field at once
    ResourceSnapshot snapshot = name.equals("all-fields")
        ? PluginTranslation.loadWithoutAdmission(GoldenFiles.inputs(name))
        : PluginTranslation.load(GoldenFiles.inputs(name));
    assertTrue(snapshot.problems().isEmpty(), "input must parse cleanly: " + snapshot.problems());
    TranslationResult result = PluginTranslation.translate(snapshot, Map.of("routeoption", new RouteOptionPlugin()));
    GoldenFiles.assertMatches(GoldenFiles.expected(name), PluginTranslation.render(result));
  }
}
