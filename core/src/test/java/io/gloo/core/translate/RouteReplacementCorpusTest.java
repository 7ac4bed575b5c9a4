package io.gloo.core.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.gloo.core.conformance.ConformanceSuite;
import io.gloo.core.conformance.ConformanceWorld;
import io.gloo.core.snapshot.PublishCheck;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.testing.SharedDir;
import io.gloo.core.validate.SnapshotValidator;
import io.gloo.core.watch.ManifestParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The acceptance test of route replacement: for every golden, example and conformance input with a Gateway that has
 * an HTTP listener, adding a second HTTPRoute to that Gateway whose first rule Envoy would reject (an invalid RE2
 * path regex, a header value with CR/LF, a {@code set: host} header modifier) leaves every other route's xDS
 * byte-identical, the Gateway's snapshot passes the publisher's last-line check (so it would be published), and the
 * probe route reports the dropped rule ({@code PartiallyInvalid}, "Dropped Rule 0") while its valid rule is served.
 */
class RouteReplacementCorpusTest {

  private static final String PROBE = "zz-route-replacement-probe";
  private static final SnapshotValidator VALIDATOR = new SnapshotValidator();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What the probe's first rule gets wrong. */
  enum Bad {
    REGEX, CRLF_HEADER_VALUE, SET_HOST
  }

  /** One input of a corpus: its manifests as one YAML text and their translation (each built once for all Bads). */
  record Input(String name, Supplier<String> manifests, Supplier<TranslationResult> translated) {
    Input(String name, Supplier<String> manifests) {
      this(name, memo(manifests), null);
    }

    Input {
      Supplier<String> text = manifests;
      translated = memo(() -> {
        try (Translator translator = new Translator()) {
          return translator.translate(parse(text.get()));
        }
      });
    }

    private static <T> Supplier<T> memo(Supplier<T> build) {
      java.util.concurrent.atomic.AtomicReference<T> value = new java.util.concurrent.atomic.AtomicReference<>();
      return () -> value.updateAndGet(v -> v != null ? v : build.get());
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() throws IOException {
    List<Input> inputs = new ArrayList<>();
    golden(inputs);
    examples(inputs);
    glooExamples(inputs);
    conformance(inputs);
    List<Arguments> out = new ArrayList<>();
    for (Input input : inputs) {
      for (Bad bad : Bad.values()) {
        out.add(Arguments.of(input, bad));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} + {1}")
  @MethodSource("cases")
  void aBadRouteBreaksOnlyItself(Input input, Bad bad) {
    ResourceSnapshot base = parse(input.manifests().get());
    List<Gateway> gateways = new ArrayList<>();
    TranslationResult before = input.translated().get();
    for (Gateway g : base.list(Gateway.class)) {
      if (before.gateways().containsKey(ResourceKey.of(g)) && httpListener(g).isPresent()) {
        gateways.add(g);
      }
    }
    org.junit.jupiter.api.Assumptions.assumeFalse(gateways.isEmpty(), input + " has no Gateway of ours with an HTTP"
        + " listener");
    for (Gateway gateway : gateways) {
      String text = input.manifests().get() + "\n---\n" + probe(gateway, httpListener(gateway).get(), bad);
      String where = input + " + " + bad + " on " + ResourceKey.of(gateway);
      ResourceSnapshot withProbe = parse(text);
      assertEquals(base.problems(), withProbe.problems(), where + ": the probe does not parse");
      TranslationResult after;
      try (Translator translator = new Translator()) {
        after = translator.translate(withProbe);
      }
      for (Map.Entry<ResourceKey, XdsResources> gw : before.gateways().entrySet()) {
        XdsResources now = after.gateways().get(gw.getKey());
        assertEquals(routes(gw.getValue(), null), routes(now, null), where + ": other routes changed on "
            + gw.getKey());
      }
      for (Map.Entry<ResourceKey, XdsResources> gw : after.gateways().entrySet()) {
        PublishCheck.Verdict verdict = PublishCheck.check(gw.getValue(), VALIDATOR);
        assertTrue(verdict.publishable(), where + ": " + gw.getKey() + " would be refused: " + verdict.problems());
      }
      assertProbeReported(where, gateway, after, bad);
    }
  }

  /** The probe's valid rule is served and its invalid one replaced (500, same match) or dropped, and it says so. */
  private static void assertProbeReported(String where, Gateway gateway, TranslationResult after, Bad bad) {
    Map<String, List<Route>> probeRoutes = new TreeMap<>();
    for (RouteConfiguration config : after.gateways().get(ResourceKey.of(gateway)).routes()) {
      for (VirtualHost vh : config.getVirtualHostsList()) {
        for (Route r : vh.getRoutesList()) {
          if (r.getName().startsWith(probePrefix(gateway))) {
            probeRoutes.computeIfAbsent(r.getName(), k -> new ArrayList<>()).add(r);
          }
        }
      }
    }
    HTTPRouteStatus status = (HTTPRouteStatus) after.statuses().get(new ResourceKey("HTTPRoute",
        gateway.getMetadata().getNamespace(), PROBE));
    RouteParentStatus parent = status.getParents().get(0);
    Condition accepted = condition(parent, "Accepted");
    if (!"True".equals(accepted.getStatus())) {
      assertTrue(probeRoutes.isEmpty(), where + ": the probe was not accepted but is served: " + accepted);
      return; // e.g. the listener admits no HTTPRoutes from that namespace: nothing of the probe is served
    }
    if (after.gateways().get(ResourceKey.of(gateway)).listeners().isEmpty()) {
      return; // a Gateway that serves no listener (e.g. its addresses cannot be assigned) serves no route either
    }
    assertTrue(probeRoutes.containsKey(probePrefix(gateway) + "1/0"), where + ": the valid rule is not served");
    Condition partial = condition(parent, "PartiallyInvalid");
    assertEquals("True", partial == null ? null : partial.getStatus(), where + ": " + parent.getConditions());
    assertTrue(partial.getMessage().startsWith("Dropped Rule 0: spec.rules[0]."), partial.getMessage());
    List<Route> rule0 = probeRoutes.get(probePrefix(gateway) + "0/0");
    if (bad == Bad.REGEX) {
      assertNull(rule0, where + ": an invalid match cannot be served");
      assertTrue(partial.getMessage().contains("spec.rules[0].matches[0].path.value"), partial.getMessage());
    } else {
      assertFalse(rule0 == null, where + ": the rule should answer 500");
      for (Route r : rule0) {
        assertEquals(500, r.getDirectResponse().getStatus(), where + ": " + r);
        assertEquals("/" + PROBE, r.getMatch().getPathSeparatedPrefix(), where + ": the match is kept");
      }
      assertTrue(partial.getMessage().contains("spec.rules[0].filters[0].requestHeaderModifier.set[0]."),
          partial.getMessage());
    }
  }

  private static Condition condition(RouteParentStatus parent, String type) {
    return parent.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElse(null);
  }

  private static String probePrefix(Gateway gateway) {
    return "httproute/" + gateway.getMetadata().getNamespace() + "/" + PROBE + "/";
  }

  /** Every route of the Gateway but the probe's, by name, as deterministic bytes (one per virtual host it is in). */
  private static Map<String, List<ByteString>> routes(XdsResources resources, String unused) {
    Map<String, List<ByteString>> out = new TreeMap<>();
    if (resources == null) {
      return out;
    }
    for (RouteConfiguration config : resources.routes()) {
      for (VirtualHost vh : config.getVirtualHostsList()) {
        for (Route r : vh.getRoutesList()) {
          if (!r.getName().contains("/" + PROBE + "/")) {
            out.computeIfAbsent(config.getName() + " " + vh.getName() + " " + r.getName(), k -> new ArrayList<>())
                .add(bytes(r));
          }
        }
      }
    }
    return out;
  }

  private static ByteString bytes(Route r) {
    try {
      ByteString.Output out = ByteString.newOutput();
      com.google.protobuf.CodedOutputStream coded = com.google.protobuf.CodedOutputStream.newInstance(out);
      coded.useDeterministicSerialization();
      r.writeTo(coded);
      coded.flush();
      return out.toByteString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<Listener> httpListener(Gateway g) {
    return g.getSpec() == null || g.getSpec().getListeners() == null ? Optional.empty()
        : g.getSpec().getListeners().stream().filter(l -> "HTTP".equals(l.getProtocol())).findFirst();
  }

  /** A second HTTPRoute on the Gateway's HTTP listener: rule 0 is what Envoy rejects, rule 1 is fine. */
  private static String probe(Gateway gateway, Listener listener, Bad bad) {
    String rule0 = switch (bad) {
      case REGEX -> "    - matches: [{path: {type: RegularExpression, value: \"*.foo.bar.com\"}}]\n";
      case CRLF_HEADER_VALUE -> "    - matches: [{path: {type: PathPrefix, value: /" + PROBE + "}}]\n"
          + "      filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-probe, value: "
          + "\"a\\r\\nb\"}]}}]\n";
      case SET_HOST -> "    - matches: [{path: {type: PathPrefix, value: /" + PROBE + "}}]\n"
          + "      filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: host, value: "
          + "evil.example.com}]}}]\n";
    };
    return "apiVersion: gateway.networking.k8s.io/v1\n"
        + "kind: HTTPRoute\n"
        + "metadata: {name: " + PROBE + ", namespace: " + gateway.getMetadata().getNamespace() + "}\n"
        + "spec:\n"
        + "  parentRefs: [{name: " + gateway.getMetadata().getName() + ", sectionName: " + listener.getName() + "}]\n"
        + "  rules:\n"
        + rule0
        + "    - matches: [{path: {type: PathPrefix, value: /" + PROBE + "-ok}}]\n"
        + "      filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-probe, value: ok}]}}]\n";
  }

  private static ResourceSnapshot parse(String text) {
    ManifestParser.Result parsed = GoldenFiles.parser().parse("corpus.yaml", text);
    return ResourceSnapshot.of(parsed.resources(), parsed.problems());
  }

  // ---- the corpora

  private static void golden(List<Input> out) throws IOException {
    for (String name : GoldenFiles.cases().toList()) {
      List<Path> files = GoldenFiles.inputs(name);
      out.add(new Input("golden/" + name, () -> concat(files)));
    }
  }

  private static void examples(List<Input> out) {
    Path root = Path.of("../examples").toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      root = Path.of("examples").toAbsolutePath();
    }
    Path quickstart = root.resolve("quickstart");
    out.add(new Input("examples/quickstart", () -> concat(yamlFiles(quickstart))));
    Path routeCheck = root.resolve("route-check/manifests.yaml");
    out.add(new Input("examples/route-check", () -> concat(List.of(routeCheck))));
  }

  /**
   * Each shared Gloo example with a Gateway, with the files beside it that hold no Gateway (its routes and
   * Services) and GatewayClasses of ours for the class names the examples use.
   */
  private static void glooExamples(List<Input> out) throws IOException {
    Optional<Path> shared = SharedDir.find();
    if (shared.isEmpty()) {
      return;
    }
    Path root = shared.get().resolve("gloo-examples");
    List<Path> withGateway;
    try (Stream<Path> walk = Files.walk(root)) {
      withGateway = walk.filter(RouteReplacementCorpusTest::isManifest).filter(p -> read(p).contains("kind: Gateway\n"))
          .sorted().toList();
    }
    String classes = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: gloo-gateway}
        spec: {controllerName: solo.io/gloo-gateway}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: example-gateway-class}
        spec: {controllerName: solo.io/gloo-gateway}
        """;
    for (Path file : withGateway) {
      List<Path> files = new ArrayList<>(List.of(file));
      for (Path sibling : yamlFiles(file.getParent())) {
        if (!sibling.equals(file) && !read(sibling).contains("kind: Gateway\n")) {
          files.add(sibling);
        }
      }
      out.add(new Input("gloo-examples/" + root.relativize(file), () -> classes + "\n---\n" + concat(files)));
    }
  }

  /** Each conformance test's objects as the harness builds them (base manifests, the test's, created in code). */
  private static void conformance(List<Input> out) {
    Optional<Path> dir = ConformanceSuite.defaultDir();
    if (dir.isEmpty()) {
      return;
    }
    ConformanceSuite suite = ConformanceSuite.load(dir.get());
    for (ConformanceSuite.TestSpec t : suite.tests()) {
      out.add(new Input("conformance/" + t.shortName(), () -> {
        ConformanceWorld world = new ConformanceWorld();
        world.apply(suite.manifest("base/manifests.yaml"));
        for (String m : t.manifests()) {
          world.apply(suite.manifest(m));
        }
        world.addGatewayClass();
        world.addCreatedInCode(suite.index());
        world.synthesizeEndpoints();
        StringBuilder text = new StringBuilder();
        world.objects().forEach(o -> text.append("---\n").append(JSON.writeValueAsString(o)).append('\n'));
        return text.toString();
      }));
    }
  }

  private static boolean isManifest(Path p) {
    String name = p.getFileName().toString();
    return (name.endsWith(".yaml") || name.endsWith(".yml")) && !name.equals("output.yaml");
  }

  private static List<Path> yamlFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(RouteReplacementCorpusTest::isManifest).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String concat(List<Path> files) {
    StringBuilder text = new StringBuilder();
    for (Path f : files) {
      text.append("---\n").append(read(f)).append('\n');
    }
    return text.toString();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
