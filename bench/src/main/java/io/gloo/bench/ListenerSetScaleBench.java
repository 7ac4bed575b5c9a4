package io.gloo.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import io.gloo.core.snapshot.SnapshotPublisher;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

  public static void main(String[] args) throws Exception {
    int sets = args.length > 0 ? Integer.parseInt(args[0]) : 2_500;
    int routes = args.length > 1 ? Integer.parseInt(args[1]) : 40_000;
    int gateways = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int fulls = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    int changes = args.length > 4 ? Integer.parseInt(args[4]) : 30;
    System.out.printf("%d HTTPRoutes over %d ListenerSets over %d Gateways; load average at start: %s%n", routes,
        sets, gateways, load());

    Workload workload = new Workload(routes);
    long emptyHeap = HeapMeter.usedAfterGc();
    ResourceSnapshot snapshot = ResourceSnapshot.of(resources(workload, sets, gateways), List.of());
    long snapshotHeap = HeapMeter.usedAfterGc();

    long[] full = new long[fulls];
    for (int i = 0; i < fulls; i++) {
      long start = System.nanoTime();
      try (Translator cold = new Translator()) {
        TranslationResult result = cold.translate(snapshot);
        new SnapshotPublisher(new SimpleMeterRegistry()).publish(result.gateways());
        full[i] = System.nanoTime() - start;
        if (i == 0) {
          check(result, sets, routes);
        }
      }
      System.out.printf("full translation + publish %d: %.0f ms%n", i, full[i] / 1e6);
    }

    Translator translator = new Translator();
    SnapshotPublisher publisher = new SnapshotPublisher(new SimpleMeterRegistry());
    publisher.publish(translator.translate(snapshot).gateways());
    long servingHeap = HeapMeter.usedAfterGc();

    int changed = routes / 2 + 7;
    ResourceKey routeKey = ResourceKey.of(route(workload, changed, 0, sets));
    long[] routeChange = new long[changes];
    for (int r = 1; r <= changes; r++) {
      long start = System.nanoTime();
      snapshot = snapshot.withChanges(Map.of(routeKey, route(workload, changed, r, sets)), List.of());
      published(publisher.publish(translator.translate(snapshot).gateways()));
      routeChange[r - 1] = System.nanoTime() - start;
    }
    int changedSet = sets / 2 + 3;
    ResourceKey setKey = ResourceKey.of(listenerSet(changedSet, 0, gateways));
    long[] setChange = new long[changes];
    for (int r = 1; r <= changes; r++) {
      long start = System.nanoTime();
      snapshot = snapshot.withChanges(Map.of(setKey, listenerSet(changedSet, r, gateways)), List.of());
      published(publisher.publish(translator.translate(snapshot).gateways()));
      setChange[r - 1] = System.nanoTime() - start;
    }
    translator.close();

    System.out.printf("%d HTTPRoutes over %d ListenerSets over %d Gateways, load average at end: %s%n", routes, sets,
        gateways, load());
    System.out.printf("  full translation + publish (cold translator, %d runs): median %.0f ms, max %.0f ms"
        + " (target < 5,000 ms)%n", fulls, XdsTlsBench.percentile(full, 50), XdsTlsBench.percentile(full, 100));
    System.out.printf("  one-route change -> translate -> publish (%d changes): median %.1f ms, p90 %.1f ms,"
        + " p99 %.1f ms (target < 100 ms)%n", changes, XdsTlsBench.percentile(routeChange, 50),
        XdsTlsBench.percentile(routeChange, 90), XdsTlsBench.percentile(routeChange, 99));
    System.out.printf("  one-ListenerSet change -> translate -> publish (%d changes): median %.1f ms, p90 %.1f ms,"
        + " p99 %.1f ms%n", changes, XdsTlsBench.percentile(setChange, 50), XdsTlsBench.percentile(setChange, 90),
        XdsTlsBench.percentile(setChange, 99));
    System.out.printf("  heap after GC: empty %.0f MiB, + snapshot %.0f MiB, serving (snapshot, translator,"
        + " published) %.0f MiB (target < 1,024 MiB)%n", HeapMeter.mib(emptyHeap), HeapMeter.mib(snapshotHeap),
        HeapMeter.mib(servingHeap));
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
    System.out.printf("translated: %d Gateways with output, %d ListenerSets and %d routes accepted%n",
        result.gateways().size(), acceptedSets, acceptedRoutes);
    if (acceptedSets != sets || acceptedRoutes != routes) {
      throw new IllegalStateException("not every ListenerSet / route attached: " + acceptedSets + "/" + sets + ", "
          + acceptedRoutes + "/" + routes);
    }
  }

  private static void published(Map<ResourceKey, SnapshotPublisher.Result> result) {
    if (!result.containsValue(SnapshotPublisher.Result.PUBLISHED)) {
      throw new IllegalStateException("the change was not published: " + result.values().stream().distinct()
          .toList());
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

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
