package io.gloo.plugin.upstream;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationJson;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.translate.policy.PluginInvoker;
import io.gloo.core.translate.policy.PolicyCatalog;
import io.gloo.core.translate.policy.RegisteredKind;
import io.gloo.core.translate.xds.PolicyApplier;
import io.gloo.core.watch.DirectorySource;
import io.gloo.core.watch.KindRegistry;
import io.gloo.core.watch.ManifestParser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Translates manifests through core with the Upstream plugin installed, as the running gateway would. */
final class UpstreamHarness {

  static final String PLUGIN_ID = "upstream";

  private UpstreamHarness() {}

  static KindRegistry kinds() {
    KindRegistry kinds = KindRegistry.withBuiltins();
    kinds.register(UpstreamKind.GROUP_KIND.group() + "/v1", UpstreamKind.GROUP_KIND.kind(),
        GenericKubernetesResource.class, true);
    return kinds;
  }

  static PolicyCatalog catalog() {
    return new PolicyCatalog(List.of(new RegisteredKind(PLUGIN_ID, new UpstreamKind(),
        UpstreamKind.class.getClassLoader())));
  }

  static ResourceSnapshot load(List<Path> files, boolean mustBeClean) {
    ResourceSnapshot snapshot = DirectorySource.load(files, new ManifestParser(kinds()));
    if (mustBeClean) {
      assertTrue(snapshot.problems().isEmpty(), "input must parse cleanly: " + snapshot.problems());
    }
    return snapshot;
  }

  static TranslationResult translate(ResourceSnapshot snapshot) {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (Translator translator = new Translator(catalog(), new PluginInvoker(Duration.ofSeconds(10), metrics),
        PolicyApplier.OutputCheck.NONE)) {
      return translator.translate(snapshot);
    } finally {
      metrics.close();
    }
  }

  static TranslationResult translate(Path file) {
    return translate(load(List.of(file), true));
  }

  /**
   * What the golden files pin: per Gateway its route configurations, clusters and endpoints, and the statuses of
   * the Upstreams and HTTPRoutes.
   */
  static ObjectNode render(TranslationResult result) {
    ObjectNode root = TranslationJson.mapper().createObjectNode();
    ObjectNode gateways = root.putObject("gateways");
    result.gateways().forEach((key, xds) -> {
      ObjectNode g = gateways.putObject(key.namespacedName());
      g.set("routes", messages(xds.routes()));
      g.set("clusters", messages(xds.clusters()));
      g.set("endpoints", messages(xds.endpoints()));
    });
    ObjectNode all = TranslationJson.statuses(result.statuses().statuses());
    ObjectNode statuses = root.putObject("statuses");
    all.properties().forEach(e -> {
      if (e.getKey().startsWith("Upstream/") || e.getKey().startsWith("HTTPRoute/")) {
        statuses.set(e.getKey(), e.getValue());
      }
    });
    return root;
  }

  static XdsResources onlyGateway(TranslationResult result) {
    assertTrue(result.gateways().size() == 1, "one gateway expected: " + result.gateways().keySet());
    return result.gateways().values().iterator().next();
  }

  private static ArrayNode messages(List<? extends Message> messages) {
    ArrayNode array = TranslationJson.mapper().createArrayNode();
    messages.forEach(m -> array.add(TranslationJson.message(m)));
    return array;
  }
}
