package io.gloo.plugin.upstream;


import io.gloo.core.translate.GoldenFiles;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the Upstream translation: every folder under {@code golden/} holds input manifests and {@code expected.json}
 * (route configurations, clusters, endpoints, and the Upstream and HTTPRoute statuses). Regenerate with
 * {@code -Dgolden.update=true}.
 */
class UpstreamGoldenTest {

  static Stream<String> cases() throws IOException {
    return GoldenFiles.cases();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void translatesAsGolden(String name) throws IOException {
    var result = UpstreamHarness.translate(UpstreamHarness.load(GoldenFiles.inputs(name), true));
    GoldenFiles.assertMatches(GoldenFiles.expected(name), UpstreamHarness.render(result));
  }
}
