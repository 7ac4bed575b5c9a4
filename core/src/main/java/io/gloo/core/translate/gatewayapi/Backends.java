package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.gloo.core.ir.BackendIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.policy.PolicyResolver;
import io.gloo.core.translate.policy.RegisteredKind;
import io.gloo.spi.policy.Attachment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves route backendRefs to Envoy clusters and builds each cluster's endpoints from the Service's
 * EndpointSlices. One instance per translation; clusters are built once and shared by every Gateway that uses them.
 */
final class Backends {

  /** Label that ties an EndpointSlice to its Service. */
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private final ResourceSnapshot snapshot;
  private final ReferenceGrants grants;
  private final PolicyResolver policies;
  private final Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
  private final Map<String, BackendIR> built = new HashMap<>();
  private final Set<String> websocketClusters = new java.util.HashSet<>();
  private final BackendTlsPolicies tlsPolicies;
  private final BackendCache cache;
  /** Route → the BackendTLSPolicies of the Service ports its backendRefs resolved to (for their ancestor status). */
  private final Map<ResourceKey, Set<BackendTlsPolicies.Policy>> tlsPoliciesByRoute = new HashMap<>();

  Backends(ResourceSnapshot snapshot, ReferenceGrants grants, PolicyResolver policies) {
    this(snapshot, grants, policies, new BackendTlsPolicies(snapshot), new BackendCache());
  }

  /** @param cache Service backends of the previous translation, to reuse while their inputs are unchanged */
  Backends(ResourceSnapshot snapshot, ReferenceGrants grants, PolicyResolver policies,
      BackendTlsPolicies tlsPolicies, BackendCache cache) {
    this.cache = cache;
    this.snapshot = snapshot;
    this.grants = grants;
    this.policies = policies;
    this.tlsPolicies = tlsPolicies;
    for (EndpointSlice slice : snapshot.list(EndpointSlice.class)) {
      Map<String, String> labels = slice.getMetadata().getLabels();
      String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
      if (service != null) {
        slicesByService.computeIfAbsent(slice.getMetadata().getNamespace() + "/" + service, k -> new ArrayList<>())
            .add(slice);
      }
    }
  }

  /**
   * The outcome of resolving one backendRef: a cluster, or the Gateway API reason it could not be resolved.
   */
  record Resolution(String cluster, String reason, String message) {
    static Resolution ok(String cluster) {
      return new Resolution(cluster, null, null);
    }

    static Resolution failed(String reason, String message) {
      return new Resolution(null, reason, message);
    }

    /**
     * The reference resolves but the backend must not be used (its BackendTLSPolicy is not accepted): no cluster,
     * so requests answer 500, but nothing wrong with the reference itself (no route condition).
     */
    static Resolution refused(String message) {
      return new Resolution(null, null, message);
    }

    boolean resolved() {
      return cluster != null;
    }
  }

  /**
   * Resolves a backendRef of a route in {@code routeNamespace}.
   *
   * @param group the ref's group (null means core)
   * @param kind the ref's kind (null means Service)
   */
  Resolution resolve(String routeKind, String routeNamespace, String routeName, String group, String kind,
      String name, String namespace, Integer port, RouteInputs inputs) {
    String g = GatewayApi.groupOrCore(group);
    String k = kind == null ? GatewayApi.KIND_SERVICE : kind;
    String ns = namespace == null || namespace.isEmpty() ? routeNamespace : namespace;
    String ref = (g.isEmpty() ? "" : g + "/") + k + " " + ns + "/" + name;
    if (!g.isEmpty() || !k.equals(GatewayApi.KIND_SERVICE)) {
      Optional<RegisteredKind> pluginKind = policies.kind(g, k, Attachment.BACKEND_REF);
      inputs.pluginKind(g, k, Attachment.BACKEND_REF, pluginKind.isPresent());
      if (pluginKind.isEmpty()) {
        return Resolution.failed(GatewayApi.REASON_INVALID_KIND,
            "backendRef " + ref + ": unsupported kind (no installed plugin serves it as a backend)");
      }
      return resolvePluginBackend(pluginKind.get(), routeKind, routeNamespace, routeName, g, k, ns, name, port, ref);
    }
    if (!grants.permits(GatewayApi.GROUP, routeKind, routeNamespace, "", GatewayApi.KIND_SERVICE, ns, name)) {
      return Resolution.failed(GatewayApi.REASON_REF_NOT_PERMITTED,
          "backendRef " + ref + ": no ReferenceGrant in namespace " + ns + " allows " + routeKind + "s from "
              + routeNamespace);
    }
    Service service = snapshot.get(Service.class, ns, name).orElse(null);
    inputs.read(new ResourceKey(GatewayApi.KIND_SERVICE, ns, name), service);
    if (service == null) {
      return Resolution.failed(GatewayApi.REASON_BACKEND_NOT_FOUND, "backendRef " + ref + ": Service not found");
    }
    if (port == null) {
      return Resolution.failed(GatewayApi.REASON_UNSUPPORTED_VALUE,
          "backendRef " + ref + ": port is required for a Service");
    }
    ServicePort servicePort = servicePort(service, port);
    if (servicePort == null) {
      return Resolution.failed(GatewayApi.REASON_BACKEND_NOT_FOUND,
          "backendRef " + ref + ": Service has no port " + port);
    }
    String cluster = clusterName(ns, name, port);
    List<BackendTlsPolicies.Policy> targeting = tlsPolicies.allForServicePort(ns, name, servicePort);
    if (!targeting.isEmpty()) {
      inputs.notReusable("backend with a BackendTLSPolicy");
      tlsPoliciesByRoute.computeIfAbsent(new ResourceKey(routeKind, routeNamespace, routeName),
          r -> new LinkedHashSet<>()).addAll(targeting);
    }
    BackendTlsPolicies.Policy tls = tlsPolicies.forServicePort(ns, name, servicePort);
    if (tls != null && !tls.accepted()) {
      // Never plaintext to a backend that asked for TLS: requests to it answer 500.
      return Resolution.refused("backendRef " + ref + ": BackendTLSPolicy " + tls.key.namespacedName()
          + " is not accepted (" + tls.rejectedReason + ")");
    }
    built.computeIfAbsent(cluster, c -> {
      BackendIR backend = serviceBackend(c, service, servicePort);
      return tls == null ? backend : backend.withTls(tls.tls);
    });
    inputs.serviceCluster(ns, name, port, cluster);
    return Resolution.ok(cluster);
  }

  /**
   * Repeats the effects that resolving the backendRefs of a reused route had here: its Service clusters are built
   * (if no other route built them yet) and marked HTTP/2 where the route asked for it. Only for routes whose
   * {@link RouteInputs} are reusable: their Services are unchanged and no BackendTLSPolicy applies to them.
   */
  void replay(RouteInputs inputs) {
    for (RouteInputs.ServicePortRef ref : inputs.serviceClusters()) {
      String cluster = ref.cluster();
      if (!built.containsKey(cluster)) {
        Service service = snapshot.get(Service.class, ref.namespace(), ref.name()).orElseThrow();
        built.put(cluster, serviceBackend(cluster, service, servicePort(service, ref.port())));
      }
    }
    for (String cluster : inputs.http2Clusters()) {
      requireHttp2(cluster);
    }
  }

  /** Whether any route's backends have BackendTLSPolicies (whose ancestors the Gateways then are). */
  boolean anyTlsPolicies() {
    return !tlsPoliciesByRoute.isEmpty();
  }

  /** The BackendTLSPolicies targeting the Service ports a route's backendRefs resolved to. */
  Set<BackendTlsPolicies.Policy> tlsPolicies(ResourceKey route) {
    return tlsPoliciesByRoute.getOrDefault(route, Set.of());
  }

  BackendTlsPolicies tlsPolicies() {
    return tlsPolicies;
  }

  private Resolution resolvePluginBackend(RegisteredKind pluginKind, String routeKind, String routeNamespace,
      String routeName, String group, String kind, String ns, String name, Integer port, String ref) {
    return resolvePluginBackend(pluginKind, GatewayApi.GROUP, routeKind, routeNamespace,
        routeKind + " " + routeNamespace + "/" + routeName + " backendRef", group, kind, ns, name, port, ref);
  }

  /**
   * Resolves a backend of a plugin's kind referenced from {@code fromGroup/fromKind} in {@code fromNamespace}
   * (an HTTPRoute backendRef, or a policy naming a mirror target).
   */
  Resolution resolvePluginBackend(RegisteredKind pluginKind, String fromGroup, String fromKind, String fromNamespace,
      String where, String group, String kind, String ns, String name, Integer port, String ref) {
    String routeKind = fromKind;
    String routeNamespace = fromNamespace;
    if (!grants.permits(fromGroup, fromKind, fromNamespace, group, kind, ns, name)) {
      return Resolution.failed(GatewayApi.REASON_REF_NOT_PERMITTED,
          "backendRef " + ref + ": no ReferenceGrant in namespace " + ns + " allows " + routeKind + "s from "
              + routeNamespace);
    }
    PolicyResolver.Resolution resolution = policies.resolve(pluginKind, ns, name);
    if (!resolution.resolved()) {
      return Resolution.failed(resolution.rejected() ? GatewayApi.REASON_POLICY_REJECTED
          : GatewayApi.REASON_BACKEND_NOT_FOUND, "backendRef " + resolution.problem());
    }
    // Gloo's naming: upstream_<namespace>_<name>
    String cluster = kind.toLowerCase(Locale.ROOT) + "_" + ns + "_" + name;
    BackendIR backend = built.computeIfAbsent(cluster, c -> new BackendIR(c, new ResourceKey(kind, ns, name),
        port == null ? 0 : port, List.of(), policies.single(resolution.policy(), "backend " + c)));
    policies.reports().attached(resolution.policy().ref(), where, true);
    return backend.policy() == null
        ? Resolution.failed(GatewayApi.REASON_BACKEND_NOT_FOUND, "backendRef " + ref + ": could not be applied")
        : Resolution.ok(cluster);
  }

  /** Whether a resolved Service cluster's port says WebSocket (appProtocol kubernetes.io/ws or kubernetes.io/wss). */
  boolean websocket(String cluster) {
    return websocketClusters.contains(cluster);
  }

  /** Marks a resolved Service cluster as HTTP/2 (gRPC backends); plugin backends build their own clusters. */
  void requireHttp2(String cluster) {
    built.computeIfPresent(cluster, (c, b) -> {
      if (b.policy() != null || b.http2()) {
        return b;
      }
      BackendCache.Built cached = cache.current(c);
      return cached != null && cached.backend == b ? cached.http2() : b.withHttp2();
    });
  }

  /** A Service port's backend: the previous translation's when the Service and its EndpointSlices are unchanged. */
  private BackendIR serviceBackend(String cluster, Service service, ServicePort servicePort) {
    String ns = service.getMetadata().getNamespace();
    String name = service.getMetadata().getName();
    List<EndpointSlice> slices = slicesByService.getOrDefault(ns + "/" + name, List.of());
    BackendCache.Built before = cache.previous(cluster);
    if (before != null && before.builtFrom(service, slices)) {
      if (before.websocket) {
        websocketClusters.add(cluster);
      }
      cache.keep(cluster, before);
      return before.backend;
    }
    BackendIR backend = build(cluster, service, servicePort);
    cache.keep(cluster, new BackendCache.Built(service, slices, backend, websocketClusters.contains(cluster)));
    return backend;
  }

  /** The backend IR of a cluster returned by {@link #resolve}. */
  BackendIR backend(String cluster) {
    return built.get(cluster);
  }

  /** Envoy cluster name of a Service port: {@code kube_<namespace>_<service>_<port>}. */
  static String clusterName(String namespace, String service, int port) {
    return "kube_" + namespace + "_" + service + "_" + port;
  }

  private static ServicePort servicePort(Service service, int port) {
    if (service.getSpec() == null || service.getSpec().getPorts() == null) {
      return null;
    }
    for (ServicePort p : service.getSpec().getPorts()) {
      if (p.getPort() != null && p.getPort() == port) {
        return p;
      }
    }
    return null;
  }

  private BackendIR build(String cluster, Service service, ServicePort servicePort) {
    String ns = service.getMetadata().getNamespace();
    String name = service.getMetadata().getName();
    BackendIR backend = new BackendIR(cluster, new ResourceKey(GatewayApi.KIND_SERVICE, ns, name),
        servicePort.getPort(), readyEndpoints(ns, name, servicePort));
    String appProtocol = servicePort.getAppProtocol() == null ? "" : servicePort.getAppProtocol();
    if (appProtocol.equals("kubernetes.io/ws") || appProtocol.equals("kubernetes.io/wss")) {
      websocketClusters.add(cluster);
    }
    return isHttp2(appProtocol) ? backend.withHttp2() : backend;
  }

  /** Gateway API (GEP-1911) appProtocols that mean HTTP/2 over cleartext; "grpc" is a common spelling too. */
  static boolean isHttp2(String appProtocol) {
    return appProtocol != null && switch (appProtocol.toLowerCase(Locale.ROOT)) {
      case "kubernetes.io/h2c", "h2c", "grpc", "http2" -> true;
      default -> false;
    };
  }

  /** The ready endpoints of a Service port, from the Service's EndpointSlices. */
  List<BackendIR.Endpoint> readyEndpoints(String ns, String name, ServicePort servicePort) {
    Set<BackendIR.Endpoint> endpoints = new LinkedHashSet<>();
    for (EndpointSlice slice : slicesByService.getOrDefault(ns + "/" + name, List.of())) {
      Integer targetPort = endpointPort(slice, servicePort);
      if (targetPort == null || slice.getEndpoints() == null) {
        continue;
      }
      for (Endpoint endpoint : slice.getEndpoints()) {
        boolean ready = endpoint.getConditions() == null || !Boolean.FALSE.equals(endpoint.getConditions().getReady());
        if (ready && endpoint.getAddresses() != null && !endpoint.getAddresses().isEmpty()) {
          // Kubernetes: all addresses of one endpoint are the same backend; consumers use the first.
          endpoints.add(new BackendIR.Endpoint(endpoint.getAddresses().get(0), targetPort));
        }
      }
    }
    return new ArrayList<>(endpoints);
  }

  /** The ready endpoints of a Service port, or empty when the Service or port does not exist. */
  Optional<List<BackendIR.Endpoint>> serviceEndpoints(String ns, String name, int port) {
    Service service = snapshot.get(Service.class, ns, name).orElse(null);
    ServicePort servicePort = service == null ? null : servicePort(service, port);
    return servicePort == null ? Optional.empty() : Optional.of(readyEndpoints(ns, name, servicePort));
  }

  /** The slice's port for the service port: matched by name, as Kubernetes does (an unnamed port matches ""). */
  private static Integer endpointPort(EndpointSlice slice, ServicePort servicePort) {
    String wanted = servicePort.getName() == null ? "" : servicePort.getName();
    if (slice.getPorts() == null || slice.getPorts().isEmpty()) {
      return null;
    }
    for (EndpointPort p : slice.getPorts()) {
      String name = p.getName() == null ? "" : p.getName();
      if (Objects.equals(name, wanted)) {
        return p.getPort();
      }
    }
    return null;
  }
}
