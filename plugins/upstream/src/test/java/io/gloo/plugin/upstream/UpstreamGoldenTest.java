package io.gloo.plugin.upstream;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.gloo.core.translate.GoldenFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    try (Stream<Path> dirs = Files.list(golden())) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  static Path golden() {
    Path here = Path.of("src/test/resources/golden");
    return Files.isDirectory(here) ? here : Path.of("plugins/upstream/src/test/resources/golden");
  }

  @ParameterizedTest
  @MethodSource("cases")
  void translatesAsGolden(String name) throws IOException {
    Path dir = golden().resolve(name);
    List<Path> inputs;
    try (Stream<Path> files = Files.list(dir)) {
      inputs = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertFalse(inputs.isEmpty(), "no input manifests in " + dir);
    var result = UpstreamHarness.translate(UpstreamHarness.load(inputs, true));
    GoldenFiles.assertMatches(dir.resolve("expected.json"), UpstreamHarness.render(result));
  }
}
