package io.gloo.bench;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Gloo Edge workload: V VirtualServices over 10 namespaces ({@code ns-0}..{@code ns-9}), each with one domain, a
 * {@code /api-<v>} route delegating by label selector to 5 RouteTables of its namespace (weights 0..4), and a
 * direct-response route; 5V RouteTables, each with two routes under its parent's prefix: one to a kube Service of
 * the pool ({@link Workload#services()}: 50 per namespace, 3 ready endpoints each), one direct response. No Edge
 * Gateway: Gloo's default {@code gateway-proxy} serves them all. At V = 1,000: 5,000 RouteTables, 11,000 Envoy
 * routes in 1,000 virtual hosts. Deterministic.
 */
public final class EdgeWorkload {

  static final int NAMESPACES = 10;
  static final int TABLES_PER_SERVICE = 5;

  private final int virtualServices;
  private final Workload services = new Workload(5_000);

  public EdgeWorkload(int virtualServices) {
    this.virtualServices = virtualServices;
  }

  public List<HasMetadata> resources() {
    List<HasMetadata> out = new ArrayList<>();
    out.addAll(services.services());
    out.addAll(services.endpointSlices());
    for (int v = 0; v < virtualServices; v++) {
      out.add(virtualService(v));
      for (int t = 0; t < TABLES_PER_SERVICE; t++) {
        out.add(routeTable(v, t, 0));
      }
    }
    return out;
  }

  static String namespace(int v) {
    return "ns-" + (v % NAMESPACES);
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
            "ref", Map.of("name", "svc-" + ((v * TABLES_PER_SERVICE + t) % 50)), "port", 80))));
    Map<String, Object> direct = Map.of(
        "matchers", List.of(Map.of("prefix", prefix + "/static")),
        "directResponseAction", Map.of("status", 204));
    return resource("RouteTable", "rt-" + v + "-" + t, namespace(v), Map.of("vs", "vs-" + v),
        Map.of("weight", t, "routes", List.of(forward, direct)));
  }

  private static GenericKubernetesResource resource(String kind, String name, String namespace,
      Map<String, String> labels, Map<String, Object> spec) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion("gateway.solo.io/v1");
    r.setKind(kind);
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).withGeneration(1L)
        .withLabels(labels.isEmpty() ? null : labels).build());
    r.setAdditionalProperty("spec", spec);
    return r;
  }
}
