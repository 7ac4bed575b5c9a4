package io.gloo.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import io.gloo.core.translate.TranslationResult;
import java.util.ArrayList;
import java.util.List;

/**
 * Scale with ListenerSets (issue #19 item 3): {@code routes} HTTPRoutes attached to {@code sets} ListenerSets (route
 * {@code i} to ListenerSet {@code ls-(i % sets)} by a parentRef of kind ListenerSet, with the set's hostname), the
 * sets spread over {@code gateways} Gateways that allow ListenerSets from all namespaces; each set has one HTTP
 * listener on port 80 with its own hostname, so a Gateway serves {@code sets / gateways} merged listeners. The
 * {@link Workload}'s Services and EndpointSlices. Measured in one JVM, as {@link ScaleBench}: full translation +
 * publish on a cold translator (median, max; target &lt; 5 s), heap after GC, a one-route change and a one-ListenerSet
 * change (a hostname edit) → translate → publish on a long-lived translator (median, p90, p99; target &lt; 100 ms).
 * {@code taskset -c 0 java -Xmx4g -cp bench/target/benchmarks.jar io.gloo.bench.ListenerSetScaleBench [sets 2500]
 * [routes 40000] [gateways 10] [full translations 3] [changes 30]}.
 */
public final class ListenerSetScaleBench {

  private ListenerSetScaleBench() {}

  public static void main(String[] args) {
    int sets = args.length > 0 ? Integer.parseInt(args[0]) : 2_500;
    int routes = args.length > 1 ? Integer.parseInt(args[1]) : 40_000;
    int gateways = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int fulls = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    int changes = args.length > 4 ? Integer.parseInt(args[4]) : 30;
    Workload workload = new Workload(routes);
    int changedRoute = routes / 2 + 7;
    int changedSet = sets / 2 + 3;
    new ScaleRun(String.format("%d HTTPRoutes over %d ListenerSets over %d Gateways", routes, sets, gateways),
        resources(workload, sets, gateways))
        .checkFirst(result -> check(result, sets, routes))
        .change("one-route change", r -> route(workload, changedRoute, r, sets))
        .change("one-ListenerSet change", r -> listenerSet(changedSet, r, gateways))
        .run(fulls, changes);
  }

  /** The first translation attached every ListenerSet and every route (else the figures measure something else). */
  private static void check(TranslationResult result, int sets, int routes) {
    long acceptedSets = result.statuses().statuses().entrySet().stream()
        .filter(e -> e.getKey().kind().equals("ListenerSet") && e.getValue() instanceof
            io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetStatus s && s.getConditions().stream()
            .anyMatch(c -> c.getType().equals("Accepted") && c.getStatus().equals("True")))
        .count();
    long acceptedRoutes = result.statuses().statuses().entrySet().stream()
        .filter(e -> e.getKey().kind().equals("HTTPRoute") && e.getValue() instanceof
            io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus s && s.getParents().stream()
            .anyMatch(p -> p.getConditions().stream()
                .anyMatch(c -> c.getType().equals("Accepted") && c.getStatus().equals("True"))))
        .count();
    System.out.printf("%d ListenerSets and %d routes accepted%n", acceptedSets, acceptedRoutes);
    if (acceptedSets != sets || acceptedRoutes != routes) {
      throw new IllegalStateException("not every ListenerSet / route attached: " + acceptedSets + "/" + sets + ", "
          + acceptedRoutes + "/" + routes);
    }
  }

  static List<HasMetadata> resources(Workload workload, int sets, int gateways) {
    List<HasMetadata> all = new ArrayList<>();
    all.add(workload.gatewayClass());
    for (int g = 0; g < gateways; g++) {
      Gateway gateway = workload.gateway();
      gateway.getMetadata().setName("gw-" + g);
      gateway.getSpec().setAllowedListeners(new io.fabric8.kubernetes.api.model.gatewayapi.v1.AllowedListeners(
          new io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerNamespaces("All", null)));
      all.add(gateway);
    }
    for (int j = 0; j < sets; j++) {
      all.add(listenerSet(j, 0, gateways));
    }
    all.addAll(workload.services());
    all.addAll(workload.endpointSlices());
    for (int i = 0; i < workload.routeCount(); i++) {
      all.add(route(workload, i, 0, sets));
    }
    return all;
  }

  /** ListenerSet {@code j}; {@code revision} > 0 adds a second listener (a one-set edit that changes the proxy). */
  static ListenerSet listenerSet(int j, int revision, int gateways) {
    ListenerSetBuilder b = new ListenerSetBuilder()
        .withNewMetadata().withName("ls-" + j).withNamespace(Workload.namespace(j)).withGeneration(1L + revision)
        .withCreationTimestamp("2026-01-01T00:00:00Z").endMetadata()
        .withNewSpec()
          .withNewParentRef().withName("gw-" + (j % gateways)).withNamespace(Workload.GATEWAY_NAMESPACE)
          .endParentRef()
          .addNewListener().withName("http").withProtocol("HTTP").withPort(80).withHostname(hostname(j))
            .withNewAllowedRoutes().withNewNamespaces().withFrom("All").endNamespaces().endAllowedRoutes()
          .endListener()
        .endSpec();
    if (revision > 0) {
      b.editSpec().addNewListener().withName("extra").withProtocol("HTTP").withPort(80)
          .withHostname("extra-" + revision + "." + hostname(j)).endListener().endSpec();
    }
    return b.build();
  }

  static HTTPRoute route(Workload workload, int i, int revision, int sets) {
    HTTPRoute route = workload.route(i, revision);
    int j = i % sets;
    var parent = route.getSpec().getParentRefs().get(0);
    parent.setGroup("gateway.networking.k8s.io");
    parent.setKind("ListenerSet");
    parent.setName("ls-" + j);
    parent.setNamespace(Workload.namespace(j));
    route.getSpec().setHostnames(List.of(hostname(j)));
    return route;
  }

  private static String hostname(int j) {
    return "ls-" + j + ".example.com";
  }
}
