package io.gloo.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.util.ArrayList;
import java.util.List;

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

  public static void main(String[] args) {
    int gateways = args.length > 0 ? Integer.parseInt(args[0]) : 2_500;
    int routes = args.length > 1 ? Integer.parseInt(args[1]) : 40_000;
    int fulls = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int changes = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    Workload workload = new Workload(routes);
    int changed = routes / 2 + 7;
    new ScaleRun(String.format("%d HTTPRoutes over %d Gateways", routes, gateways), resources(workload, gateways))
        .change("one-route change", r -> route(workload, changed, r, gateways))
        .run(fulls, changes);
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
}
