package io.gloo.core.translate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.watch.DirectorySource;
import java.io.IOException;
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
    return GoldenFiles.cases();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void translatesAsGolden(String name) throws IOException {
    ResourceSnapshot snapshot = DirectorySource.load(GoldenFiles.inputs(name), GoldenFiles.parser());
    assertTrue(snapshot.problems().isEmpty(), "input must parse cleanly: " + snapshot.problems());

    TranslationResult result = new Translator().translate(snapshot);

    ObjectNode rendered = TranslationJson.render(result);
    GoldenFiles.assertMatches(GoldenFiles.expected(name), rendered);
  }
}
