package io.gloo.core.translate.edge;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.gloo.core.ir.BackendIR;
import io.gloo.core.ir.RouteActionIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.policy.AppliedPolicy;
import io.gloo.core.translate.policy.BackendLookup;
import io.gloo.core.translate.policy.PolicyResolver;
import io.gloo.core.translate.policy.RegisteredKind;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.translate.ResourceLookup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * A route action's destinations → weighted Envoy clusters: an {@code upstream} (built by the Upstream plugin, the
 * cluster the Gateway API's backendRefs to it get: {@code upstream_<ns>_<name>}), a {@code kube} Service port
 * ({@code kube_<ns>_<service>_<port>}, shared with HTTPRoutes) or an {@code upstreamGroup}'s weighted destinations.
 * A destination that does not resolve keeps its weight with no cluster (its share answers 500) and is a warning, as
 * Gloo's InvalidDestinationWarning. Edge resources may name destinations in any namespace, as in Gloo (no
 * ReferenceGrants). One instance per translation; Service backends equal to the previous translation's are reused.
 */
final class EdgeDestinations {

  /** Destinations of one action: the weighted clusters and what did not resolve. */
  record Resolved(List<RouteActionIR.WeightedBackend> backends, List<String> warnings, String error) {}

  private final ResourceSnapshot snapshot;
  private final PolicyResolver policies;
  private final BackendLookup lookup;
  private final Map<ResourceKey, GenericKubernetesResource> upstreamGroups = new HashMap<>();
  private final Map<String, BackendIR> built = new HashMap<>();
  private final Map<String, BackendIR> previous;
  private final EdgePlans.Tap tap;

  /** @param tap is told each kube destination resolved, and when plugins (Upstreams) were involved */
  EdgeDestinations(ResourceSnapshot snapshot, PolicyResolver policies, BackendLookup lookup,
      List<GenericKubernetesResource> upstreamGroups, Map<String, BackendIR> previous, EdgePlans.Tap tap) {
    this.tap = tap;
    this.snapshot = snapshot;
    this.policies = policies;
    this.lookup = lookup;
    this.previous = previous;
    upstreamGroups.forEach(g -> this.upstreamGroups.put(ResourceKey.of(g), g));
  }

  /** {@code routeAction.single}: one destination, or an UpstreamGroup's. */
  Resolved single(JsonNode single, String namespace) {
    List<String> warnings = new ArrayList<>();
    if (EdgeApi.present(single, "upstreamGroup")) {
      return upstreamGroup(single.get("upstreamGroup"), namespace);
    }
    RouteActionIR.WeightedBackend b = destination(single, 1, namespace, warnings);
    return b == null ? new Resolved(List.of(), warnings, unsupported(single))
        : new Resolved(List.of(b), warnings, null);
  }

  /** {@code routeAction.multi.destinations}: {@code {destination, weight, options}} each. */
  Resolved multi(JsonNode multi, String namespace) {
    List<String> warnings = new ArrayList<>();
    List<RouteActionIR.WeightedBackend> out = new ArrayList<>();
    int index = -1;
    for (JsonNode d : multi.path("destinations")) {
      index++;
      EdgeDestinationOptions.Parsed options = EdgeDestinationOptions.of(d.get("options"),
          "multi.destinations[" + index + "].options");
      warnings.addAll(options.warnings());
      int weight = d.path("weight").asInt(1);
      RouteActionIR.WeightedBackend b = destination(d.path("destination"), weight, namespace, warnings);
      if (b == null) {
        return new Resolved(List.of(), warnings, unsupported(d.path("destination")));
      }
      out.add(new RouteActionIR.WeightedBackend(options.failClosed() ? null : b.cluster(), b.weight(),
          options.request(), options.response()));
    }
    if (out.isEmpty()) {
      return new Resolved(List.of(), warnings, "multi: at least one destination is required");
    }
    return new Resolved(out, warnings, null);
  }

  private Resolved upstreamGroup(JsonNode refNode, String namespace) {
    tap.notReplayable();
    ResourceKey ref = EdgeApi.ref(EdgeApi.KIND_UPSTREAM_GROUP, refNode, namespace);
    GenericKubernetesResource group = ref == null ? null : upstreamGroups.get(ref);
    if (group == null) {
      String name = ref == null ? "(no name)" : EdgeApi.gloo(ref);
      return new Resolved(List.of(new RouteActionIR.WeightedBackend(null, 1)),
          List.of("InvalidDestinationWarning: *v1.UpstreamGroup { " + name + " } not found"), null);
    }
    Resolved r = multi(EdgeApi.spec(group), ref.namespace());
    return r.error() == null ? r : new Resolved(r.backends(), r.warnings(), "UpstreamGroup " + EdgeApi.gloo(ref)
        + ": " + r.error());
  }

  private static String unsupported(JsonNode destination) {
    List<String> fields = new ArrayList<>();
    destination.properties().forEach(e -> fields.add(e.getKey()));
    return fields.isEmpty() ? "a destination names no upstream, kube service or upstreamGroup"
        : "destination " + fields + " is not supported (upstream, kube and upstreamGroup are)";
  }

  /** One destination; null when it is of a kind we do not serve (an error, not a warning). */
  private RouteActionIR.WeightedBackend destination(JsonNode d, int weight, String namespace,
      List<String> warnings) {
    if (EdgeApi.present(d, "upstream")) {
      tap.notReplayable();
      ResourceKey ref = EdgeApi.ref(EdgeApi.KIND_UPSTREAM, d.get("upstream"), namespace);
      return new RouteActionIR.WeightedBackend(ref == null ? null : upstream(ref, warnings), weight);
    }
    if (EdgeApi.present(d, "kube")) {
      JsonNode kube = d.get("kube");
      ResourceKey ref = EdgeApi.ref("Service", kube.path("ref"), namespace);
      int port = kube.path("port").asInt(0);
      String cluster = null;
      if (ref != null) {
        int before = warnings.size();
        cluster = service(ref, port, warnings);
        tap.lookup(new EdgePlans.KubeLookup(ref, port, cluster, List.copyOf(warnings.subList(before,
            warnings.size()))));
      }
      return new RouteActionIR.WeightedBackend(cluster, weight);
    }
    return null;
  }

  private String upstream(ResourceKey ref, List<String> warnings) {
    Optional<RegisteredKind> kind = policies.kind(EdgeApi.GLOO_GROUP, EdgeApi.KIND_UPSTREAM, Attachment.BACKEND_REF);
    if (kind.isEmpty()) {
      warnings.add("InvalidDestinationWarning: *v1.Upstream { " + EdgeApi.gloo(ref)
          + " }: no loaded plugin serves Upstreams");
      return null;
    }
    String cluster = EdgeApi.KIND_UPSTREAM.toLowerCase(Locale.ROOT) + "_" + ref.namespace() + "_" + ref.name();
    if (built.containsKey(cluster)) {
      return cluster;
    }
    PolicyResolver.Resolution resolution = policies.resolve(kind.get(), ref.namespace(), ref.name());
    if (!resolution.resolved()) {
      warnings.add("InvalidDestinationWarning: *v1.Upstream { " + EdgeApi.gloo(ref) + " } "
          + (resolution.problem().endsWith("not found") ? "not found" : resolution.problem()));
      return null;
    }
    AppliedPolicy applied = policies.single(resolution.policy(), "backend " + cluster);
    if (applied == null) {
      warnings.add("InvalidDestinationWarning: *v1.Upstream { " + EdgeApi.gloo(ref) + " } could not be applied");
      return null;
    }
    policies.reports().attached(resolution.policy().ref(), "backend " + cluster, true);
    built.put(cluster, new BackendIR(cluster, new ResourceKey(EdgeApi.KIND_UPSTREAM, ref.namespace(), ref.name()),
        0, List.of(), applied));
    return cluster;
  }

  private String service(ResourceKey ref, int port, List<String> warnings) {
    String cluster = "kube_" + ref.namespace() + "_" + ref.name() + "_" + port;
    if (built.containsKey(cluster)) {
      return cluster;
    }
    Service service = snapshot.get(Service.class, ref.namespace(), ref.name()).orElse(null);
    ServicePort servicePort = null;
    if (service != null && service.getSpec() != null && service.getSpec().getPorts() != null) {
      for (ServicePort p : service.getSpec().getPorts()) {
        if (p.getPort() != null && p.getPort() == port) {
          servicePort = p;
        }
      }
    }
    if (servicePort == null) {
      warnings.add("InvalidDestinationWarning: kube service " + EdgeApi.gloo(ref)
          + (service == null ? " not found" : " has no port " + port));
      return null;
    }
    List<BackendIR.Endpoint> endpoints = new ArrayList<>();
    for (ResourceLookup.HostPort hp : lookup.serviceEndpoints(ref.namespace(), ref.name(), port).orElse(List.of())) {
      endpoints.add(new BackendIR.Endpoint(hp.address(), hp.port()));
    }
    BackendIR backend = new BackendIR(cluster, ref, port, endpoints);
    String appProtocol = servicePort.getAppProtocol() == null ? "" : servicePort.getAppProtocol();
    if (List.of("kubernetes.io/h2c", "h2c", "grpc", "http2").contains(appProtocol.toLowerCase(Locale.ROOT))) {
      backend = backend.withHttp2();
    }
    BackendIR before = previous.get(cluster);
    built.put(cluster, before != null && before.equals(backend) ? before : backend);
    return cluster;
  }

  /** A kube destination resolved again (for a plan's replay: building its cluster for this translation). */
  EdgePlans.KubeLookup again(EdgePlans.KubeLookup previous) {
    return again.computeIfAbsent(new PortRef(previous.ref(), previous.port()), k -> {
      List<String> warnings = new ArrayList<>(0);
      String cluster = service(k.ref(), k.port(), warnings);
      return new EdgePlans.KubeLookup(k.ref(), k.port(), cluster, List.copyOf(warnings));
    });
  }

  private record PortRef(ResourceKey ref, int port) {}

  /** The kube destinations resolved again in this translation (each plan replayed names a few of a shared pool). */
  private final Map<PortRef, EdgePlans.KubeLookup> again = new HashMap<>();

  /** The backend of a cluster this instance resolved. */
  BackendIR backend(String cluster) {
    return built.get(cluster);
  }

  /** Every Service backend built, for the next translation to reuse. */
  Map<String, BackendIR> serviceBackends() {
    Map<String, BackendIR> out = new HashMap<>();
    built.forEach((c, b) -> {
      if (b.policy() == null) {
        out.put(c, b);
      }
    });
    return out;
  }
}
