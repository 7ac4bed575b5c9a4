package io.gloo.core.watch;

import io.fabric8.kubernetes.api.Pluralize;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which kinds {@link KubernetesSource} watches and how: the built-in kinds (the optional ones only when the API server
 * serves them), plugin kinds as generic resources, Secrets without the types no one reads, and one informer per kind
 * (or per watched namespace) whose every event calls back {@code onChange}.
 */
final class KubeInformers {

  // logs under the source's name, as before the split: operators filter on it
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesSource.class);

  /** The built-in kinds, as the translator reads them. */
  static final List<Class<? extends HasMetadata>> BUILTIN_TYPES = List.of(GatewayClass.class, Gateway.class,
      HTTPRoute.class, GRPCRoute.class, ReferenceGrant.class, Service.class, EndpointSlice.class, Secret.class,
      Namespace.class, io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy.class,
      io.fabric8.kubernetes.api.model.ConfigMap.class, io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute.class,
      io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute.class,
      io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute.class,
      io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet.class);

  /**
   * Secret types no Gateway, route or plugin reads (service-account tokens, bootstrap tokens, image pull credentials,
   * Helm release records): the Secret informers exclude them with a field selector, so the control plane's cache
   * (and heap dump) never holds them. What is cached: every other Secret in the watched namespaces —
   * {@code kubernetes.io/tls} (listener and client certificates), {@code Opaque} ({@code ca.crt} bundles, auth
   * secrets) and plugin types such as {@code extauth.solo.io/apikey}. Gloo's Secret references carry no label, so no
   * label selector can narrow it further without breaking them.
   */
  static final List<String> UNCACHED_SECRET_TYPES = List.of("kubernetes.io/service-account-token",
      "bootstrap.kubernetes.io/token", "kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg",
      "helm.sh/release.v1");

  /**
   * Built-in kinds whose CRD may be missing (BackendTLSPolicy v1 is standard only from Gateway API 1.4): watched only
   * when the API server serves them, so that an older Gateway API install does not keep the informers from syncing.
   */
  static final Set<Class<? extends HasMetadata>> OPTIONAL_TYPES =
      Set.of(io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy.class,
          // experimental channel only
          io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute.class,
          io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute.class,
          io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute.class,
          // standard from Gateway API v1.5 only
          io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet.class);

  /** Whether API discovery lists the kind; when discovery itself fails, assume it is served (and retry as before). */
  boolean served(Class<? extends HasMetadata> type) {
    try {
      return client.supports(type);
    } catch (RuntimeException e) {
      LOG.debug("API discovery for {} failed; watching it anyway", HasMetadata.getKind(type), e);
      return true;
    }
  }

  /** One kind's informers: one for cluster-scoped kinds or all namespaces, else one per watched namespace. */
  record Watched(String kind, List<SharedIndexInformer<? extends HasMetadata>> informers) {}

  private final KubernetesClient client;
  private final Set<String> watchNamespaces;
  private final Runnable onChange;

  /**
   * @param watchNamespaces the namespaces to watch namespaced kinds in; empty for all
   * @param onChange called on every informer event (add, update, delete), on the informer's thread
   */
  KubeInformers(KubernetesClient client, Set<String> watchNamespaces, Runnable onChange) {
    this.client = client;
    this.watchNamespaces = Set.copyOf(watchNamespaces);
    this.onChange = onChange;
  }

  /** The plugin kinds of {@code kinds}, in a stable order. */
  static List<KindRegistry.KindInfo> pluginKinds(KindRegistry kinds) {
    return kinds.all().stream().filter(k -> k.type() == GenericKubernetesResource.class)
        .sorted(java.util.Comparator.comparing(KindRegistry.KindInfo::apiVersion)
            .thenComparing(KindRegistry.KindInfo::kind))
        .toList();
  }

  /** How {@link KubernetesSource} keys a plugin kind (built-ins are keyed by kind alone, without a space). */
  static String pluginKey(KindRegistry.KindInfo info) {
    return info.apiVersion() + " " + info.kind();
  }

  /** Starts the informers of a built-in kind. */
  <T extends HasMetadata> Watched startTyped(Class<T> type) {
    boolean namespaced = io.fabric8.kubernetes.api.model.Namespaced.class.isAssignableFrom(type);
    List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
    if (!namespaced) {
      informers.add(start(client.resources(type).runnableInformer(0)));
    } else if (watchNamespaces.isEmpty()) {
      informers.add(start(filtered(type, client.resources(type).inAnyNamespace()).runnableInformer(0)));
    } else {
      for (String ns : new java.util.TreeSet<>(watchNamespaces)) {
        informers.add(start(filtered(type, client.resources(type).inNamespace(ns)).runnableInformer(0)));
      }
    }
    return new Watched(HasMetadata.getKind(type), List.copyOf(informers));
  }

  /**
   * Secrets of the types listed in {@link #UNCACHED_SECRET_TYPES} are left out by the API server (a field selector),
   * so they are neither sent to us nor cached; other kinds are watched whole.
   */
  private static <T extends HasMetadata> FilterWatchListDeletable<T, KubernetesResourceList<T>, Resource<T>> filtered(
      Class<T> type, FilterWatchListDeletable<T, KubernetesResourceList<T>, Resource<T>> op) {
    FilterWatchListDeletable<T, KubernetesResourceList<T>, Resource<T>> result = op;
    if (type == Secret.class) {
      for (String secretType : UNCACHED_SECRET_TYPES) {
        result = result.withoutField("type", secretType);
      }
    }
    return result;
  }

  /** Starts the informers of a plugin kind. */
  Watched startGeneric(KindRegistry.KindInfo info) {
    ResourceDefinitionContext context = contextFor(info);
    var resources = client.genericKubernetesResources(context);
    List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
    if (!info.namespaced()) {
      informers.add(start(resources.runnableInformer(0)));
    } else if (watchNamespaces.isEmpty()) {
      informers.add(start(resources.inAnyNamespace().runnableInformer(0)));
    } else {
      for (String ns : new java.util.TreeSet<>(watchNamespaces)) {
        informers.add(start(resources.inNamespace(ns).runnableInformer(0)));
      }
    }
    return new Watched(info.kind(), List.copyOf(informers));
  }

  /** Where a plugin kind lives in the API, without discovery: the plural is the lower-cased kind, pluralized. */
  static ResourceDefinitionContext contextFor(KindRegistry.KindInfo info) {
    String apiVersion = info.apiVersion();
    int slash = apiVersion.indexOf('/');
    return new ResourceDefinitionContext.Builder()
        .withGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
        .withVersion(slash < 0 ? apiVersion : apiVersion.substring(slash + 1))
        .withKind(info.kind())
        .withPlural(Pluralize.toPlural(info.kind().toLowerCase(java.util.Locale.ROOT)))
        .withNamespaced(info.namespaced())
        .build();
  }

  private <T extends HasMetadata> SharedIndexInformer<T> start(SharedIndexInformer<T> informer) {
    informer.addEventHandler(new ResourceEventHandler<T>() {
      @Override
      public void onAdd(T obj) {
        onChange.run();
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        onChange.run();
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        onChange.run();
      }
    });
    // Keep retrying the first list (an API server that is not up yet, a CRD not installed yet) instead of failing.
    informer.exceptionHandler((isStarted, t) -> {
      LOG.debug("informer error (retrying)", t);
      return true;
    });
    informer.start();
    return informer;
  }
}
