package io.gloo.core.translate;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.testing.TranslationInvariants;
import io.gloo.core.validate.SnapshotValidator;
import io.gloo.core.watch.ManifestParser;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes {@code gloo translate} without plugins: a mutated manifest set (seeded with the golden inputs and Gloo's
 * examples) is parsed as {@code gloo translate} parses it (CRD admission included), then translated.
 *
 * <p>Invariants ({@link TranslationInvariants}): no exception escapes the translator; every Gateway's resources
 * pass the publish check ({@code validate.rules}); a route no parent accepts, or a Gateway that is not accepted,
 * changes nothing else when taken out. Gloo policy kinds are read by the plugins, so here they are unread kinds;
 * the plugin modules' fuzz tests translate them with their plugin.
 */
class TranslateFuzzTest {

  private static final ManifestParser PARSER = new ManifestParser();
  /** At most this many rejected resources are taken out and re-translated per input (each costs a translation). */
  private static final int ISOLATION_CHECKS = 2;

  @FuzzTest
  void translate(byte[] data) {
    ManifestParser.Result parsed = PARSER.parse("fuzz.yaml", new String(data, StandardCharsets.UTF_8));
    ResourceSnapshot snapshot = ResourceSnapshot.of(parsed.resources(), parsed.problems());
    SnapshotValidator validator = new SnapshotValidator();
    try (Translator translator = new Translator()) {
      TranslationResult result = translator.translate(snapshot);
      TranslationInvariants.assertPublishable(result, validator);
      TranslationInvariants.assertRejectedIsolated(snapshot, result, translator::translate, ISOLATION_CHECKS);
    }
  }
}
