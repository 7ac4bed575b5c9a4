package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.SourceProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No false rejections: every golden input and example of this repository is admitted, except the golden cases that
 * deliberately feed the translator objects the CRDs reject (to pin how it copes); those are rejected for exactly the
 * reasons listed here. (The shared Gloo examples and conformance manifests: {@link ManifestExamplesTest}.)
 */
class AdmissionCorpusTest {

  /** Golden case → the CRD rules its input breaks on purpose. */
  private static final Map<String, List<String>> MEANT_INVALID = Map.of(
      "attachment", List.of("Gateway infra/gw: spec.listeners: tls mode must be set for protocol TLS",
          "Gateway infra/gw: spec.listeners: Combination of port, protocol and hostname must be unique for each "
              + "listener",
          "HTTPRoute team-a/from-team-a: spec.parentRefs: sectionName or port must be specified when parentRefs "
              + "includes 2 or more references to the same parent"),
      "direct-response", List.of("DirectResponse default/bad-status: spec.status: Invalid value: 99: should be"
          + " greater than or equal to 200"),
      "filters-extended", List.of("HTTPRoute default/features: spec.rules[6].timeouts: backendRequest timeout "
          + "cannot be longer than request timeout"),
      "grpcroute", List.of("GRPCRoute default/echo: spec.rules[5].matches[0].method: One or both of 'service' or "
          + "'method' must be specified"));

  @Test
  void goldenInputsAreAdmittedUnlessMeantInvalid() throws IOException {
    ManifestParser parser = new ManifestParser(ManifestExamplesTest.withEnterpriseKinds());
    Map<String, List<String>> rejected = new TreeMap<>();
    int cases = 0;
    try (Stream<Path> dirs = Files.list(Path.of("src/test/resources/golden"))) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        cases++;
        for (Path file : yamlFiles(dir)) {
          for (SourceProblem p : parser.parse(file).problems()) {
            rejected.computeIfAbsent(dir.getFileName().toString(), k -> new ArrayList<>()).add(p.message());
          }
        }
      }
    }
    assertTrue(cases > 5, "golden cases found: " + cases);
    assertEquals(new TreeMap<>(MEANT_INVALID), rejected);
  }

  @Test
  void examplesAreAdmitted() throws IOException {
    ManifestParser parser = new ManifestParser(ManifestExamplesTest.withEnterpriseKinds());
    List<SourceProblem> problems = new ArrayList<>();
    int read = 0;
    for (Path file : yamlFiles(Path.of("..", "examples"))) {
      if (file.toString().contains("route-check/") && file.getFileName().toString().endsWith("-tests.yaml")) {
        continue; // route-check test files, not manifests
      }
      ManifestParser.Result result = parser.parse(file);
      read += result.resources().size();
      problems.addAll(result.problems().stream()
          // the third-party example plugin's kind is served only when its plugin is loaded
          .filter(p -> !p.message().startsWith("ResponseHeaderPolicy (policies.example.com/v1alpha1) is not served"))
          .toList());
    }
    assertEquals(List.of(), problems);
    assertTrue(read > 5, "objects read: " + read);
  }

  private static List<Path> yamlFiles(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> p.toString().endsWith(".yaml") && !p.toString().contains("/target/")).sorted()
          .toList();
    }
  }
}
