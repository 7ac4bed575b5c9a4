package io.gloo.testkit;

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
import io.gloo.core.validate.ProtoConstraintValidator;
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
import org.opentest4j.AssertionFailedError;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Manifests (Gateway, HTTPRoutes, Services, the plugin's policies) translated by core with the plugin registered
 * as {@code gloo serve} registers a loaded one: attachment, merging, status reporting, and the same check of the
 * plugin's output against Envoy's constraints ({@code gloo serve} fails a route closed when it fails). What
 * {@link #render} returns is what {@code gloo translate} prints per Gateway plus every resource's status; pin it
 * with {@link GoldenFile}. Each call is independent; thread-safe.
 */
public final class ManifestTranslation {

  private ManifestTranslation() {}

  /** The result of translating {@code manifests} (files or directories of YAML) with these plugins (id → plugin). */
  public static TranslationResult translate(List<Path> manifests, Map<String, GlooPlugin> plugins) {
    List<RegisteredKind> kinds = new ArrayList<>();
    List<PolicyCatalog.RegisteredExtension> extensions = new ArrayList<>();
    KindRegistry registry = KindRegistry.withBuiltins();
    plugins.forEach((id, plugin) -> {
      for (PolicyKind<?> kind : plugin.policyKinds()) {
        kinds.add(new RegisteredKind(id, kind, plugin.getClass().getClassLoader()));
        registry.register(kind.groupKind().group() + "/" + kind.version(), kind.groupKind().kind(),
            GenericKubernetesResource.class, true);
      }
      for (FieldExtension<?> extension : plugin.fieldExtensions()) {
        extensions.add(new PolicyCatalog.RegisteredExtension(id, extension, plugin.getClass().getClassLoader()));
      }
    });
    ResourceSnapshot snapshot = DirectorySource.load(manifests, new ManifestParser(registry));
    if (!snapshot.problems().isEmpty()) {
      throw new AssertionFailedError("the manifests do not load: " + snapshot.problems());
    }
    ProtoConstraintValidator constraints = new ProtoConstraintValidator();
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    PluginInvoker invoker = new PluginInvoker(Duration.ofSeconds(5), metrics);
    try (Translator translator = new Translator(new PolicyCatalog(kinds, extensions), invoker,
        message -> constraints.validate(message).stream().map(Object::toString).toList())) {
      return translator.translate(snapshot);
    } finally {
      invoker.close();
      metrics.close();
    }
  }

  /** Per Gateway its listeners, routes, clusters and endpoints (Envoy's JSON); then every resource's status. */
  public static ObjectNode render(TranslationResult result) {
    return TranslationJson.render(result);
  }

  /** The Envoy resources of one Gateway ({@code namespace/name}); fails when it was not translated. */
  public static XdsResources gateway(TranslationResult result, String namespacedName) {
    return result.gateways().entrySet().stream().filter(e -> e.getKey().namespacedName().equals(namespacedName))
        .map(Map.Entry::getValue).findFirst()
        .orElseThrow(() -> new AssertionFailedError("no Gateway " + namespacedName + " in " + result.gateways()
            .keySet()));
  }

  /** A resource's status as JSON (e.g. {@code status(result, "ResponseHeaderPolicy", "default", "p")}), or null. */
  public static JsonNode status(TranslationResult result, String kind, String namespace, String name) {
    Object status = result.statuses().statuses().get(new ResourceKey(kind, namespace, name));
    ResourceKey key = new ResourceKey(kind, namespace, name);
    return status == null ? null : TranslationJson.statuses(Map.of(key, status)).get(key.toString());
  }
}
