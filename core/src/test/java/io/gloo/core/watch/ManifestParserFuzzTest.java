package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.store.SourceProblem;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the manifest parser (YAML and JSON → fabric8 objects, CRD admission included) with raw file content.
 *
 * <p>Invariants: nothing escapes {@link ManifestParser#parse} (every bad input is a {@link SourceProblem}); what
 * is read has a kind, a name, and a namespace exactly when its kind is namespaced; every problem names its file.
 * The seed corpus ({@code ManifestParserFuzzTestInputs/}) holds golden inputs and Gloo examples; findings land
 * there too. Replayed by {@code mvn test}; fuzzed by {@code ./run-fuzz} and the {@code verify} phase (README,
 * "Fuzzing").
 */
class ManifestParserFuzzTest {

  /** One parser for all runs, as a server has: its admission memo and unsupported-kind set carry over. */
  private static final ManifestParser PARSER = new ManifestParser();

  @FuzzTest
  void parse(byte[] data) {
    // the bytes path first: invalid UTF-8 is a problem, not an exception
    check(PARSER.parse("fuzz.yaml", data), "fuzz.yaml");
    String text = new String(data, StandardCharsets.UTF_8);
    check(PARSER.parse("fuzz.json", text), "fuzz.json");
  }

  private static void check(ManifestParser.Result result, String source) {
    for (HasMetadata resource : result.resources()) {
      assertNotNull(resource.getKind(), "kind of " + resource);
      String name = resource.getMetadata() == null ? null : resource.getMetadata().getName();
      assertTrue(name != null && !name.isBlank(), "a resource without a name was read: " + resource);
      boolean namespaced = PARSER.registry().lookup(resource.getApiVersion(), resource.getKind())
          .map(KindRegistry.KindInfo::namespaced).orElse(true);
      String namespace = resource.getMetadata().getNamespace();
      assertEquals(namespaced, namespace != null && !namespace.isBlank(),
          "namespace of " + resource.getKind() + " " + name + ": " + namespace);
    }
    for (SourceProblem p : result.problems()) {
      assertEquals(source, p.source());
      assertNotNull(p.message());
      assertFalse(p.message().isBlank(), "a problem without a message: " + p);
      assertTrue(p.line() >= 0 && p.column() >= 0, "negative position: " + p);
    }
    assertTrue(result.unreadKinds() <= result.problems().size());
  }
}
