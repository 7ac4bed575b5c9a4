package io.gloo.core.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.xds.RouteReplacement;
import io.gloo.core.watch.ManifestParser;
import java.util.List;

/**
 * Manifests in a test's text translated as {@code gloo translate} would: parsed with the golden files' parser
 * ({@link GoldenFiles#parser()}), where any parse problem fails the test, then translated by a fresh translator.
 */
public final class Translations {

  private Translations() {}

  /** The objects of {@code yaml}; a parse problem fails the test. */
  public static List<HasMetadata> parse(String yaml) {
    ManifestParser.Result parsed = GoldenFiles.parser().parse("test.yaml", yaml);
    assertEquals(List.of(), parsed.problems());
    return parsed.resources();
  }

  public static ResourceSnapshot snapshot(String yaml) {
    return ResourceSnapshot.of(parse(yaml), List.of());
  }

  /** {@code yaml} translated once, with the standard route replacement. */
  public static TranslationResult translate(String yaml) {
    return translate(RouteReplacement.STANDARD, yaml);
  }

  public static TranslationResult translate(RouteReplacement mode, String yaml) {
    try (Translator translator = new Translator(mode)) {
      return translator.translate(snapshot(yaml));
    }
  }
}
