package io.gloo.core.watch;

import com.google.errorprone.annotations.ThreadSafe;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Which manifest kinds the control plane reads, keyed by {@code apiVersion} ({@code group/version}, or just
 * {@code version} for the core group) and {@code kind}, and the fabric8 class each one is converted to.
 * A document of a kind that is not registered is not read: {@link ManifestParser} converts a version the CRD serves
 * to a registered one, and otherwise reports why (see {@link io.gloo.core.admission.KnownKinds}). Plugins add their kinds with
 * {@link #register} and remove them with {@link #unregister}; both are safe while parsers are running.
 */
@ThreadSafe
public final class KindRegistry {

  /** What the parser needs to know about one kind. */
  public record KindInfo(String apiVersion, String kind, Class<? extends HasMetadata> type, boolean namespaced) {
    public KindInfo {
      Objects.requireNonNull(apiVersion, "apiVersion");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(type, "type");
    }
  }

  private final ConcurrentMap<String, KindInfo> kinds = new ConcurrentHashMap<>();

  /** An empty registry: every kind is ignored until registered. */
  public KindRegistry() {}

  /** A registry pre-loaded with the Gateway API and core kinds the translator reads. */
  public static KindRegistry withBuiltins() {
    KindRegistry registry = new KindRegistry();
    String gatewayV1 = "gateway.networking.k8s.io/v1";
    registry.register(gatewayV1, "GatewayClass", GatewayClass.class);
    registry.register(gatewayV1, "Gateway", Gateway.class);
    registry.register(gatewayV1, "HTTPRoute", HTTPRoute.class);
    registry.register(gatewayV1, "GRPCRoute", GRPCRoute.class);
    registry.register(gatewayV1, "BackendTLSPolicy",
        io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy.class);
    // Other versions the Gateway API CRDs serve (Gateway, GatewayClass, HTTPRoute v1beta1, BackendTLSPolicy
    // v1alpha3) are converted to these by ManifestParser, as an API server converts to its stored version.
    registry.register(gatewayV1, "ReferenceGrant", io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant.class);
    // v1beta1 is still the version most ReferenceGrant manifests use; keep the class the apiVersion names.
    registry.register("gateway.networking.k8s.io/v1beta1", "ReferenceGrant",
        io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant.class);
    registry.register("v1", "Service", Service.class);
    registry.register("v1", "Secret", Secret.class);
    registry.register("v1", "Namespace", Namespace.class);
    registry.register("v1", "ConfigMap", ConfigMap.class);
    registry.register("discovery.k8s.io/v1", "EndpointSlice", EndpointSlice.class);
    // The Gloo Edge API, translated by core (io.gloo.core.translate.edge); read as generic objects, like plugin kinds
    for (String kind : java.util.List.of("Gateway", "VirtualService", "RouteTable")) {
      registry.register("gateway.solo.io/v1", kind, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class,
          true);
    }
    registry.register("gloo.solo.io/v1", "UpstreamGroup", io.fabric8.kubernetes.api.model.GenericKubernetesResource.class,
        true);
    return registry;
  }

  /**
   * Registers (or replaces) a kind. Whether it is namespaced is taken from fabric8's {@link Namespaced} marker
   * interface; use {@link #register(String, String, Class, boolean)} for classes without it, such as
   * {@link io.fabric8.kubernetes.api.model.GenericKubernetesResource}.
   */
  public KindRegistry register(String apiVersion, String kind, Class<? extends HasMetadata> type) {
    return register(apiVersion, kind, type, Namespaced.class.isAssignableFrom(type));
  }

  /** Registers (or replaces) a kind with an explicit scope. */
  public KindRegistry register(String apiVersion, String kind, Class<? extends HasMetadata> type,
      boolean namespaced) {
    KindInfo info = new KindInfo(apiVersion, kind, type, namespaced);
    kinds.put(key(apiVersion, kind), info);
    return this;
  }

  /**
   * Removes a kind (a plugin's, when the plugin is unloaded); returns whether it was registered. Documents of the
   * kind are ignored again by parsers from now on.
   */
  public boolean unregister(String apiVersion, String kind) {
    boolean removed = kinds.remove(key(apiVersion, kind)) != null;
    if (removed) {
      ManifestParser.forgetUnsupported(apiVersion, kind);
    }
    return removed;
  }

  /** The registration for this {@code apiVersion} and {@code kind}, if any. */
  public Optional<KindInfo> lookup(String apiVersion, String kind) {
    return Optional.ofNullable(kinds.get(key(apiVersion, kind)));
  }

  /** The registrations of {@code kind} in {@code group} (any version), in no particular order. */
  public java.util.List<KindInfo> versionsOf(String group, String kind) {
    return kinds.values().stream()
        .filter(i -> i.kind().equals(kind) && group(i.apiVersion()).equals(group))
        .toList();
  }

  /** The kinds registered in {@code group} (any version). */
  public java.util.Set<String> kindsOf(String group) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    kinds.values().stream().filter(i -> group(i.apiVersion()).equals(group)).forEach(i -> out.add(i.kind()));
    return out;
  }

  /** The group of an apiVersion: empty for the core group ({@code v1}). */
  static String group(String apiVersion) {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  /** Every registered kind, in no particular order (a copy). */
  public java.util.List<KindInfo> all() {
    return java.util.List.copyOf(kinds.values());
  }

  private static String key(String apiVersion, String kind) {
    return apiVersion + " " + kind;
  }
}
