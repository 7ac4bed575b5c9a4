package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.SourceProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every real manifest we have (Gloo examples, Gateway API conformance) must parse without problems.
 *
 * <p>Two findings from running this over the corpus: the files with Go template syntax ({@code {{ ... }}}) only
 * use it inside string values, so they parse cleanly and need no exemption; and the {@code output.yaml} files under {@code golden/} are
 * not manifests but expected translator output (a Gloo proxy with {@code listeners:}, no apiVersion or kind), so
 * they are left out rather than tolerated by the parser.
 */
class ManifestExamplesTest {

  @Test
  void everySharedExampleParsesWithoutProblems() throws IOException {
    Optional<Path> shared = sharedDir();
    Assumptions.assumeTrue(shared.isPresent(),
        "shared/ (gloo-examples, conformance) not found: set -Dgloo.shared.dir or check out /work/shared");
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("gloo-examples", "conformance/gateway-api")) {
      Path root = shared.get().resolve(dir);
      if (Files.isDirectory(root)) {
        try (Stream<Path> walk = Files.walk(root)) {
          walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .filter(p -> !isGoldenOutput(p))
              .sorted()
              .forEach(files::add);
        }
      }
    }
    Assumptions.assumeFalse(files.isEmpty(), "no YAML files under " + shared.get());

    ManifestParser parser = new ManifestParser();
    List<SourceProblem> unexpected = new ArrayList<>();
    int resources = 0;
    for (Path file : files) {
      ManifestParser.Result result = parser.parse(file);
      resources += result.resources().size();
      unexpected.addAll(result.problems());
    }
    assertEquals(List.of(), unexpected, "problems in " + files.size() + " files");
    assertTrue(resources > 100, "only " + resources + " resources in " + files.size() + " files");
  }

  private static boolean isGoldenOutput(Path file) {
    return file.getFileName().toString().equals("output.yaml") && file.toString().contains("/golden/");
  }

  private static Optional<Path> sharedDir() {
    return io.gloo.core.testing.SharedDir.find();
  }

}
