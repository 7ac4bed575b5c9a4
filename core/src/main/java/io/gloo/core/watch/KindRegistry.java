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
 * {@link #register} and remove them with {@link #unregister}; both are safe while parsers are running. A kind
 * marked with {@link #guard} is held rather than removed.
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

  /**
   * A plugin kind that guards traffic ({@code PolicyKind.failClosed()} or {@code failClosedFields()}): when its
   * plugin goes, the kind stays registered ("held") so that its documents are still read, and the translator closes
   * the routes its policies target instead of serving them unguarded.
   *
   * @param pluginId the plugin that served it
   * @param failClosedFields spec paths that guard (e.g. {@code options.extauth}); empty if the whole kind guards
   */
  public record Guard(String pluginId, boolean failClosed, java.util.Set<String> failClosedFields) {
    public Guard {
      failClosedFields = java.util.Set.copyOf(failClosedFields);
    }
  }

  private final ConcurrentMap<String, KindInfo> kinds = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Guard> guards = new ConcurrentHashMap<>();
  /** Guarding kinds whose plugin was unregistered: kept registered, remembered for the rest of the run. */
  private final ConcurrentMap<String, KindInfo> held = new ConcurrentHashMap<>();

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
    // L4 routes (experimental channel, v1 since Gateway API v1.5)
    registry.register(gatewayV1, "TLSRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute.class);
    registry.register(gatewayV1, "TCPRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute.class);
    registry.register(gatewayV1, "UDPRoute", io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute.class);
    // ListenerSet: standard channel since Gateway API v1.5 (formerly XListenerSet, x-k8s.io/v1alpha1)
    registry.register(gatewayV1, "ListenerSet", io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet.class);
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
    // Gloo Gateway's DirectResponse, named by HTTPRoute ExtensionRef filters (translate.gatewayapi.DirectResponses)
    registry.register("gateway.gloo.solo.io/v1alpha1", "DirectResponse",
        io.fabric8.kubernetes.api.model.GenericKubernetesResource.class, true);
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
    guards.remove(key(apiVersion, kind)); // a new registration says afresh whether it guards
    held.remove(key(apiVersion, kind));
    return this;
  }

  /** Marks a registered kind as guarding traffic: {@link #unregister} then holds it (see {@link Guard}). */
  public void guard(String apiVersion, String kind, Guard guard) {
    if (kinds.containsKey(key(apiVersion, kind))) {
      guards.put(key(apiVersion, kind), guard);
    }
  }

  /** Whether the kind is held: its guarding plugin is gone and a new registration may take it over. */
  public boolean isHeld(String apiVersion, String kind) {
    return held.containsKey(key(apiVersion, kind));
  }

  /** The held kinds and the guard each was registered with. */
  public java.util.Map<KindInfo, Guard> held() {
    java.util.Map<KindInfo, Guard> result = new java.util.LinkedHashMap<>();
    held.forEach((key, info) -> {
      Guard guard = guards.get(key);
      if (guard != null) {
        result.put(info, guard);
      }
    });
    return result;
  }

  /**
   * Removes a kind (a plugin's, when the plugin is unloaded); returns whether it was registered. Documents of the
   * kind are ignored again by parsers from now on.
   */
  public boolean unregister(String apiVersion, String kind) {
    KindInfo guarded = guards.containsKey(key(apiVersion, kind)) ? kinds.get(key(apiVersion, kind)) : null;
    if (guarded != null) {
      held.put(key(apiVersion, kind), guarded); // still read: its policies close the routes they target
      return true;
    }
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
