package io.gloo.plugins.virtualhostoption;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.gloo.core.store.ResourceKey;
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
import io.gloo.plugins.common.EnvoyFilters;
import io.gloo.spi.GlooPlugin;
import io.gloo.spi.policy.PolicyKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Translates manifests with plugins registered as core would, and renders what the golden files pin. */
final class Harness {

  private static final JsonFormat.Printer PRINTER;

  static {
    JsonFormat.TypeRegistry.Builder types = JsonFormat.TypeRegistry.newBuilder()
        .add(HttpConnectionManager.getDescriptor())
        .add(Router.getDescriptor())
        .add(HttpProtocolOptions.getDescriptor());
    EnvoyFilters.DESCRIPTORS.forEach(types::add);
    PRINTER = JsonFormat.printer().usingTypeRegistry(types.build());
  }

  private Harness() {}

  static PolicyCatalog catalog(Map<String, GlooPlugin> plugins) {
    List<RegisteredKind> kinds = new ArrayList<>();
    plugins.forEach((id, plugin) -> {
      for (PolicyKind<?> kind : plugin.policyKinds()) {
        kinds.add(new RegisteredKind(id, kind, plugin.getClass().getClassLoader()));
      }
    });
    return new PolicyCatalog(kinds);
  }

  static KindRegistry kinds() {
    KindRegistry kinds = KindRegistry.withBuiltins();
    kinds.register("gateway.solo.io/v1", "RouteOption", GenericKubernetesResource.class, true);
    kinds.register("gateway.solo.io/v1", "VirtualHostOption", GenericKubernetesResource.class, true);
    kinds.register("gloo.solo.io/v1", "Upstream", GenericKubernetesResource.class, true);
    return kinds;
  }

  static ResourceSnapshot load(List<Path> files) {
    return DirectorySource.load(files, new ManifestParser(kinds()));
  }

  static TranslationResult translate(ResourceSnapshot snapshot, Map<String, GlooPlugin> plugins) {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    PluginInvoker invoker = new PluginInvoker(Duration.ofSeconds(5), metrics);
    try (Translator translator = new Translator(catalog(plugins), invoker, PolicyApplier.OutputCheck.NONE)) {
      return translator.translate(snapshot);
    } finally {
      metrics.close();
    }
  }

  /** Per Gateway: listeners and route configurations; then the status of every resource. */
  static ObjectNode render(TranslationResult result) {
    ObjectNode root = TranslationJson.mapper().createObjectNode();
    ObjectNode gateways = root.putObject("gateways");
    result.gateways().forEach((key, xds) -> gateways.set(key.namespacedName(), xds(xds)));
    root.set("statuses", TranslationJson.statuses(result.statuses().statuses()));
    return root;
  }

  private static ObjectNode xds(XdsResources xds) {
    ObjectNode node = TranslationJson.mapper().createObjectNode();
    ArrayNode listeners = node.putArray("listeners");
    xds.listeners().forEach(l -> listeners.add(json(l)));
    ArrayNode routes = node.putArray("routes");
    xds.routes().forEach(r -> routes.add(json(r)));
    ArrayNode clusters = node.putArray("clusters");
    xds.clusters().forEach(c -> clusters.add(c.getName()));
    return node;
  }

  static JsonNode json(Message m) {
    try {
      return TranslationJson.mapper().readTree(PRINTER.print(m));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The Gloo status entry of a policy resource. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> status(TranslationResult result, String kind, String namespace, String name) {
    Object status = result.statuses().statuses().get(new ResourceKey(kind, namespace, name));
    if (status == null) {
      return null;
    }
    Map<String, Object> statuses = (Map<String, Object>) ((Map<String, Object>) status).get("statuses");
    return (Map<String, Object>) statuses.get("gloo-system");
  }
}
