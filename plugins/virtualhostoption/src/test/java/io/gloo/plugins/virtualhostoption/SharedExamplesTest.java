package io.gloo.plugins.virtualhostoption;

import io.gloo.core.testing.PluginTranslation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every shared Gloo 1.18 example with a RouteOption or VirtualHostOption loads unchanged and translates with both
 * plugins: each option gets a status; the ones NOTICE.md marks "intentionally invalid" are Rejected, the others
 * Accepted or Warning, and a Warning that is not about the file being loaded alone (dangling targetRefs) is only
 * for unsupported fields. Each file is loaded together with the companion files of its folder (the HTTPRoutes and
 * Gateways its options attach to).
 */
class SharedExamplesTest {

  private static final Pattern OPTION_KIND = Pattern.compile("(?m)^kind:\\s*(RouteOption|VirtualHostOption)\\s*$");
  private static final Pattern INVALID = Pattern.compile("\\| `([^`]+)` \\|[^\\n]*intentionally invalid");
  /** The files whose options use fields we report as unsupported (stagedTransformations). */
  private static final Set<String> EXPECTED_UNSUPPORTED = Set.of("e2e/validation/valid-resources-large-configuration.yaml");

  @Test
  void everySharedOptionTranslatesWithAStatus() throws IOException {
    Optional<Path> shared = sharedDir();
    Assumptions.assumeTrue(shared.isPresent(), "shared/gloo-examples not found");
    Path root = shared.get().resolve("gloo-examples");
    Set<String> invalid = new TreeSet<>();
    Matcher m = INVALID.matcher(Files.readString(root.resolve("NOTICE.md")));
    while (m.find()) {
      invalid.add(m.group(1));
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> p.toString().endsWith(".yaml")).filter(SharedExamplesTest::hasOption).sorted().toList();
    }
    assertTrue(files.size() >= 30, "only " + files.size() + " files");

    Map<String, String> summary = new TreeMap<>();
    Set<String> unsupported = new TreeSet<>();
    List<String> failures = new ArrayList<>();
    int options = 0;
    for (Path file : files) {
      String rel = root.relativize(file).toString();
      List<Path> inputs = new ArrayList<>(List.of(file));
      try (Stream<Path> siblings = Files.list(file.getParent())) {
        siblings.filter(p -> p.toString().endsWith(".yaml") && !p.equals(file) && !hasOption(p)
            && !p.getFileName().toString().equals("output.yaml")).sorted().forEach(inputs::add);
      }
      ResourceSnapshot snapshot = PluginTranslation.load(inputs);
      // companions of one e2e folder are alternative versions of the same HTTPRoute: only that may be reported, and
      // that a Gateway names a class the folder does not define (Gloo's install creates GatewayClass gloo-gateway), and
      // the Gloo kinds no plugin implements (VirtualService, ...), which are not read
      assertTrue(snapshot.problems().stream().allMatch(p -> p.toString().contains("is also defined in")
          || p.toString().contains("is not defined in these manifests")
          || p.message().contains("no plugin of this distribution")),
          rel + ": " + snapshot.problems());
      TranslationResult result = PluginTranslation.translate(snapshot, VirtualHostOptionTest.PLUGINS);
      for (GenericKubernetesResource r : snapshot.list(GenericKubernetesResource.class)) {
        if (!isOption(r)) {
          continue;
        }
        options++;
        String id = rel + " " + r.getKind() + " " + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
        Map<String, Object> status = PluginTranslation.status(result, r.getKind(), r.getMetadata().getNamespace(),
            r.getMetadata().getName());
        assertNotNull(status, id + " has no status");
        String state = (String) status.get("state");
        String reason = String.valueOf(status.get("reason"));
        summary.put(id, state + (status.get("reason") == null ? "" : ": " + reason));
        if (invalid.contains(rel)) {
          if (!state.equals("Rejected")) {
            failures.add(id + " is intentionally invalid but " + state);
          }
          continue;
        }
        if (state.equals("Rejected")) {
          failures.add(id + " rejected: " + reason);
        } else if (state.equals("Warning")) {
          for (String note : reason.split("; ")) {
            if (note.startsWith("UnsupportedValue")) {
              unsupported.add(rel);
            } else if (!note.contains("(dangling)") && !note.contains("conflict") && !note.startsWith("not attached")) {
              failures.add(id + " warning: " + note);
            }
          }
        }
      }
    }
    summary.forEach((k, v) -> System.out.println(k + " → " + v));
    assertEquals(List.of(), failures);
    assertEquals(EXPECTED_UNSUPPORTED, unsupported);
    assertTrue(options >= 50, "only " + options + " options");
    assertTrue(invalid.containsAll(Set.of("e2e/route_options/bad-rto.yaml", "e2e/route_options/bad-rto-targetref.yaml",
        "e2e/virtualhost_options/vho-webhook-reject.yaml")), invalid.toString());
  }

  private static boolean isOption(HasMetadata r) {
    return "gateway.solo.io/v1".equals(r.getApiVersion())
        && ("RouteOption".equals(r.getKind()) || "VirtualHostOption".equals(r.getKind()));
  }

  private static boolean hasOption(Path p) {
    try {
      return !p.getFileName().toString().equals("output.yaml") && OPTION_KIND.matcher(Files.readString(p)).find();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Optional<Path> sharedDir() {
    return io.gloo.core.testing.SharedDir.find();
  }

}
