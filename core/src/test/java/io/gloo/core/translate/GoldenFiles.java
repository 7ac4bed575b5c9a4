package io.gloo.core.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Golden-file comparison: actual output is compared with a checked-in expected file, or written to it when the
 * build runs with {@code -Dgolden.update=true} ({@code ./mvnw test -Dgolden.update=true}).
 */
public final class GoldenFiles {

  private static final JsonMapper PRETTY = JsonMapper.builder()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  private GoldenFiles() {}

  public static boolean updating() {
    return Boolean.parseBoolean(System.getProperty("golden.update", "false"));
  }

  public static void assertMatches(Path expectedFile, JsonNode actual) throws IOException {
    String rendered = PRETTY.writeValueAsString(PRETTY.treeToValue(actual, Object.class)) + "\n";
    if (updating() || !Files.exists(expectedFile)) {
      if (!updating()) {
        throw new AssertionError("missing golden file " + expectedFile + "; run with -Dgolden.update=true");
      }
      Files.writeString(expectedFile, rendered, StandardCharsets.UTF_8);
      return;
    }
    String expected = Files.readString(expectedFile, StandardCharsets.UTF_8);
    assertEquals(expected, rendered, "golden file " + expectedFile + " differs (regenerate with -Dgolden.update=true)");
  }

  /** The golden cases: the folder names under {@code golden/}, sorted (a JUnit {@code @MethodSource}). */
  public static java.util.stream.Stream<String> cases() throws IOException {
    try (java.util.stream.Stream<Path> dirs = Files.list(sourceDir("golden"))) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  /** The input manifests of a golden case ({@code *.yaml} in its folder), sorted; never empty. */
  /**
   * The parser for golden inputs: served versions converted, but no CRD admission, because some cases feed the
   * translator objects the CRDs reject (duplicate listeners, backendRequest > request, ...) to pin how it copes;
   * AdmissionCorpusTest lists them.
   */
  public static io.gloo.core.watch.ManifestParser parser() {
    return new io.gloo.core.watch.ManifestParser(io.gloo.core.watch.KindRegistry.withBuiltins(),
        new io.fabric8.kubernetes.client.utils.KubernetesSerialization(),
        io.gloo.core.admission.Admission.servedVersionsOnly());
  }

  public static java.util.List<Path> inputs(String goldenCase) throws IOException {
    Path dir = sourceDir("golden").resolve(goldenCase);
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      java.util.List<Path> inputs = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      if (inputs.isEmpty()) {
        throw new AssertionError("no input manifests in " + dir);
      }
      return inputs;
    }
  }

  /** The expected-output file of a golden case. */
  public static Path expected(String goldenCase) {
    return sourceDir("golden").resolve(goldenCase).resolve("expected.json");
  }

  /** The source directory of a test resource folder, so updates land in src/test/resources, not target/. */
  public static Path sourceDir(String resourceFolder) {
    Path candidate = Path.of("src/test/resources").resolve(resourceFolder);
    if (Files.isDirectory(candidate)) {
      return candidate;
    }
    return Path.of("core/src/test/resources").resolve(resourceFolder);
  }
}
