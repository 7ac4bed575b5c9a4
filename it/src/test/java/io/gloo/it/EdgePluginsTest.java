package io.gloo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.plugin.LoadedPlugin;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationJson;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Gloo Edge API with the enterprise plugins loaded as {@code gloo serve} loads them: Upstreams as destinations
 * (shared with a Gateway API Gateway), route and virtual-host {@code options} through the RouteOption and
 * VirtualHostOption translators (merged on delegation), and the Edge example files of Gloo's repository. The
 * scenario's output is pinned in {@code edge-scenario/expected.json} ({@code -Dgolden.update=true} rewrites it).
 */
class EdgePluginsTest {

  private static final JsonMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

  private static PluginManager manager;
  private static KindRegistry kinds;
  private static SimpleMeterRegistry meters;

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

  private static Translator translator() {
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
    return new Translator(new PolicyCatalog(registered, extensions),
        new PluginInvoker(Duration.ofSeconds(10), meters), PolicyApplier.OutputCheck.NONE);
  }

  private static TranslationResult translate(List<Path> files) {
    ResourceSnapshot snapshot = DirectorySource.load(files, new ManifestParser(kinds));
    assertTrue(snapshot.problems().isEmpty(), "input must parse cleanly: " + snapshot.problems());
    try (Translator translator = translator()) {
      return translator.translate(snapshot);
    }
  }

  private static Path resources(String folder) {
    for (Path p : List.of(Path.of("src/test/resources", folder), Path.of("it/src/test/resources", folder))) {
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    throw new AssertionError(folder + " not found");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(TranslationResult result, String kind, String ns, String name) {
    Map<String, Object> s = (Map<String, Object>) result.statuses().get(new ResourceKey(kind, ns, name));
    return (Map<String, Object>) ((Map<String, Object>) s.get("statuses")).get("gloo-system");
  }

  @Test
  void scenarioServesBothApisWithOptionsAsEnvoyFields() throws IOException {
    Path dir = resources("edge-scenario");
    List<Path> inputs;
    try (Stream<Path> files = Files.list(dir)) {
      inputs = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    TranslationResult result = translate(inputs);
    JsonNode rendered = TranslationJson.render(result);
    String actual = PRETTY.writeValueAsString(PRETTY.treeToValue(rendered, Object.class)) + "\n";
    Path expected = dir.resolve("expected.json");
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(expected, actual, StandardCharsets.UTF_8);
    }
    assertEquals(Files.readString(expected, StandardCharsets.UTF_8), actual,
        "golden file " + expected + " differs (regenerate with -Dgolden.update=true)");

    // the properties the golden file pins, said out loud
    JsonNode proxy = rendered.path("gateways").path("Proxy/gloo-system/gateway-proxy");
    JsonNode routes = proxy.path("routes").get(0).path("virtualHosts");
    JsonNode shop = null;
    for (JsonNode vh : routes) {
      if (vh.path("domains").get(0).asString().equals("shop.example.com")) {
        shop = vh;
      }
    }
    List<String> order = new ArrayList<>();
    shop.path("routes").forEach(r -> order.add(r.path("match").toString()));
    assertEquals(List.of("{\"path\":\"/api/catalog/search\"}", "{\"prefix\":\"/api/catalog\"}",
        "{\"prefix\":\"/api/cart\"}", "{\"prefix\":\"/legacy\"}", "{\"path\":\"/teapot\"}", "{\"prefix\":\"/\"}"),
        order, "equal-weight tables sorted by path, then the heavier table, then the rest in order");
    JsonNode catalog = shop.path("routes").get(1).path("route");
    assertEquals("1s", catalog.path("timeout").asString(), "the child's timeout wins over the parent's 5s");
    assertEquals("/catalog", catalog.path("prefixRewrite").asString());
    assertEquals(2, catalog.path("retryPolicy").path("numRetries").asInt(), "retries inherited from the parent");
    assertEquals(80, catalog.path("weightedClusters").path("clusters").get(0).path("weight").asInt());
    assertTrue(shop.toString().contains("x-vs"), "virtualHost.options as Envoy fields: " + shop);
    assertTrue(status(result, "RouteTable", "apis", "cart").get("reason").toString()
        .contains("required prefix: /api, prefix: /cart"));
    assertEquals("Warning", status(result, "VirtualService", "shop", "admin").get("state"));
    assertTrue(status(result, "VirtualService", "shop", "admin").get("reason").toString()
        .contains("*v1.Upstream { shop.missing } not found"));
    assertTrue(rendered.path("gateways").has("apis/public"), "the Gateway API Gateway is served beside it");
  }

  /** The Edge API files of Gloo's own examples ({@code ../shared/gloo-examples}): each translates, none rejected. */
  @Test
  void glooEdgeExamplesTranslate() throws IOException {
    Path root = Stream.of(Path.of("/work/shared/gloo-examples"), Path.of("../../shared/gloo-examples"))
        .filter(Files::isDirectory).findFirst().orElse(null);
    Assumptions.assumeTrue(root != null, "gloo-examples not present");
    List<Path> edge;
    try (Stream<Path> files = Files.walk(root)) {
      edge = files.filter(p -> p.toString().endsWith(".yaml")).filter(p -> {
        try {
          String text = Files.readString(p);
          return text.contains("apiVersion: gateway.solo.io/v1") && text.contains("kind: VirtualService");
        } catch (IOException e) {
          return false;
        }
      }).sorted().toList();
    }
    assertFalse(edge.isEmpty());
    for (Path file : edge) {
      ResourceSnapshot snapshot = DirectorySource.load(List.of(file), new ManifestParser(kinds));
      TranslationResult result;
      try (Translator translator = translator()) {
        result = translator.translate(snapshot);
      }
      boolean anyProxy = result.gateways().keySet().stream().anyMatch(k -> k.kind().equals("Proxy"));
      assertTrue(anyProxy, file + ": no Edge proxy");
      result.statuses().statuses().forEach((key, status) -> {
        if (key.kind().equals("VirtualService")) {
          assertNotEquals("Rejected", ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) status).get("statuses"))
              .get("gloo-system")).get("state"), file + ": " + key + " " + status);
        }
      });
    }
  }
}
