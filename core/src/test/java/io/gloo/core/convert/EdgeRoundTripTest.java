package io.gloo.core.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gloo.core.evaluate.RouteEvaluator;
import io.gloo.core.evaluate.TestRequest;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.watch.DirectorySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code gloo convert} round-trips every Edge golden case ({@code edge-golden/*}): the Edge input and its conversion
 * are translated, and the route evaluator decides a generated request set ({@link RequestSet}) on each Edge proxy
 * and on the Gateway API Gateway converted from it. Decisions must be identical after dropping only what must
 * differ (listener, filter chain, route configuration, virtual host and route names, the source resource, the
 * trace). A difference is allowed only where {@link #LOSSY} lists it with its reason, and only if the converter
 * printed the note that says so.
 */
class EdgeRoundTripTest {

  /**
   * What the conversion cannot keep: in which case, which differences (a pattern over the request line and both
   * decisions), why, and the note the converter must have printed for it.
   */
  record Lossy(String goldenCase, String difference, String reason, String note) {}

  static final List<Lossy> LOSSY = List.of(
      // without the plugins, the Edge side fails closed (500) on optionsConfigRefs, guarding virtual-host options and
      // a destination's extauth; the conversion's RouteOption / VirtualHostOption are not served and a backendRef
      // takes no extauth, so those requests are forwarded (per-destination header edits are converted: no difference)
      new Lossy("destination-options-and-refs", "(?s).*edge: +\\{[^\\n]*\"outcome\":\"DIRECT_RESPONSE\","
          + "\"status\":500.*converted: +\\{[^\\n]*\"outcome\":\"FORWARD\".*", "without the routeoption and"
          + " virtualhostoption plugins the Edge translator fails closed on optionsConfigRefs, guarding options and a"
          + " destination's extauth, while the converted policies are not served (and a backendRef takes no extauth)",
          "per-destination options are not converted except headerManipulation"),
      new Lossy("destination-options-and-refs", "(?s).*edge: +\\{[^\\n]*\"weightedClusters\":\"[^\"]*unresolved~.*",
          "a destination's extauth fails closed on the Edge side (its weighted cluster answers 500); a backendRef"
          + " takes no extauth, so the converted one forwards", "per-destination options are not converted except"
          + " headerManipulation"),
      new Lossy("options-without-plugins", "(?s)^\\S+ GET http://opts.example.com:8080/secure/data.*",
          "without the routeoption plugin the RouteOption with extauth is ignored, while the Edge translator fails"
              + " closed on the option (500); with the plugin both apply it",
          "served only with the routeoption plugin"),
      // a redirect's prefixRewrite needs a PathPrefix match (ReplacePrefixMatch), which matches whole segments
      new Lossy("routes", "(?s)^\\S+ \\S+ https?://\\S+[^/]x \\[.*", "redirectAction.prefixRewrite: Gateway API"
          + " replaces a prefix only under a PathPrefix match (segments), Gloo under a string prefix",
          "kept as PathPrefix because the route rewrites the matched prefix"),
      new Lossy("routes", "(?s).*x-debug, value=set\\].*", "header invertMatch has no Gateway API form: the"
          + " converted route also matches requests that carry x-debug", "invertMatch has no Gateway API equivalent"));

  @TempDir
  Path temp;

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(GoldenFiles.sourceDir("edge-golden"))) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void conversionDecidesAsTheEdgeInput(String name) throws IOException {
    Path dir = GoldenFiles.sourceDir("edge-golden").resolve(name);
    List<Path> inputs;
    try (Stream<Path> files = Files.list(dir)) {
      inputs = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    List<JsonNode> documents = ConvertedManifests.read(inputs);
    EdgeConversion.Result conversion = EdgeConversion.convert(documents);
    Path converted = temp.resolve("converted.yaml");
    Files.writeString(converted, ConvertedManifests.yaml(conversion));

    RoundTrip.Comparison comparison = RoundTrip.compare(documents, translate(inputs),
        translate(List.of(converted)));
    List<String> differences = comparison.differences();
    int compared = comparison.compared();
    assertTrue(compared > 0, "no request compared");
    List<String> unexplained = new ArrayList<>();
    Set<Lossy> used = new LinkedHashSet<>();
    for (String d : differences) {
      Lossy why = LOSSY.stream().filter(l -> l.goldenCase.equals(name) && d.matches(l.difference)).findFirst()
          .orElse(null);
      if (why == null) {
        unexplained.add(d);
      } else {
        used.add(why);
      }
    }
    for (Lossy l : LOSSY) {
      if (l.goldenCase.equals(name)) {
        assertTrue(used.contains(l), "listed as lossy but no request differs: " + l);
        assertTrue(conversion.notes().all().stream().anyMatch(n -> n.contains(l.note)),
            "the converter must say so (" + l.note + "): " + conversion.notes().all());
      }
    }
    if (!unexplained.isEmpty()) {
      fail(unexplained.size() + " of " + compared + " decisions differ:\n" + String.join("\n", unexplained)
          + "\nnotes: " + String.join("\n", conversion.notes().all()));
    }
  }

  private static Map<ResourceKey, XdsResources> translate(List<Path> files) throws IOException {
    ResourceSnapshot snapshot = DirectorySource.load(files, GoldenFiles.parser());
    // core runs without plugins: RouteOption and VirtualHostOption are read but not served (as the
    // Edge options are not without the plugins); anything else is a broken conversion
    assertEquals(List.of(), snapshot.problems().stream().map(Object::toString)
        .filter(p -> !p.contains("is not served by any loaded plugin")).toList(), "inputs must parse cleanly");
    try (Translator translator = new Translator()) {
      TranslationResult result = translator.translate(snapshot);
      return new TreeMap<>(result.gateways());
    }
  }
}
