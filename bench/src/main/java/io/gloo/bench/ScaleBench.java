package io.gloo.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
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
 * Scale (issue #19): {@code routes} HTTPRoutes spread over {@code gateways} Gateways (the {@link Workload}'s routes,
 * Services and EndpointSlices; route {@code i} attaches to Gateway {@code gw-(i % gateways)}), measured in one JVM:
 * <ol>
 *   <li>full translation: a cold {@code new Translator()} translating the whole snapshot, then publishing it (median
 *       and max of the runs; targets &lt; 5 s);</li>
 *   <li>heap after GC ({@link HeapMeter}) with the snapshot alone and with what a serving control plane keeps (the
 *       snapshot, a long-lived translator, the published snapshots of every Gateway; target &lt; 1 GiB);</li>
 *   <li>one-route change: {@code ResourceSnapshot.withChanges} of one route → translate on the long-lived translator
 *       → publish (median, p90, p99; target &lt; 100 ms).</li>
 * </ol>
 * Single-threaded code paths; run it pinned to one core for the "one core" figure:
 * {@code taskset -c 0 java -Xmx4g -cp bench/target/benchmarks.jar io.gloo.bench.ScaleBench [gateways 2500]
 * [routes 40000] [full translations 3] [changes 30]}.
 */
public final class ScaleBench {

  private ScaleBench() {}

  public static void main(String[] args) throws Exception {
    int gateways = args.length > 0 ? Integer.parseInt(args[0]) : 2_500;
    int routes = args.length > 1 ? Integer.parseInt(args[1]) : 40_000;
    int fulls = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int changes = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    System.out.printf("%d HTTPRoutes over %d Gateways; load average at start: %s%n", routes, gateways, load());

    Workload workload = new Workload(routes);
    long emptyHeap = HeapMeter.usedAfterGc();
    ResourceSnapshot snapshot = ResourceSnapshot.of(resources(workload, gateways), List.of());
    long snapshotHeap = HeapMeter.usedAfterGc();

    long[] full = new long[fulls];
    for (int i = 0; i < fulls; i++) {
      long start = System.nanoTime();
      try (Translator cold = new Translator()) {
        TranslationResult result = cold.translate(snapshot);
        new SnapshotPublisher(new SimpleMeterRegistry()).publish(result.gateways());
        full[i] = System.nanoTime() - start;
        if (i == 0) {
          System.out.printf("translated: %d Gateways with output%n", result.gateways().size());
        }
      }
      System.out.printf("full translation + publish %d: %.0f ms%n", i, full[i] / 1e6);
    }

    Translator translator = new Translator();
    SnapshotPublisher publisher = new SnapshotPublisher(new SimpleMeterRegistry());
    publisher.publish(translator.translate(snapshot).gateways());
    long servingHeap = HeapMeter.usedAfterGc();

    int changed = routes / 2 + 7;
    ResourceKey changedKey = ResourceKey.of(route(workload, changed, 0, gateways));
    long[] change = new long[changes];
    for (int r = 1; r <= changes; r++) {
      long start = System.nanoTime();
      snapshot = snapshot.withChanges(Map.of(changedKey, route(workload, changed, r, gateways)), List.of());
      Map<ResourceKey, SnapshotPublisher.Result> result = publisher.publish(translator.translate(snapshot).gateways());
      change[r - 1] = System.nanoTime() - start;
      if (!result.containsValue(SnapshotPublisher.Result.PUBLISHED)) {
        throw new IllegalStateException("the change was not published: " + result.values().stream().distinct()
            .toList());
      }
    }
    translator.close();

    System.out.printf("%d HTTPRoutes over %d Gateways, load average at end: %s%n", routes, gateways, load());
    System.out.printf("  full translation + publish (cold translator, %d runs): median %.0f ms, max %.0f ms"
        + " (target < 5,000 ms)%n", fulls, XdsTlsBench.percentile(full, 50), XdsTlsBench.percentile(full, 100));
    System.out.printf("  one-route change -> translate -> publish (%d changes): median %.1f ms, p90 %.1f ms,"
        + " p99 %.1f ms (target < 100 ms)%n", changes, XdsTlsBench.percentile(change, 50),
        XdsTlsBench.percentile(change, 90), XdsTlsBench.percentile(change, 99));
    System.out.printf("  heap after GC: empty %.0f MiB, + snapshot %.0f MiB, serving (snapshot, translator,"
        + " published) %.0f MiB (target < 1,024 MiB)%n", HeapMeter.mib(emptyHeap), HeapMeter.mib(snapshotHeap),
        HeapMeter.mib(servingHeap));
  }

  /** The workload's GatewayClass, {@code gateways} Gateways, Services, EndpointSlices and routes. */
  static List<HasMetadata> resources(Workload workload, int gateways) {
    List<HasMetadata> all = new ArrayList<>();
    all.add(workload.gatewayClass());
    for (int g = 0; g < gateways; g++) {
      Gateway gateway = workload.gateway();
      gateway.getMetadata().setName(gatewayName(g));
      all.add(gateway);
    }
    all.addAll(workload.services());
    all.addAll(workload.endpointSlices());
    for (int i = 0; i < workload.routeCount(); i++) {
      all.add(route(workload, i, 0, gateways));
    }
    return all;
  }

  static HTTPRoute route(Workload workload, int i, int revision, int gateways) {
    HTTPRoute route = workload.route(i, revision);
    route.getSpec().getParentRefs().get(0).setName(gatewayName(i % gateways));
    return route;
  }

  private static String gatewayName(int g) {
    return "gw-" + g;
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
