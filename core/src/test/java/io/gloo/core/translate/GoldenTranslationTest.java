package io.gloo.core.translate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.watch.DirectorySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pins translation behaviour: every folder under {@code golden/} holds input manifests ({@code *.yaml}) and the
 * expected output ({@code expected.json}: xDS per Gateway and the status of every resource).
 */
class GoldenTranslationTest {

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
    ResourceSnapshot snapshot = DirectorySource.load(inputs);
    assertTrue(snapshot.problems().isEmpty(), "input must parse cleanly: " + snapshot.problems());

    TranslationResult result = new Translator().translate(snapshot);

    ObjectNode rendered = TranslationJson.render(result);
    GoldenFiles.assertMatches(dir.resolve("expected.json"), rendered);
  }
}
