package io.gloo.core.translate.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.VirtualHostIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.gatewayapi.GatewayApiTranslator;
import io.gloo.core.translate.policy.PluginInvoker;
import io.gloo.core.translate.policy.PolicyCatalog;
import io.gloo.core.translate.policy.PolicyReports;
import io.gloo.core.translate.policy.PolicyResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a change re-translates ({@link EdgePlans}): only the VirtualServices whose delegation trees include a changed
 * RouteTable, or whose selectors select it now; every other keeps its virtual host IR instance (and so its protos).
 */
class EdgePlansTest {

  private static final int VIRTUAL_SERVICES = 20; // two per namespace: vs-3 and vs-13 share ns-3
  private static PluginInvoker invoker;

  private final EdgeWorkload workload = new EdgeWorkload(VIRTUAL_SERVICES, 5);
  private final EdgeTranslator translator = new EdgeTranslator();
  private final List<HasMetadata> resources = new ArrayList<>(workload.resources());

  @BeforeAll
  static void setUp() {
    invoker = new PluginInvoker();
  }

  @AfterAll
  static void tearDown() {
    invoker.close();
  }

  /** Virtual hosts by name, from one translation of {@link #resources}. */
  private Map<String, VirtualHostIR> translate() {
    ResourceSnapshot snapshot = ResourceSnapshot.of(resources, List.of());
    PolicyResolver policies = PolicyResolver.of(snapshot, PolicyCatalog.EMPTY, invoker, new PolicyReports());
    EdgeTranslator.Result result = translator.translate(snapshot, policies,
        new GatewayApiTranslator().translate(snapshot, policies).lookup());
    Map<String, VirtualHostIR> hosts = new TreeMap<>();
    result.proxies().forEach(p -> p.listeners().forEach(l -> l.virtualHosts().forEach(h -> hosts.put(h.name(), h))));
    return hosts;
  }

  /** The virtual hosts that are not the same instances as before. */
  private static Set<String> translatedAgain(Map<String, VirtualHostIR> before, Map<String, VirtualHostIR> after) {
    assertEquals(before.keySet(), after.keySet());
    Set<String> out = new TreeSet<>();
    after.forEach((name, host) -> {
      if (before.get(name) != host) {
        out.add(name);
      }
    });
    return out;
  }

  private void replace(HasMetadata next) {
    ResourceKey key = ResourceKey.of(next);
    resources.replaceAll(r -> ResourceKey.of(r).equals(key) ? next : r);
  }

  @Test
  void aChangedRouteTableRetranslatesOnlyItsVirtualServiceAndKeepsItsOtherRoutes() {
    Map<String, VirtualHostIR> before = translate();
    replace(workload.routeTable(3, 2, 1));
    Map<String, VirtualHostIR> after = translate();

    assertEquals(Set.of("ns-3_vs-3"), translatedAgain(before, after));
    List<RouteIR> old = before.get("ns-3_vs-3").routes();
    List<RouteIR> now = after.get("ns-3_vs-3").routes();
    assertEquals(old.size(), now.size());
    int kept = 0;
    for (RouteIR route : now) {
      kept += old.stream().anyMatch(r -> r == route) ? 1 : 0;
    }
    assertEquals(now.size() - 1, kept, "every route but the changed one keeps its instance");
    assertEquals(Set.of(), translatedAgain(after, translate()), "nothing changed: everything replayed");
  }

  @Test
  void aRelabelledTableRetranslatesTheVirtualServicesThatSelectedItAndThoseThatSelectItNow() {
    Map<String, VirtualHostIR> before = translate();
    GenericKubernetesResource moved = workload.routeTable(3, 2, 0);
    moved.getMetadata().setLabels(Map.of("vs", "vs-13"));
    replace(moved);
    Map<String, VirtualHostIR> after = translate();

    assertEquals(Set.of("ns-3_vs-3", "ns-3_vs-13"), translatedAgain(before, after));
    assertEquals(before.get("ns-3_vs-3").routes().size() - 2, after.get("ns-3_vs-3").routes().size());
  }

  @Test
  void aRemovedServiceRetranslatesTheVirtualServicesRoutingToIt() {
    Map<String, VirtualHostIR> before = translate();
    // svc-0 of ns-3 serves table t of VirtualService v when (5v + t) % 5 == 0: table 0 of vs-3 and of vs-13
    resources.removeIf(r -> r.getKind().equals("Service") && r.getMetadata().getNamespace().equals("ns-3")
        && r.getMetadata().getName().equals("svc-0"));
    Map<String, VirtualHostIR> after = translate();

    assertEquals(Set.of("ns-3_vs-3", "ns-3_vs-13"), translatedAgain(before, after));
  }
}
