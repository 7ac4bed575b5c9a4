package io.gloo.core.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.snapshot.SnapshotError;
import io.gloo.core.snapshot.SnapshotPublisher;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.policy.PluginInvoker;
import io.gloo.core.translate.policy.PolicyCatalog;
import io.gloo.core.translate.policy.RegisteredKind;
import io.gloo.core.translate.policy.TestPolicyKinds;
import io.gloo.core.translate.xds.PolicyApplier;
import io.gloo.core.watch.KindRegistry;
import io.gloo.core.watch.ManifestParser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
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
 * Random edit sequences against a long-lived translator and publisher: after every edit (a route edited, added or
 * removed; a Service or EndpointSlice changed; a ReferenceGrant or BackendTLSPolicy added or removed; a Gateway's
 * listeners or a Namespace's labels changed; a plugin policy attached, detached or changed; an object replaced by
 * an equal copy), the incremental translation must equal a fresh translator's, and the long-lived publisher must
 * reach the same verdict and versions as a fresh one.
 */
class IncrementalTranslationPropertyTest {

  private static final String GROUP = TestPolicyKinds.GROUP;
  private static final int STEPS = 300;

  private static SimpleMeterRegistry metrics;
  private static PluginInvoker invoker;
  private static PolicyCatalog catalog;
  private static ManifestParser parser;

  @BeforeAll
  static void setUp() {
    metrics = new SimpleMeterRegistry();
    invoker = new PluginInvoker(Duration.ofSeconds(5), metrics);
    catalog = new PolicyCatalog(List.of(
        new RegisteredKind("test", new TestPolicyKinds.Headers("Headers", false),
            IncrementalTranslationPropertyTest.class.getClassLoader())));
    KindRegistry kinds = KindRegistry.withBuiltins();
    kinds.register(GROUP + "/v1", "Headers", GenericKubernetesResource.class, true);
    // golden inputs, some CRD-invalid on purpose: no admission (see GoldenFiles.parser)
    parser = new ManifestParser(kinds, new io.fabric8.kubernetes.client.utils.KubernetesSerialization(),
        io.gloo.core.admission.Admission.servedVersionsOnly());
  }

  @AfterAll
  static void tearDown() {
    invoker.close();
    metrics.close();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2})
  void randomEditsTranslateAndPublishAsFromScratch(long seed) {
    World world = new World(new Random(seed));
    Translator incremental = new Translator(catalog, invoker, PolicyApplier.OutputCheck.NONE);
    SnapshotPublisher longLived = new SnapshotPublisher(new SimpleMeterRegistry());
    Map<String, VirtualHost> previousVhosts = new LinkedHashMap<>();
    int reusedVhosts = 0;
    List<String> log = new ArrayList<>();
    for (int step = 0; step < STEPS; step++) {
      log.add(world.edit());
      ResourceSnapshot snapshot = ResourceSnapshot.of(world.resources(), List.of());
      TranslationResult actual = incremental.translate(snapshot);
      TranslationResult expected;
      try (Translator fresh = new Translator(catalog, invoker, PolicyApplier.OutputCheck.NONE)) {
        expected = fresh.translate(snapshot);
      }
      String where = "seed " + seed + " step " + step + " after " + log.subList(Math.max(0, log.size() - 5),
          log.size());
      assertEquals(TranslationJson.render(expected).toPrettyString(), TranslationJson.render(actual).toPrettyString(),
          where);

      SnapshotPublisher freshPublisher = new SnapshotPublisher(new SimpleMeterRegistry());
      Map<ResourceKey, SnapshotPublisher.Result> freshResults = freshPublisher.publish(expected.gateways());
      Map<ResourceKey, SnapshotPublisher.Result> results = longLived.publish(actual.gateways());
      for (Map.Entry<ResourceKey, SnapshotPublisher.Result> e : freshResults.entrySet()) {
        ResourceKey gateway = e.getKey();
        SnapshotPublisher.Result result = results.get(gateway);
        if (e.getValue() == SnapshotPublisher.Result.PUBLISHED) {
          assertTrue(result == SnapshotPublisher.Result.PUBLISHED || result == SnapshotPublisher.Result.UNCHANGED,
              where + ": " + result);
          assertEquals(freshPublisher.current(gateway).orElseThrow().versions(),
              longLived.current(gateway).orElseThrow().versions(), where);
        } else {
          assertEquals(e.getValue(), result, where);
          assertEquals(freshPublisher.error(gateway).map(SnapshotError::message),
              longLived.error(gateway).map(SnapshotError::message), where);
        }
      }

      Map<String, VirtualHost> vhosts = new LinkedHashMap<>();
      for (XdsResources xds : actual.gateways().values()) {
        for (RouteConfiguration config : xds.routes()) {
          for (VirtualHost vh : config.getVirtualHostsList()) {
            if (previousVhosts.get(config.getName() + "/" + vh.getName()) == vh) {
              reusedVhosts++;
            }
            vhosts.put(config.getName() + "/" + vh.getName(), vh);
          }
        }
      }
      previousVhosts = vhosts;
    }
    // Most steps leave some virtual host alone (unless a Gateway-wide policy is attached: those are rebuilt).
    assertTrue(reusedVhosts > STEPS / 10, "the incremental path was exercised: " + reusedVhosts
        + " virtual hosts reused as instances");
  }

  /**
   * A small cluster of objects, each in a slot; an edit regenerates one slot (a new instance: same content for a
   * "touch", else new content or absent) and leaves every other object the same instance.
   */
  private static final class World {
    private final Random random;
    private final Map<String, Supplier<String>> generators = new LinkedHashMap<>();
    private final Map<String, HasMetadata> objects = new LinkedHashMap<>();
    private final Map<String, String> yaml = new LinkedHashMap<>();

    World(Random random) {
      this.random = random;
      generators.put("class", () -> """
          apiVersion: gateway.networking.k8s.io/v1
          kind: GatewayClass
          metadata: {name: gloo-gateway}
          spec: {controllerName: solo.io/gloo-gateway}
          """);
      generators.put("ns/app", () -> "apiVersion: v1\nkind: Namespace\nmetadata: {name: app, labels: {team: "
          + pick("a", "b") + "}}\n");
      generators.put("gateway/gw", this::gateway);
      generators.put("gateway/gw2", () -> maybe("""
          apiVersion: gateway.networking.k8s.io/v1
          kind: Gateway
          metadata: {name: gw2, namespace: infra}
          spec:
            gatewayClassName: someone-else
            listeners: [{name: http, protocol: HTTP, port: 80}]
          """));
      for (String svc : List.of("app/s0", "app/s1", "app/s2", "other/s3")) {
        generators.put("service/" + svc, () -> service(svc));
        generators.put("slice/" + svc, () -> slice(svc));
      }
      generators.put("grant/other", this::grant);
      generators.put("backendtls/app/s1", () -> maybe("""
          apiVersion: gateway.networking.k8s.io/v1
          kind: BackendTLSPolicy
          metadata: {name: s1-tls, namespace: app}
          spec:
            targetRefs: [{group: "", kind: Service, name: s1}]
            validation: {wellKnownCACertificates: System, hostname: s1.example.com}
          """));
      generators.put("policy/app/targeted", () -> maybe("apiVersion: " + GROUP + "/v1\nkind: Headers\n"
          + "metadata: {name: targeted, namespace: app}\nspec:\n  targetRefs: [{group: gateway.networking.k8s.io, "
          + "kind: HTTPRoute, name: r" + random.nextInt(10) + "}]\n  options: {headers: {x-targeted: v"
          + random.nextInt(3) + "}}\n"));
      generators.put("policy/app/ext", () -> maybe("apiVersion: " + GROUP + "/v1\nkind: Headers\n"
          + "metadata: {name: ext, namespace: app}\nspec:\n  options: {headers: {x-ext: v" + random.nextInt(3)
          + "}}\n"));
      generators.put("policy/infra/vhost", () -> maybe("apiVersion: " + GROUP + "/v1\nkind: Headers\n"
          + "metadata: {name: vhost, namespace: infra}\nspec:\n  targetRefs: [{group: gateway.networking.k8s.io, "
          + "kind: Gateway, name: gw}]\n  options: {headers: {x-vhost: v" + random.nextInt(3) + "}}\n"));
      for (int i = 0; i < 12; i++) {
        String ns = i < 10 ? "app" : "other";
        int index = i;
        generators.put("route/" + ns + "/r" + i, () -> httpRoute(ns, "r" + index));
      }
      for (int i = 0; i < 2; i++) {
        int index = i;
        generators.put("grpcroute/app/g" + i, () -> grpcRoute("g" + index));
      }
      for (String slot : generators.keySet()) {
        regenerate(slot);
      }
    }

    List<HasMetadata> resources() {
      return new ArrayList<>(objects.values());
    }

    /** One random edit; says what it did. */
    String edit() {
      List<String> slots = new ArrayList<>(generators.keySet());
      String slot = slots.get(random.nextInt(slots.size()));
      int kind = random.nextInt(10);
      if (kind == 0) {
        return "nothing";
      }
      if (kind <= 2 && yaml.get(slot) != null) {
        put(slot, yaml.get(slot)); // an equal copy: a new instance
        return "touch " + slot;
      }
      regenerate(slot);
      return (yaml.get(slot) == null ? "remove " : "change ") + slot;
    }

    private void regenerate(String slot) {
      put(slot, generators.get(slot).get());
    }

    private void put(String slot, String content) {
      yaml.put(slot, content);
      if (content == null) {
        objects.remove(slot);
        return;
      }
      ManifestParser.Result parsed = parser.parse(slot, content);
      assertTrue(parsed.problems().isEmpty(), slot + ": " + parsed.problems() + "\n" + content);
      assertEquals(1, parsed.resources().size(), content);
      objects.put(slot, parsed.resources().get(0));
    }

    private String pick(String... options) {
      return options[random.nextInt(options.length)];
    }

    /** Absent one time in four. */
    private String maybe(String content) {
      return random.nextInt(4) == 0 ? null : content;
    }

    private String gateway() {
      String listeners = pick(
          "[{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}]",
          "[{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}, "
              + "{name: api, protocol: HTTP, port: 80, hostname: api.example.com, "
              + "allowedRoutes: {namespaces: {from: All}}}]",
          "[{name: http, protocol: HTTP, port: 80}]",
          "[{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: Selector, "
              + "selector: {matchLabels: {team: a}}}}}, {name: web, protocol: HTTP, port: 8080, "
              + "allowedRoutes: {namespaces: {from: All}, kinds: [{kind: GRPCRoute}]}}]",
          "[{name: http, protocol: HTTP, port: 80, hostname: \"*.example.com\", "
              + "allowedRoutes: {namespaces: {from: All}}}, {name: https, protocol: HTTPS, port: 443, "
              + "tls: {certificateRefs: [{name: missing-cert}]}, allowedRoutes: {namespaces: {from: All}}}]",
          "[{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}, "
              + "{name: alt, protocol: HTTP, port: 8080, allowedRoutes: {namespaces: {from: All}}}]");
      return "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: infra}\n"
          + "spec:\n  gatewayClassName: gloo-gateway\n  listeners: " + listeners + "\n";
    }

    private String service(String nsName) {
      String[] parts = nsName.split("/");
      String ports = pick("[{name: http, port: 80}]", "[{name: http, port: 80, appProtocol: kubernetes.io/h2c}]",
          "[{name: http, port: 80, appProtocol: kubernetes.io/ws}]", "[{name: http, port: 8080}]");
      return maybe("apiVersion: v1\nkind: Service\nmetadata: {name: " + parts[1] + ", namespace: " + parts[0]
          + "}\nspec: {ports: " + ports + "}\n");
    }

    private String slice(String nsName) {
      String[] parts = nsName.split("/");
      StringBuilder endpoints = new StringBuilder("[");
      int n = random.nextInt(4);
      for (int e = 0; e < n; e++) {
        endpoints.append(e == 0 ? "" : ", ").append("{addresses: [10.0.").append(random.nextInt(3)).append('.')
            .append(e + 1).append("], conditions: {ready: ").append(random.nextInt(4) != 0).append("}}");
      }
      endpoints.append(']');
      return maybe("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: " + parts[1]
          + "-x, namespace: " + parts[0] + ", labels: {kubernetes.io/service-name: " + parts[1] + "}}\n"
          + "addressType: IPv4\nports: [{name: http, port: 8080}]\nendpoints: " + endpoints + "\n");
    }

    private String grant() {
      String from = pick("[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: app}]",
          "[{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: app}, "
              + "{group: gateway.networking.k8s.io, kind: GRPCRoute, namespace: app}]");
      return maybe("apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\n"
          + "metadata: {name: allow-app, namespace: other}\nspec:\n  from: " + from + "\n"
          + "  to: [{group: \"\", kind: Service}]\n");
    }

    private String httpRoute(String ns, String name) {
      String parents = pick("[{name: gw, namespace: infra}]", "[{name: gw, namespace: infra, sectionName: http}]",
          "[{name: gw, namespace: infra, port: 8080}]", "[{name: gw2, namespace: infra}]",
          "[{name: ghost, namespace: infra}]",
          "[{name: gw, namespace: infra, sectionName: http}, {name: gw, namespace: infra, sectionName: api}]");
      String hostnames = pick("", "  hostnames: [a.example.com]\n", "  hostnames: [api.example.com]\n",
          "  hostnames: [a.example.com, api.example.com]\n", "  hostnames: [\"*.example.com\"]\n");
      StringBuilder rules = new StringBuilder();
      int count = 1 + random.nextInt(2);
      for (int r = 0; r < count; r++) {
        rules.append("    - matches: ").append(pick(
            "[{path: {type: PathPrefix, value: /p" + random.nextInt(4) + "}}]",
            "[{path: {type: Exact, value: /p" + random.nextInt(4) + "}, headers: [{name: x-h, value: v}]}]",
            "[{path: {type: RegularExpression, value: \"/r[0-9]+\"}}]",
            "[]",
            "[{path: {type: PathPrefix, value: /a}, method: GET}, {queryParams: [{name: q, value: \"1\"}]}]"))
            .append('\n');
        rules.append("      filters: ").append(pick("[]", "[]", "[]",
            "[{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-a, value: b}]}}]",
            "[{type: RequestRedirect, requestRedirect: {port: 8443}}]",
            "[{type: RequestRedirect, requestRedirect: {}}]",
            "[{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /x}}}]",
            "[{type: RequestMirror, requestMirror: {backendRef: {name: s2, port: 80}}}]",
            "[{type: ExtensionRef, extensionRef: {group: " + GROUP + ", kind: Headers, name: ext}}]",
            "[{type: ExtensionRef, extensionRef: {group: nobody.io, kind: Nothing, name: x}}]",
            "[{type: Bogus}]")).append('\n');
        rules.append("      backendRefs: ").append(pick("[{name: s0, port: 80}]", "[{name: s1, port: 80}]",
            "[{name: s2, port: 80}]", "[{name: s3, namespace: other, port: 80}]", "[{name: missing, port: 80}]",
            "[{name: s0, port: 81}]", "[{name: s0, port: 80, weight: 3}, {name: s2, port: 80, weight: 1}]", "[]",
            "[{group: nobody.io, kind: Unknown, name: x}]")).append('\n');
      }
      return maybe("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: " + name
          + ", namespace: " + ns + ", creationTimestamp: \"2026-01-0" + (1 + random.nextInt(3)) + "T00:00:00Z\"}\n"
          + "spec:\n  parentRefs: " + parents + "\n" + hostnames + "  rules:\n" + rules);
    }

    private String grpcRoute(String name) {
      return maybe("apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata: {name: " + name
          + ", namespace: app}\nspec:\n  parentRefs: " + pick("[{name: gw, namespace: infra}]",
              "[{name: gw, namespace: infra, port: 8080}]") + "\n"
          + pick("", "  hostnames: [a.example.com]\n") + "  rules:\n    - matches: "
          + pick("[{method: {service: pkg.Svc, method: Get}}]", "[{method: {service: pkg.Svc}}]", "[]") + "\n"
          + "      backendRefs: " + pick("[{name: s0, port: 80}]", "[{name: s3, namespace: other, port: 80}]",
              "[{name: s1, port: 80}]") + "\n");
    }
  }
}
