package io.gloo.core.translate.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gloo.core.ir.GatewayIR;
import io.gloo.core.ir.ListenerIR;
import io.gloo.core.ir.VirtualHostIR;
import io.gloo.core.snapshot.SnapshotPublisher;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationJson;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.translate.gatewayapi.GatewayApiTranslator;
import io.gloo.core.translate.policy.PluginInvoker;
import io.gloo.core.translate.policy.PolicyCatalog;
import io.gloo.core.translate.policy.PolicyReports;
import io.gloo.core.translate.policy.PolicyResolver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random edit sequences over an {@link EdgeWorkload} against a long-lived Edge translator, which replays the plans
 * of the VirtualServices a change does not reach ({@link EdgePlans}). After every edit — a RouteTable's route,
 * weight or labels changed (moving it to another VirtualService), a table removed or restored, a child route outside
 * its parent's prefix, a table or VirtualService with an error (its last accepted version keeps serving), nested
 * delegation by ref (cycles included), selection by expressions or in every namespace, a domain conflict, options
 * without a plugin, a missing or changed Service or EndpointSlice, an UpstreamGroup, an equal copy — the
 * incremental result must equal a translation of every VirtualService from scratch by a translator with the same
 * history (last accepted versions), proxies and statuses alike; and, when no Edge resource is rejected (so history
 * does not matter), the whole pipeline's output and the publisher's versions must equal a fresh translator's.
 */
class EdgeIncrementalPropertyTest {

  private static final int STEPS = 200;
  private static final int VIRTUAL_SERVICES = 12;
  private static final KubernetesSerialization KUBE = new KubernetesSerialization();

  private static PluginInvoker invoker;

  @BeforeAll
  static void setUp() {
    invoker = new PluginInvoker();
  }

  @AfterAll
  static void tearDown() {
    invoker.close();
  }

  private record Edge(List<GatewayIR> proxies, Map<ResourceKey, Object> statuses) {}

  private static Edge edge(EdgeTranslator translator, ResourceSnapshot snapshot) {
    PolicyResolver policies = PolicyResolver.of(snapshot, PolicyCatalog.EMPTY, invoker, new PolicyReports());
    GatewayApiTranslator.Result gatewayApi = new GatewayApiTranslator().translate(snapshot, policies);
    EdgeTranslator.Result result = translator.translate(snapshot, policies, gatewayApi.lookup());
    return new Edge(result.proxies(), result.statuses(new HashMap<>(), new HashMap<>(), List.of()));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2})
  void randomEditsTranslateAsFromScratch(long seed) {
    World world = new World(new Random(seed));
    EdgeTranslator incremental = new EdgeTranslator();
    EdgeTranslator scratch = new EdgeTranslator(false);
    Translator pipeline = new Translator();
    SnapshotPublisher publisher = new SnapshotPublisher(new SimpleMeterRegistry());
    Map<String, VirtualHostIR> previousHosts = new HashMap<>();
    Map<String, VirtualHost> previousProtos = new HashMap<>();
    int reusedHosts = 0;
    int reusedProtos = 0;
    int historyFree = 0;
    List<String> log = new ArrayList<>();
    for (int step = 0; step < STEPS; step++) {
      log.add(step % 20 == 19 ? world.heal() : world.edit());
      String where = "seed " + seed + " step " + step + " after " + log.subList(Math.max(0, log.size() - 6),
          log.size());
      ResourceSnapshot snapshot = ResourceSnapshot.of(world.resources(), List.of());

      Edge expected = edge(scratch, snapshot);
      Edge actual = edge(incremental, snapshot);
      assertEquals(expected.statuses(), actual.statuses(), where);
      assertEquals(expected.proxies(), actual.proxies(), where);

      Map<String, VirtualHostIR> hosts = new HashMap<>();
      for (GatewayIR proxy : actual.proxies()) {
        for (ListenerIR listener : proxy.listeners()) {
          for (VirtualHostIR host : listener.virtualHosts()) {
            String name = listener.name() + "/" + host.name();
            reusedHosts += previousHosts.get(name) == host ? 1 : 0;
            hosts.put(name, host);
          }
        }
      }
      previousHosts = hosts;

      TranslationResult served = pipeline.translate(snapshot);
      Map<ResourceKey, SnapshotPublisher.Result> published = publisher.publish(served.gateways());
      boolean rejected = actual.statuses().values().stream().anyMatch(s -> s.toString().contains("Rejected"));
      if (!rejected) {
        historyFree++;
        try (Translator fresh = new Translator()) {
          TranslationResult reference = fresh.translate(snapshot);
          assertEquals(TranslationJson.render(reference).toPrettyString(),
              TranslationJson.render(served).toPrettyString(), where);
          SnapshotPublisher freshPublisher = new SnapshotPublisher(new SimpleMeterRegistry());
          Map<ResourceKey, SnapshotPublisher.Result> freshResults = freshPublisher.publish(reference.gateways());
          for (Map.Entry<ResourceKey, SnapshotPublisher.Result> e : freshResults.entrySet()) {
            if (e.getValue() == SnapshotPublisher.Result.PUBLISHED) {
              SnapshotPublisher.Result result = published.get(e.getKey());
              assertTrue(result == SnapshotPublisher.Result.PUBLISHED || result == SnapshotPublisher.Result.UNCHANGED,
                  where + ": " + result);
              assertEquals(freshPublisher.current(e.getKey()).orElseThrow().versions(),
                  publisher.current(e.getKey()).orElseThrow().versions(), where);
            }
          }
        }
      }
      Map<String, VirtualHost> protos = new HashMap<>();
      for (XdsResources xds : served.gateways().values()) {
        for (RouteConfiguration config : xds.routes()) {
          for (VirtualHost vh : config.getVirtualHostsList()) {
            String name = config.getName() + "/" + vh.getName();
            reusedProtos += previousProtos.get(name) == vh ? 1 : 0;
            protos.put(name, vh);
          }
        }
      }
      previousProtos = protos;
    }
    // most edits leave most VirtualServices alone: their IR and protos are reused as instances
    assertTrue(reusedHosts > STEPS * VIRTUAL_SERVICES / 4, "virtual hosts reused as instances: " + reusedHosts);
    assertTrue(reusedProtos > STEPS * VIRTUAL_SERVICES / 4, "virtual host protos reused: " + reusedProtos);
    assertTrue(historyFree > STEPS / 10, "steps compared with a fresh pipeline: " + historyFree);
  }

  /**
   * The workload's objects, each in a slot; an edit regenerates one slot (new content, or absent) or replaces its
   * object by an equal copy, and leaves every other object the same instance. Content changes bump the generation.
   */
  private static final class World {
    private final Random random;
    private final EdgeWorkload workload = new EdgeWorkload(VIRTUAL_SERVICES, 3);
    private final Map<String, Supplier<HasMetadata>> generators = new LinkedHashMap<>();
    private final Map<String, HasMetadata> objects = new LinkedHashMap<>();
    private final Map<String, Long> generations = new HashMap<>();

    World(Random random) {
      this.random = random;
      for (int n = 0; n < 2; n++) {
        int ns = n;
        for (int s = 0; s < 3; s++) {
          int svc = s;
          generators.put("service/" + n + "/" + s, () -> maybe(EdgeWorkload.service("ns-" + ns, svc)));
          generators.put("slice/" + n + "/" + s, () -> EdgeWorkload.endpointSlice(ns, svc, 1 + random.nextInt(3)));
        }
        generators.put("upstreamgroup/" + n, () -> maybe(EdgeWorkload.resource("gloo.solo.io/v1", "UpstreamGroup",
            "ug", "ns-" + ns, Map.of(), Map.of("destinations", List.of(
                Map.of("weight", 1 + random.nextInt(3), "destination", kube(random.nextInt(4))),
                Map.of("weight", 1, "destination", kube(1)))))));
      }
      for (int v = 0; v < VIRTUAL_SERVICES; v++) {
        int vs = v;
        generators.put("vs/" + v, () -> virtualService(vs));
        for (int t = 0; t < EdgeWorkload.TABLES_PER_SERVICE; t++) {
          int table = t;
          generators.put("rt/" + v + "/" + t, () -> routeTable(vs, table));
        }
      }
      // the workload as it is, except for the first namespace's Services (the rest of the pool is never edited)
      for (HasMetadata r : workload.resources()) {
        String ns = r.getMetadata().getNamespace();
        if (!(r instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource)
            && (ns.equals("ns-0") || ns.equals("ns-1"))) {
          continue;
        }
        objects.put("base/" + r.getKind() + "/" + ns + "/" + r.getMetadata().getName(), r);
      }
      objects.keySet().removeIf(k -> k.contains("/VirtualService/") || k.contains("/RouteTable/"));
      for (String slot : generators.keySet()) {
        put(slot, slot.startsWith("rt/") || slot.startsWith("vs/") ? plain(slot) : generators.get(slot).get());
      }
    }

    private HasMetadata plain(String slot) {
      String[] p = slot.split("/");
      return p[0].equals("vs") ? workload.virtualService(Integer.parseInt(p[1]))
          : workload.routeTable(Integer.parseInt(p[1]), Integer.parseInt(p[2]), 0);
    }

    List<HasMetadata> resources() {
      return new ArrayList<>(objects.values());
    }

    String edit() {
      List<String> slots = new ArrayList<>(generators.keySet());
      String slot = slots.get(random.nextInt(slots.size()));
      int kind = random.nextInt(10);
      if (kind == 0) {
        return "nothing";
      }
      if (kind == 1 && objects.get(slot) != null) {
        objects.put(slot, KUBE.clone(objects.get(slot))); // an equal copy: a new instance
        return "touch " + slot;
      }
      if (kind == 2) {
        put(slot, slot.startsWith("rt/") || slot.startsWith("vs/") ? plain(slot) : generators.get(slot).get());
        return "restore " + slot;
      }
      put(slot, generators.get(slot).get());
      return (objects.get(slot) == null ? "remove " : "change ") + slot;
    }

    /** Every VirtualService and RouteTable back to the workload's (a change of many at once): none rejected. */
    String heal() {
      for (String slot : generators.keySet()) {
        if (slot.startsWith("rt/") || slot.startsWith("vs/")) {
          put(slot, plain(slot));
        }
      }
      return "heal";
    }

    private void put(String slot, HasMetadata object) {
      if (object == null) {
        objects.remove(slot);
        return;
      }
      object.getMetadata().setGeneration(generations.merge(slot, 1L, Long::sum));
      objects.put(slot, object);
    }

    private <T> T maybe(T object) {
      return random.nextInt(4) == 0 ? null : object;
    }

    private static Map<String, Object> kube(int service) {
      return Map.of("kube", Map.of("ref", Map.of("name", "svc-" + service), "port", 80));
    }

    private HasMetadata virtualService(int v) {
      String ns = EdgeWorkload.namespace(v);
      Map<String, Object> selector = switch (random.nextInt(5)) {
        case 0 -> Map.of("expressions", List.of(Map.of("key", "vs", "operator", "In",
            "values", List.of("vs-" + v, "vs-" + (v + 10) % VIRTUAL_SERVICES))));
        case 1 -> Map.of("labels", Map.of("vs", "vs-" + v), "namespaces", List.of("*"));
        case 2 -> Map.of("labels", Map.of("vs", "vs-" + v, "tier", "gold"));
        default -> Map.of("labels", Map.of("vs", "vs-" + v));
      };
      Map<String, Object> delegate = random.nextInt(6) == 0
          ? Map.of("matchers", List.of(Map.of("prefix", "/api-" + v)),
              "delegateAction", Map.of("ref", Map.of("name", "rt-" + v + "-" + random.nextInt(5))))
          : Map.of("matchers", List.of(Map.of("prefix", "/api-" + v)), "delegateAction", Map.of("selector", selector));
      List<Object> routes = new ArrayList<>(List.of(delegate, Map.of("matchers", List.of(Map.of("exact", "/health")),
          "directResponseAction", Map.of("status", random.nextInt(12) == 0 ? 999 : 200, "body", "ok"))));
      if (random.nextInt(6) == 0) {
        routes.add(Map.of("matchers", List.of(Map.of("prefix", "/opt")), "directResponseAction",
            Map.of("status", 200), "options", random.nextBoolean() ? Map.of("prefixRewrite", "/x")
                : Map.of("extauth", Map.of("disable", false))));
      }
      String domain = random.nextInt(8) == 0 ? "app-0.example.com" : "app-" + v + ".example.com";
      return EdgeWorkload.resource("VirtualService", "vs-" + v, ns, Map.of(),
          Map.of("virtualHost", Map.of("domains", List.of(domain), "routes", routes)));
    }

    private HasMetadata routeTable(int v, int t) {
      String prefix = "/api-" + v + "/t" + t;
      Map<String, String> labels = switch (random.nextInt(8)) {
        case 0 -> Map.of("vs", "vs-" + (v + 1) % VIRTUAL_SERVICES);
        case 1 -> Map.of("vs", "vs-" + (v + 10) % VIRTUAL_SERVICES);
        case 2 -> Map.of("vs", "vs-" + v, "tier", "gold");
        default -> Map.of("vs", "vs-" + v);
      };
      Map<String, Object> destination = switch (random.nextInt(6)) {
        case 0 -> Map.of("kube", Map.of("ref", Map.of("name", "svc-9"), "port", 80));
        case 1 -> Map.of("upstreamGroup", Map.of("name", "ug"));
        default -> kube(random.nextInt(3));
      };
      Map<String, Object> forward = Map.of("matchers", List.of(Map.of("prefix", prefix + "/svc-" + random.nextInt(3))),
          "routeAction", destination.containsKey("upstreamGroup") ? destination : Map.of("single", destination));
      List<Object> routes = new ArrayList<>(List.of(forward));
      switch (random.nextInt(10)) {
        case 0 -> routes.add(Map.of("matchers", List.of(Map.of("prefix", "/elsewhere")),
            "directResponseAction", Map.of("status", 204)));
        case 1 -> routes.add(Map.of("matchers", List.of(Map.of("prefix", prefix + "/bad")),
            "directResponseAction", Map.of("status", random.nextBoolean() ? 999 : 204)));
        case 2 -> routes.add(Map.of("matchers", List.of(Map.of("prefix", prefix + "/nested")),
            "delegateAction", Map.of("ref", Map.of("name", "rt-" + v + "-" + random.nextInt(5)))));
        case 3 -> routes.add(Map.of("matchers", List.of(Map.of("prefix", prefix + "/opt")),
            "directResponseAction", Map.of("status", 200), "options", Map.of("prefixRewrite", "/y")));
        default -> routes.add(Map.of("matchers", List.of(Map.of("prefix", prefix + "/static")),
            "directResponseAction", Map.of("status", 204)));
      }
      return EdgeWorkload.resource("RouteTable", "rt-" + v + "-" + t, EdgeWorkload.namespace(v), labels,
          Map.of("weight", random.nextInt(4) == 0 ? 0 : t, "routes", routes));
    }
  }
}
