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
 * Every real manifest we have (Gloo examples, Gateway API conformance) must parse and be admitted without problems
 * (no false rejections by the CRDs' schemas and CEL rules), apart from the Gloo kinds no plugin serves.
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

    ManifestParser parser = new ManifestParser(withEnterpriseKinds());
    List<SourceProblem> unexpected = new ArrayList<>();
    int resources = 0;
    int notImplemented = 0;
    for (Path file : files) {
      // the conformance suite fills these placeholders in before it applies a manifest
      String content = Files.readString(file).replace("{GATEWAY_CLASS_NAME}", "gloo-gateway")
          .replace("{GATEWAY_CONTROLLER_NAME}", "solo.io/gloo-gateway");
      ManifestParser.Result result = parser.parse(file.toString(), content);
      resources += result.resources().size();
      for (SourceProblem p : result.problems()) {
        if (NOT_IMPLEMENTED.stream().anyMatch(k -> p.message().startsWith(k + " (gateway.solo.io/v1) is not served"))) {
          notImplemented++; // Gloo kinds no plugin of ours serves: reported, as they must be
        } else {
          unexpected.add(p);
        }
      }
    }
    assertEquals(List.of(), unexpected, "problems in " + files.size() + " files");
    assertTrue(notImplemented > 0, "the examples hold VirtualServices and listener options");
    assertTrue(resources > 100, "only " + resources + " resources in " + files.size() + " files");
  }

  /** Gloo kinds in the examples that no plugin of this project serves. */
  private static final List<String> NOT_IMPLEMENTED = List.of("VirtualService", "ListenerOption",
      "HttpListenerOption");

  /** The built-in kinds and the enterprise plugins' kinds, registered as the plugin manager registers them. */
  static KindRegistry withEnterpriseKinds() {
    KindRegistry registry = KindRegistry.withBuiltins();
    for (String[] kind : new String[][] {{"gateway.solo.io/v1", "RouteOption"},
        {"gateway.solo.io/v1", "VirtualHostOption"}, {"gloo.solo.io/v1", "Upstream"},
        {"ratelimit.solo.io/v1alpha1", "RateLimitConfig"}, {"enterprise.gloo.solo.io/v1", "AuthConfig"}}) {
      registry.register(kind[0], kind[1], io.fabric8.kubernetes.api.model.GenericKubernetesResource.class, true);
    }
    return registry;
  }

  private static boolean isGoldenOutput(Path file) {
    return file.getFileName().toString().equals("output.yaml") && file.toString().contains("/golden/");
  }

  private static Optional<Path> sharedDir() {
    return io.gloo.core.testing.SharedDir.find();
  }

}
