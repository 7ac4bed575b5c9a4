package io.gloo.core.translate.edge;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationJson;
import io.gloo.core.translate.Translator;
import io.gloo.core.watch.DirectorySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Gloo Edge API, pinned: every folder under {@code edge-golden/} holds Edge manifests ({@code *.yaml}) and the
 * expected output ({@code expected.json}: xDS per proxy and every status), translated without plugins (kube
 * destinations; Upstreams and options with plugins are pinned by the it module's EdgePluginsGoldenTest). Regenerate
 * with {@code -Dgolden.update=true}.
 */
class EdgeGoldenTest {

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(GoldenFiles.sourceDir("edge-golden"))) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void translatesAsGolden(String name) throws IOException {
    Path dir = GoldenFiles.sourceDir("edge-golden").resolve(name);
    java.util.List<Path> inputs;
    try (Stream<Path> files = Files.list(dir)) {
      inputs = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    ResourceSnapshot snapshot = DirectorySource.load(inputs, GoldenFiles.parser());
    assertTrue(snapshot.problems().isEmpty(), "input must parse cleanly: " + snapshot.problems());
    try (Translator translator = new Translator()) {
      GoldenFiles.assertMatches(dir.resolve("expected.json"), TranslationJson.render(translator.translate(snapshot)));
    }
  }
}
