package io.gloo.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.watch.DirectorySource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Everything the translator produces for the golden corpus is something Envoy would accept. */
class EnvoyValidatorCorpusTest {

  private final SnapshotValidator validator = new SnapshotValidator();

  static Stream<String> cases() throws IOException {
    return GoldenFiles.cases();
  }

  private static TranslationResult translate(String name) throws IOException {
    ResourceSnapshot snapshot = DirectorySource.load(GoldenFiles.inputs(name), GoldenFiles.parser());
    return new Translator().translate(snapshot);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void goldenCaseHasNoFindings(String name) throws IOException {
    TranslationResult result = translate(name);
    assertFalse(result.gateways().isEmpty(), "no gateways in " + name);
    for (Map.Entry<ResourceKey, XdsResources> gw : result.gateways().entrySet()) {
      List<Finding> findings = validator.validate(gw.getValue());
      assertEquals(List.of(), findings.stream().map(Finding::message).toList(), name + " " + gw.getKey());
    }
  }

  /** Rough cost at 10,000 routes (printed, not asserted): validation runs on every publish. */
  @Test
  void timingAtTenThousandRoutes() throws IOException {
    List<String> names = cases().toList();
    List<Route> routes = new ArrayList<>();
    Map<String, io.envoyproxy.envoy.config.cluster.v3.Cluster> clusters = new java.util.TreeMap<>();
    Map<String, io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment> endpoints = new java.util.TreeMap<>();
    XdsResources base = null;
    for (String name : names) {
      for (XdsResources r : translate(name).gateways().values()) {
        if (base == null) {
          base = r;
        }
        r.clusters().forEach(c -> clusters.put(c.getName(), c));
        r.endpoints().forEach(e -> endpoints.put(e.getClusterName(), e));
        for (RouteConfiguration rc : r.routes()) {
          for (VirtualHost vh : rc.getVirtualHostsList()) {
            routes.addAll(vh.getRoutesList());
          }
        }
      }
    }
    RouteConfiguration.Builder big = base.routes().get(0).toBuilder().clearVirtualHosts();
    int n = 0;
    for (int v = 0; n < 10_000; v++) {
      VirtualHost.Builder vh = VirtualHost.newBuilder().setName("vh" + v).addDomains("host" + v + ".example.com");
      for (int i = 0; i < 100 && n < 10_000; i++, n++) {
        vh.addRoutes(routes.get(n % routes.size()));
      }
      big.addVirtualHosts(vh);
    }
    List<RouteConfiguration> configs = new ArrayList<>(base.routes());
    configs.set(0, big.build());
    XdsResources large = new XdsResources(base.listeners(), configs, List.copyOf(clusters.values()),
        List.copyOf(endpoints.values()), List.of());

    List<Finding> findings = List.of();
    long best = Long.MAX_VALUE;
    for (int round = 0; round < 15; round++) {
      long start = System.nanoTime();
      findings = validator.validate(large);
      best = Math.min(best, System.nanoTime() - start);
    }
    List<Finding> last = findings;
    assertEquals(0, findings.size(), () -> last.subList(0, Math.min(5, last.size())).toString());
    long constraintsOnly = Long.MAX_VALUE;
    long semanticOnly = Long.MAX_VALUE;
    for (int round = 0; round < 15; round++) {
      long start = System.nanoTime();
      validator.constraints().validate(large.routes().get(0));
      long mid = System.nanoTime();
      SemanticChecks.check(large);
      constraintsOnly = Math.min(constraintsOnly, mid - start);
      semanticOnly = Math.min(semanticOnly, System.nanoTime() - mid);
    }
    System.out.printf("[validate] %d routes in %d virtual hosts: best of 15 = %.1f ms"
        + " (proto constraints of the big RouteConfiguration %.1f ms, semantic checks %.1f ms)%n", n,
        big.getVirtualHostsCount(), best / 1e6, constraintsOnly / 1e6, semanticOnly / 1e6);
  }
}
