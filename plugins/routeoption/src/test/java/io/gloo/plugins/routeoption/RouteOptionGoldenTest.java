package io.gloo.plugins.routeoption;

import io.gloo.core.testing.PluginTranslation;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    try (Stream<Path> dirs = Files.list(GoldenFiles.sourceDir("golden"))) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void translatesAsGolden(String name) throws IOException {
    Path dir = GoldenFiles.sourceDir("golden").resolve(name);
    List<Path> inputs;
    try (Stream<Path> files = Files.list(dir)) {
      inputs = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertFalse(inputs.isEmpty(), "no input manifests in " + dir);
    ResourceSnapshot snapshot = PluginTranslation.load(inputs);
    assertTrue(snapshot.problems().isEmpty(), "input must parse cleanly: " + snapshot.problems());
    TranslationResult result = PluginTranslation.translate(snapshot, Map.of("routeoption", new RouteOptionPlugin()));
    GoldenFiles.assertMatches(dir.resolve("expected.json"), PluginTranslation.render(result));
  }
}
