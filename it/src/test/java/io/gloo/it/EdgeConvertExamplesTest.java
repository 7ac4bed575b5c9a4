package io.gloo.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.convert.ConvertedManifests;
import io.gloo.core.convert.EdgeConversion;
import io.gloo.core.convert.RoundTrip;
import io.gloo.core.plugin.LoadedPlugin;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.translate.policy.PluginInvoker;
import io.gloo.core.translate.policy.PolicyCatalog;
import io.gloo.core.translate.policy.RegisteredKind;
import io.gloo.core.translate.xds.PolicyApplier;
import io.gloo.core.watch.DirectorySource;
import io.gloo.core.watch.KindRegistry;
import io.gloo.core.watch.ManifestParser;
import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.PolicyKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * {@code gloo convert} round-trips the Edge example files of Gloo's repository ({@code ../shared/gloo-examples}) with
 * the enterprise plugins loaded (Upstreams, RouteOption, VirtualHostOption served): each file and its conversion are
 * translated and decide the generated request set ({@code RoundTrip}, {@code RequestSet} of core's tests) alike; a
 * difference is allowed only where {@link #LOSSY} says why and the converter printed the matching note.
 */
class EdgeConvertExamplesTest {

  /** Allowed differences: file name suffix, a pattern over the difference, why, the note the converter printed. */
  record Lossy(String file, String difference, String reason, String note) {}

  /**
   * None left: DirectResponses are served, string prefixes become exact regex matches (a prefixRewrite a regexRewrite),
   * optionsConfigRefs are merged. A new entry needs its reason and the note the converter prints for it.
   */
  static final List<Lossy> LOSSY = List.of();

  private static PluginManager manager;
  private static KindRegistry kinds;
  private static SimpleMeterRegistry meters;

  @TempDir
  Path temp;

  @BeforeAll
  static void loadPlugins() throws IOException {
    Path plugins = Path.of(System.getProperty("gloo.it.plugins", "target/plugins-enterprise"));
    meters = new SimpleMeterRegistry();
    kinds = KindRegistry.withBuiltins();
    manager = new PluginManager(EnterprisePlugins.options(plugins), kinds, meters);
    manager.start();
  }

  @AfterAll
  static void close() {
    manager.close();
    meters.close();
  }

  static Stream<Path> examples() throws IOException {
    Path root = Stream.of(Path.of("/work/shared/gloo-examples"), Path.of("../../shared/gloo-examples"))
        .filter(Files::isDirectory).findFirst().orElse(null);
    Assumptions.assumeTrue(root != null, "gloo-examples not present");
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).filter(p -> {
        try {
          String text = Files.readString(p);
          return text.contains("apiVersion: gateway.solo.io/v1") && text.contains("kind: VirtualService");
        } catch (IOException e) {
          return false;
        }
      }).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void conversionDecidesAsTheEdgeExample(Path file) throws IOException {
    List<JsonNode> documents = ConvertedManifests.read(List.of(file));
    EdgeConversion.Result conversion = EdgeConversion.convert(documents);
    Path converted = temp.resolve("converted.yaml");
    Files.writeString(converted, ConvertedManifests.yaml(conversion));
    RoundTrip.Comparison comparison = RoundTrip.compare(documents, translate(file), translate(converted));
    assertTrue(comparison.compared() > 0, "no request compared");
    List<String> unexplained = new ArrayList<>();
    for (String d : comparison.differences()) {
      Lossy why = LOSSY.stream().filter(l -> file.toString().endsWith(l.file) && d.matches(l.difference))
          .findFirst().orElse(null);
      if (why == null) {
        unexplained.add(d);
      } else {
        assertTrue(conversion.notes().all().stream().anyMatch(n -> n.contains(why.note)),
            "the converter must say so (" + why.note + "): " + conversion.notes().all());
      }
    }
    assertFalse(!unexplained.isEmpty(), unexplained.size() + " of " + comparison.compared() + " decisions differ:\n"
        + String.join("\n", unexplained.subList(0, Math.min(40, unexplained.size()))) + "\nnotes:\n"
        + String.join("\n", conversion.notes().all()) + "\nconverted:\n" + ConvertedManifests.yaml(conversion));
  }

  private static Map<ResourceKey, XdsResources> translate(Path file) {
    ResourceSnapshot snapshot = DirectorySource.load(List.of(file), new ManifestParser(kinds));
    List<RegisteredKind> registered = new ArrayList<>();
    List<PolicyCatalog.RegisteredExtension> extensions = new ArrayList<>();
    for (LoadedPlugin plugin : manager.plugins().started()) {
      for (PolicyKind<?> kind : plugin.kinds()) {
        registered.add(new RegisteredKind(plugin.id(), kind, plugin.classLoader()));
      }
      for (FieldExtension<?> extension : plugin.fieldExtensions()) {
        extensions.add(new PolicyCatalog.RegisteredExtension(plugin.id(), extension, plugin.classLoader()));
      }
    }
    try (Translator translator = new Translator(new PolicyCatalog(registered, extensions),
        new PluginInvoker(Duration.ofSeconds(10), meters), PolicyApplier.OutputCheck.NONE)) {
      return new TreeMap<>(translator.translate(snapshot).gateways());
    }
  }
}
