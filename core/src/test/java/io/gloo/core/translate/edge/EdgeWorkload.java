package io.gloo.core.translate.edge;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Gloo Edge workload: V VirtualServices over 10 namespaces ({@code ns-0}..{@code ns-9}), each with one domain, a
 * {@code /api-<v>} route delegating by label selector to 5 RouteTables of its namespace (weights 0..4), and a
 * direct-response route; 5V RouteTables, each with two routes under its parent's prefix: one to a kube Service of
 * a pool ({@code svc-<s>}, port 80, 50 per namespace by default, one EndpointSlice of 3 ready endpoints each), one
 * direct response. No Edge Gateway: Gloo's default {@code gateway-proxy} serves them all. At V = 1,000: 5,000
 * RouteTables, 11,000 Envoy routes in 1,000 virtual hosts. Deterministic. Used by the benchmarks
 * ({@code EdgeTranslationBenchmark}, through core's test jar) and by {@link EdgeIncrementalPropertyTest}.
 */
public final class EdgeWorkload {

  public static final int NAMESPACES = 10;
  public static final int TABLES_PER_SERVICE = 5;
  public static final int ENDPOINTS_PER_SERVICE = 3;

  private final int virtualServices;
  private final int servicesPerNamespace;

  public EdgeWorkload(int virtualServices) {
    this(virtualServices, 50);
  }

  public EdgeWorkload(int virtualServices, int servicesPerNamespace) {
    this.virtualServices = virtualServices;
    this.servicesPerNamespace = servicesPerNamespace;
  }

  public List<HasMetadata> resources() {
    List<HasMetadata> out = new ArrayList<>();
    out.addAll(services());
    out.addAll(endpointSlices());
    for (int v = 0; v < virtualServices; v++) {
      out.add(virtualService(v));
      for (int t = 0; t < TABLES_PER_SERVICE; t++) {
        out.add(routeTable(v, t, 0));
      }
    }
    return out;
  }

  public static String namespace(int v) {
    return "ns-" + (v % NAMESPACES);
  }

  public List<Service> services() {
    List<Service> out = new ArrayList<>();
    for (int n = 0; n < NAMESPACES; n++) {
      for (int s = 0; s < servicesPerNamespace; s++) {
        out.add(service("ns-" + n, s));
      }
    }
    return out;
  }

  public static Service service(String namespace, int s) {
    return new ServiceBuilder()
        .withNewMetadata().withName("svc-" + s).withNamespace(namespace).withGeneration(1L).endMetadata()
        .withNewSpec().addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort().endSpec()
        .build();
  }

  public List<EndpointSlice> endpointSlices() {
    List<EndpointSlice> out = new ArrayList<>();
    for (int n = 0; n < NAMESPACES; n++) {
      for (int s = 0; s < servicesPerNamespace; s++) {
        out.add(endpointSlice(n, s, ENDPOINTS_PER_SERVICE));
      }
    }
    return out;
  }

  /** The EndpointSlice of {@code svc-<s>} in {@code ns-<n>}, with {@code endpoints} ready endpoints. */
  public static EndpointSlice endpointSlice(int n, int s, int endpoints) {
    EndpointSliceBuilder b = new EndpointSliceBuilder()
        .withNewMetadata().withName("svc-" + s + "-abcde").withNamespace("ns-" + n).withGeneration(1L)
          .addToLabels("kubernetes.io/service-name", "svc-" + s).endMetadata()
        .withAddressType("IPv4")
        .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
    for (int e = 0; e < endpoints; e++) {
      b.addNewEndpoint().withAddresses("10." + n + "." + (s % 250) + "." + (e + 1 + 10 * (s / 250)))
          .withNewConditions().withReady(true).endConditions().endEndpoint();
    }
    return b.build();
  }

  public GenericKubernetesResource virtualService(int v) {
    Map<String, Object> delegate = Map.of(
        "matchers", List.of(Map.of("prefix", "/api-" + v)),
        "delegateAction", Map.of("selector", Map.of("labels", Map.of("vs", "vs-" + v))));
    Map<String, Object> direct = Map.of(
        "matchers", List.of(Map.of("exact", "/health")),
        "directResponseAction", Map.of("status", 200, "body", "ok"));
    return resource("VirtualService", "vs-" + v, namespace(v), Map.of(),
        Map.of("virtualHost", Map.of("domains", List.of("app-" + v + ".example.com"),
            "routes", List.of(delegate, direct))));
  }

  /** RouteTable {@code t} of VirtualService {@code v}; {@code revision} changes the path of its first route. */
  public GenericKubernetesResource routeTable(int v, int t, int revision) {
    String prefix = "/api-" + v + "/t" + t;
    Map<String, Object> forward = Map.of(
        "matchers", List.of(Map.of("prefix", prefix + "/svc" + (revision == 0 ? "" : "-r" + revision))),
        "routeAction", Map.of("single", Map.of("kube", Map.of(
            "ref", Map.of("name", "svc-" + ((v * TABLES_PER_SERVICE + t) % servicesPerNamespace)), "port", 80))));
    Map<String, Object> direct = Map.of(
        "matchers", List.of(Map.of("prefix", prefix + "/static")),
        "directResponseAction", Map.of("status", 204));
    return resource("RouteTable", "rt-" + v + "-" + t, namespace(v), Map.of("vs", "vs-" + v),
        Map.of("weight", t, "routes", List.of(forward, direct)));
  }

  /** A {@code gateway.solo.io/v1} object of generation 1. */
  public static GenericKubernetesResource resource(String kind, String name, String namespace,
      Map<String, String> labels, Map<String, Object> spec) {
    return resource("gateway.solo.io/v1", kind, name, namespace, labels, spec);
  }

  public static GenericKubernetesResource resource(String apiVersion, String kind, String name, String namespace,
      Map<String, String> labels, Map<String, Object> spec) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(apiVersion);
    r.setKind(kind);
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).withGeneration(1L)
        .withLabels(labels.isEmpty() ? null : labels).build());
    r.setAdditionalProperty("spec", spec);
    return r;
  }
}
