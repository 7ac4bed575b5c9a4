package io.gloo.core.translate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.ResourceSnapshot;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.admission.Admission;
import io.gloo.core.watch.DirectorySource;
import io.gloo.core.watch.KindRegistry;
import io.gloo.core.watch.ManifestParser;
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
    // Some cases feed the translator objects the CRDs reject (duplicate listeners, backendRequest > request) to pin
    // how it copes; admission is tested on these inputs by AdmissionCorpusTest.
    ResourceSnapshot snapshot = DirectorySource.load(GoldenFiles.inputs(name), new ManifestParser(
        KindRegistry.withBuiltins(), new KubernetesSerialization(), Admission.servedVersionsOnly()));
    assertTrue(snapshot.problems().isEmpty(), "input must parse cleanly: " + snapshot.problems());

    TranslationResult result = new Translator().translate(snapshot);

    ObjectNode rendered = TranslationJson.render(result);
    GoldenFiles.assertMatches(GoldenFiles.expected(name), rendered);
  }
}
