package io.gloo.core.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.watch.DirectorySource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A long-lived {@link Translator} carries work from one translation to the next (route plans, sorted virtual hosts,
 * protos by IR instance); over every golden case its output must stay what a fresh translator gives: when nothing
 * changed (what can be reused is), and when any one resource is replaced by an equal copy (a new instance: what it
 * affects is recomputed) or removed, and then restored.
 */
class IncrementalGoldenTest {

  private static final KubernetesSerialization KUBE = new KubernetesSerialization();

  static Stream<String> cases() throws IOException {
    return GoldenFiles.cases();
  }

  private static String render(TranslationResult result) {
    return TranslationJson.render(result).toString();
  }

  private static String fresh(ResourceSnapshot snapshot) {
    return render(new Translator().translate(snapshot));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void translatingTheSameResourcesAgainReusesEverythingAndGivesTheGoldenOutput(String name) throws IOException {
    ResourceSnapshot snapshot = DirectorySource.load(GoldenFiles.inputs(name), GoldenFiles.parser());
    Translator translator = new Translator();
    TranslationResult first = translator.translate(snapshot);
    TranslationResult again = translator.translate(ResourceSnapshot.of(snapshot.all(), snapshot.problems()));

    GoldenFiles.assertMatches(GoldenFiles.expected(name), TranslationJson.render(first));
    GoldenFiles.assertMatches(GoldenFiles.expected(name), TranslationJson.render(again));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void replacingOrRemovingAnyOneResourceTranslatesAsFromScratch(String name) throws IOException {
    ResourceSnapshot original = DirectorySource.load(GoldenFiles.inputs(name), GoldenFiles.parser());
    List<HasMetadata> resources = new ArrayList<>(original.all());
    assertTrue(resources.size() > 1);
    Translator translator = new Translator();
    translator.translate(original);
    for (int i = 0; i < resources.size(); i++) {
      HasMetadata resource = resources.get(i);
      String what = name + ": " + resource.getKind() + " " + resource.getMetadata().getName();

      List<HasMetadata> replaced = new ArrayList<>(resources);
      replaced.set(i, KUBE.clone(resource));
      ResourceSnapshot copy = ResourceSnapshot.of(replaced, List.of());
      assertEquals(fresh(copy), render(translator.translate(copy)), what + " replaced by an equal copy");

      List<HasMetadata> removed = new ArrayList<>(resources);
      removed.remove(i);
      ResourceSnapshot without = ResourceSnapshot.of(removed, List.of());
      assertEquals(fresh(without), render(translator.translate(without)), what + " removed");

      // and back, with the original instances (their earlier plans were forgotten meanwhile)
      assertEquals(fresh(original), render(translator.translate(ResourceSnapshot.of(resources, List.of()))),
          what + " restored");
    }
  }
}
