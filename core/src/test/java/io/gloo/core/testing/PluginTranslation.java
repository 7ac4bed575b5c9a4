package io.gloo.core.testing;

import com.google.protobuf.Message;
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
import io.gloo.spi.GlooPlugin;
import io.gloo.spi.policy.FieldExtension;
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

/**
 * For plugin modules' tests: translates manifests with plugins registered the way core registers loaded plugins
 * (classes on the test classpath instead of archives), and renders what their golden files pin.
 */
public final class PluginTranslation {

  private PluginTranslation() {}

  /** The policy catalog of these plugins (id → plugin). */
  public static PolicyCatalog catalog(Map<String, GlooPlugin> plugins) {
    List<RegisteredKind> kinds = new ArrayList<>();
    List<PolicyCatalog.RegisteredExtension> extensions = new ArrayList<>();
    plugins.forEach((id, plugin) -> {
      for (PolicyKind<?> kind : plugin.policyKinds()) {
        kinds.add(new RegisteredKind(id, kind, plugin.getClass().getClassLoader()));
      }
      for (FieldExtension<?> extension : plugin.fieldExtensions()) {
        extensions.add(new PolicyCatalog.RegisteredExtension(id, extension, plugin.getClass().getClassLoader()));
      }
    });
    return new PolicyCatalog(kinds, extensions);
  }

  /** The built-in kinds plus the Gloo kinds the enterprise plugins serve, parsed as generic resources. */
  public static KindRegistry kinds() {
    KindRegistry kinds = KindRegistry.withBuiltins();
    kinds.register("gateway.solo.io/v1", "RouteOption", GenericKubernetesResource.class, true);
    kinds.register("gateway.solo.io/v1", "VirtualHostOption", GenericKubernetesResource.class, true);
    kinds.register("gloo.solo.io/v1", "Upstream", GenericKubernetesResource.class, true);
    kinds.register("ratelimit.solo.io/v1alpha1", "RateLimitConfig", GenericKubernetesResource.class, true);
    kinds.register("enterprise.gloo.solo.io/v1", "AuthConfig", GenericKubernetesResource.class, true);
    return kinds;
  }

  public static ResourceSnapshot load(List<Path> files) {
    return DirectorySource.load(files, new ManifestParser(kinds()));
  }

  /**
   * Like {@link #load}, but without CRD admission (served versions are still converted): for golden inputs that
   * exceed a CRD's limits on purpose to exercise every field at once.
   */
  public static ResourceSnapshot loadWithoutAdmission(List<Path> files) {
    return DirectorySource.load(files, new ManifestParser(kinds(),
        new io.fabric8.kubernetes.client.utils.KubernetesSerialization(),
        io.gloo.core.admission.Admission.servedVersionsOnly()));
  }

  public static TranslationResult translate(ResourceSnapshot snapshot, Map<String, GlooPlugin> plugins) {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    PluginInvoker invoker = new PluginInvoker(Duration.ofSeconds(5), metrics);
    try (Translator translator = new Translator(catalog(plugins), invoker, PolicyApplier.OutputCheck.NONE)) {
      return translator.translate(snapshot);
    } finally {
      invoker.close();
      metrics.close();
    }
  }

  /** Per Gateway: listeners, route configurations and cluster names; then the status of every resource. */
  public static ObjectNode render(TranslationResult result) {
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

  public static JsonNode json(Message m) {
    return TranslationJson.message(m);
  }

  /** The Gloo status entry ({@code status.statuses.gloo-system}) of a policy resource, or null. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> status(TranslationResult result, String kind, String namespace, String name) {
    Object status = result.statuses().statuses().get(new ResourceKey(kind, namespace, name));
    if (status == null) {
      return null;
    }
    Map<String, Object> statuses = (Map<String, Object>) ((Map<String, Object>) status).get("statuses");
    return (Map<String, Object>) statuses.get("gloo-system");
  }
}
