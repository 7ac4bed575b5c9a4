package io.gloo.core.translate.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationJson;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.gatewayapi.GatewayApiTranslator;
import io.gloo.core.translate.policy.PluginInvoker;
import io.gloo.core.translate.policy.PolicyCatalog;
import io.gloo.core.translate.policy.PolicyReports;
import io.gloo.core.translate.policy.PolicyResolver;
import io.gloo.core.watch.DirectorySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Edge golden cases through a long-lived translator, which replays the plans of unchanged VirtualServices
 * ({@link EdgePlans}): translated again, the output is still the golden one; with any one resource replaced by an
 * equal copy, removed, and restored, it equals that of a translator with the same history that translates every
 * VirtualService from scratch.
 */
class EdgeIncrementalGoldenTest {

  private static final KubernetesSerialization KUBE = new KubernetesSerialization();
  private static PluginInvoker invoker;

  @BeforeAll
  static void setUp() {
    invoker = new PluginInvoker();
  }

  @AfterAll
  static void tearDown() {
    invoker.close();
  }

  static Stream<String> cases() throws IOException {
    return EdgeGoldenTest.cases();
  }

  private static ResourceSnapshot load(String name) throws IOException {
    Path dir = GoldenFiles.sourceDir("edge-golden").resolve(name);
    List<Path> inputs;
    try (Stream<Path> files = Files.list(dir)) {
      inputs = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    return DirectorySource.load(inputs, GoldenFiles.parser());
  }

  private static String edge(EdgeTranslator translator, ResourceSnapshot snapshot) {
    PolicyResolver policies = PolicyResolver.of(snapshot, PolicyCatalog.EMPTY, invoker, new PolicyReports());
    GatewayApiTranslator.Result gatewayApi = new GatewayApiTranslator().translate(snapshot, policies);
    EdgeTranslator.Result result = translator.translate(snapshot, policies, gatewayApi.lookup());
    return result.proxies() + "\n" + result.statuses(new HashMap<>(), new HashMap<>(), List.of());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void translatingAgainReplaysAndGivesTheGoldenOutput(String name) throws IOException {
    ResourceSnapshot snapshot = load(name);
    Path expected = GoldenFiles.sourceDir("edge-golden").resolve(name).resolve("expected.json");
    try (Translator translator = new Translator()) {
      GoldenFiles.assertMatches(expected, TranslationJson.render(translator.translate(snapshot)));
      GoldenFiles.assertMatches(expected, TranslationJson.render(translator.translate(
          ResourceSnapshot.of(snapshot.all(), snapshot.problems()))));
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void replacingOrRemovingAnyOneResourceTranslatesAsFromScratch(String name) throws IOException {
    ResourceSnapshot original = load(name);
    List<HasMetadata> resources = new ArrayList<>(original.all());
    assertTrue(resources.size() > 1);
    EdgeTranslator incremental = new EdgeTranslator();
    EdgeTranslator scratch = new EdgeTranslator(false);
    assertEquals(edge(scratch, original), edge(incremental, original), name);
    for (int i = 0; i < resources.size(); i++) {
      HasMetadata resource = resources.get(i);
      String what = name + ": " + resource.getKind() + " " + resource.getMetadata().getName();

      List<HasMetadata> replaced = new ArrayList<>(resources);
      replaced.set(i, KUBE.clone(resource));
      ResourceSnapshot copy = ResourceSnapshot.of(replaced, List.of());
      assertEquals(edge(scratch, copy), edge(incremental, copy), what + " replaced by an equal copy");

      List<HasMetadata> removed = new ArrayList<>(resources);
      removed.remove(i);
      ResourceSnapshot without = ResourceSnapshot.of(removed, List.of());
      assertEquals(edge(scratch, without), edge(incremental, without), what + " removed");

      ResourceSnapshot back = ResourceSnapshot.of(resources, List.of());
      assertEquals(edge(scratch, back), edge(incremental, back), what + " restored");
    }
  }
}
