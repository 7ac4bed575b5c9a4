package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.gloo.core.report.KubernetesStatusWriter;
import io.gloo.core.report.Reporter;
import io.gloo.core.report.StatusReport;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.testing.Manifests;
import io.gloo.core.testing.MockKube;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KubernetesSource} and {@link KubernetesStatusWriter} on their own against the mock API server: namespace
 * scoping, plugin (generic) kinds, debouncing, and the Gloo-shape status of a policy kind.
 */
class KubeSourceTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String ROUTE_OPTION_API = "gateway.solo.io/v1";

  private KubernetesMockServer api;
  private KubernetesClient client;
  private KubernetesSource source;
  private final BlockingQueue<ResourceSnapshot> snapshots = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() {
    api = MockKube.start();
    client = api.createClient();
  }

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
    client.close();
    api.destroy();
  }

  private KindRegistry registryWithRouteOption() {
    KindRegistry kinds = KindRegistry.withBuiltins();
    kinds.register(ROUTE_OPTION_API, "RouteOption", GenericKubernetesResource.class, true);
    return kinds;
  }

  private GenericKubernetesResource routeOption(String namespace, String name) {
    return new GenericKubernetesResourceBuilder().withApiVersion(ROUTE_OPTION_API).withKind("RouteOption")
        .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of("options", Map.of("prefixRewrite", "/")))).build();
  }

  private void createRouteOption(KindRegistry kinds, String namespace, String name) {
    client.genericKubernetesResources(KubernetesSource.contextFor(
            kinds.lookup(ROUTE_OPTION_API, "RouteOption").orElseThrow()))
        .inNamespace(namespace).resource(routeOption(namespace, name)).create();
  }

  @Test
  void watchesOnlyTheGivenNamespacesButClusterScopedKindsEverywhere() throws Exception {
    KindRegistry kinds = registryWithRouteOption();
    for (String ns : List.of("a", "b")) {
      client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      client.resource(Manifests.gateway(ns, "gw", 8080)).create();
      createRouteOption(kinds, ns, "opt");
    }
    client.resource(Manifests.gatewayClass()).create();

    source = new KubernetesSource(client, kinds, Set.of("a"), Duration.ofMillis(50), WAIT);
    source.start(snapshots::add);
    ResourceSnapshot first = snapshots.poll(1, TimeUnit.SECONDS);
    assertEquals(first, source.current(), "the first snapshot is delivered before start returns");
    assertEquals(Set.of("Namespace//a", "Namespace//b", "GatewayClass//gloo-gateway", "Gateway/a/gw",
        "RouteOption/a/opt"), keys(first));
    assertTrue(first.list(GenericKubernetesResource.class).get(0).getAdditionalProperties().containsKey("spec"));
    assertNull(source.notReadyReason());
    assertTrue(source.describe().contains("namespaces a"), source.describe());

    // A change in a watched namespace arrives; one in another namespace does not.
    client.resource(Manifests.gateway("b", "gw2", 8080)).create();
    client.resource(Manifests.gateway("a", "gw2", 8080)).create();
    ResourceSnapshot next = awaitSnapshot(s -> keys(s).contains("Gateway/a/gw2"));
    assertFalse(keys(next).contains("Gateway/b/gw2"));
    // Deletion of a plugin-kind object.
    client.genericKubernetesResources(KubernetesSource.contextFor(
            kinds.lookup(ROUTE_OPTION_API, "RouteOption").orElseThrow()))
        .inNamespace("a").withName("opt").delete();
    awaitSnapshot(s -> !keys(s).contains("RouteOption/a/opt"));
  }

  /**
   * The Secret informers ask the API server to leave out the unread types (a {@code type!=} field selector per
   * type); the mock server does not evaluate field selectors, so the requests it received are what is checked.
   */
  @Test
  void serviceAccountTokensAndOtherUnreadSecretTypesAreNotRequested() throws Exception {
    client.resource(secret("a", "cert", "kubernetes.io/tls")).create();
    for (Set<String> namespaces : List.of(Set.<String>of(), Set.of("a", "b"))) {
      source = new KubernetesSource(client, KindRegistry.withBuiltins(), namespaces, Duration.ofMillis(50), WAIT);
      source.start(snapshots::add);
      assertTrue(keys(source.current()).contains("Secret/a/cert"), String.valueOf(keys(source.current())));
      source.close();
      source = null;
    }
    List<String> secretRequests = new ArrayList<>();
    for (var r = api.takeRequest(1, TimeUnit.SECONDS); r != null; r = api.takeRequest(100, TimeUnit.MILLISECONDS)) {
      String path = java.net.URLDecoder.decode(r.getPath(), java.nio.charset.StandardCharsets.UTF_8);
      if (path.contains("/secrets?") && r.getMethod().equals("GET")) {
        secretRequests.add(path);
      }
    }
    // a list and a watch for all namespaces, then for each of a and b
    assertTrue(secretRequests.size() >= 6, String.valueOf(secretRequests));
    for (String path : secretRequests) {
      for (String type : KubeInformers.UNCACHED_SECRET_TYPES) {
        assertTrue(path.contains("type!=" + type), path + " leaves out " + type);
      }
      assertFalse(path.contains("type!=kubernetes.io/tls") || path.contains("type!=Opaque"), path);
    }
    assertTrue(secretRequests.stream().anyMatch(p -> p.startsWith("/api/v1/secrets?")), "all namespaces");
    assertTrue(secretRequests.stream().anyMatch(p -> p.startsWith("/api/v1/namespaces/b/secrets?")), "namespace b");
  }

  private static io.fabric8.kubernetes.api.model.Secret secret(String namespace, String name, String type) {
    return new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withNamespace(namespace)
        .withName(name).endMetadata().withType(type).addToData("k", "dg==").build();
  }

  @Test
  void aBurstOfEventsIsOneSnapshot() throws Exception {
    source = new KubernetesSource(client, KindRegistry.withBuiltins(), Set.of(), Duration.ofMillis(300), WAIT);
    java.util.concurrent.atomic.AtomicInteger parses = new java.util.concurrent.atomic.AtomicInteger();
    source.timeParsing(nanos -> parses.incrementAndGet()); // gloo_translation_phase_seconds{phase="parse"}
    source.start(snapshots::add);
    assertEquals(0, snapshots.take().size());
    assertEquals(1, parses.get(), "the first snapshot's assembly is timed");
    for (int i = 0; i < 20; i++) {
      client.resource(Manifests.service("default", "s" + i, 80)).create();
    }
    ResourceSnapshot s = awaitSnapshot(x -> x.size() == 20);
    Thread.sleep(600);
    assertTrue(snapshots.size() <= 1, "a 20-event burst inside the debounce made " + snapshots.size()
        + " more snapshots");
    assertEquals(20, s.size());
    assertTrue(parses.get() >= 2, "the snapshot after the burst is timed too: " + parses.get());
  }

  @Test
  void anUpdateReplacesOnlyThatObjectAndADeleteRemovesIt() throws Exception {
    for (int i = 0; i < 3; i++) {
      client.resource(Manifests.service("default", "s" + i, 80)).create();
    }
    source = new KubernetesSource(client, KindRegistry.withBuiltins(), Set.of(), Duration.ofMillis(20), WAIT);
    source.start(snapshots::add);
    ResourceSnapshot first = snapshots.take();
    Service s0 = first.get(Service.class, "default", "s0").orElseThrow();
    Service s1 = first.get(Service.class, "default", "s1").orElseThrow();

    client.services().inNamespace("default").withName("s1")
        .edit(s -> new ServiceBuilder(s).editSpec().withClusterIP("10.0.0.9")
            .endSpec().build());
    ResourceSnapshot updated = awaitSnapshot(x -> x.get(Service.class, "default", "s1")
        .map(s -> "10.0.0.9".equals(s.getSpec().getClusterIP())).orElse(false));
    assertSame(s0, updated.get(Service.class, "default", "s0").orElseThrow(), "an unchanged object is the same");
    assertNotSame(s1, updated.get(Service.class, "default", "s1").orElseThrow());
    assertEquals(List.of("s0", "s1", "s2"),
        updated.list(Service.class).stream().map(s -> s.getMetadata().getName()).toList());

    client.services().inNamespace("default").withName("s0").delete();
    ResourceSnapshot deleted = awaitSnapshot(x -> x.get(Service.class, "default", "s0").isEmpty());
    assertEquals(List.of("s1", "s2"),
        deleted.list(Service.class).stream().map(s -> s.getMetadata().getName()).toList());
    assertEquals(2, deleted.size());
  }

  @Test
  void startFailsWithinTheSyncTimeoutWhenTheApiServerIsDown() {
    api.destroy();
    source = new KubernetesSource(client, KindRegistry.withBuiltins(), Set.of(), Duration.ofMillis(50),
        Duration.ofSeconds(2));
    long started = System.nanoTime();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> source.start(snapshots::add));
    assertTrue(e.getMessage().contains("did not sync"), e.getMessage());
    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10));
    assertTrue(snapshots.isEmpty(), "nothing delivered from empty caches");
  }

  @Test
  void policyKindsGetTheGlooShapeStatusAndGatewaysTheirTypedStatus() throws Exception {
    KindRegistry kinds = registryWithRouteOption();
    createRouteOption(kinds, "default", "opt");
    client.resource(Manifests.gateway("default", "gw", 8080)).create();
    source = new KubernetesSource(client, kinds, Set.of(), Duration.ofMillis(50), WAIT);
    source.start(snapshots::add);

    Reporter reporter = new Reporter();
    try (KubernetesStatusWriter writer = new KubernetesStatusWriter(client, reporter, source::cached, kinds, 100)) {
      writer.setLeader(true);
      Map<String, Object> glooStatus = Map.of("statuses", Map.of("gloo-system",
          Map.of("state", "Accepted", "reportedBy", "gloo-kube-gateway", "observedGeneration", 1)));
      io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus gwStatus =
          new io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusBuilder().withConditions(
              new io.fabric8.kubernetes.api.model.ConditionBuilder()
                  .withType("Accepted").withStatus("True").withReason("Accepted").withMessage("ok")
                  .withObservedGeneration(1L).withLastTransitionTime("2026-01-01T00:00:00Z").build()).build();
      ResourceKey opt = new ResourceKey("RouteOption", "default", "opt");
      ResourceKey gw = new ResourceKey("Gateway", "default", "gw");
      ResourceKey gone = new ResourceKey("Gateway", "default", "deleted");
      reporter.translated(new StatusReport(Map.of(opt, glooStatus, gw, gwStatus, gone, gwStatus)), List.of());

      await(() -> writer.idle() && writer.writes() == 2, () -> writer.writes() + " writes");
      GenericKubernetesResource written = client.genericKubernetesResources(KubernetesSource.contextFor(
          kinds.lookup(ROUTE_OPTION_API, "RouteOption").orElseThrow())).inNamespace("default").withName("opt").get();
      assertEquals(glooStatus, written.getAdditionalProperties().get("status"));
      Gateway gateway = client.resources(Gateway.class).inNamespace("default").withName("gw").get();
      assertEquals("True", gateway.getStatus().getConditions().get(0).getStatus());
      assertNull(client.resources(Gateway.class).inNamespace("default").withName("deleted").get(),
          "no object is created for a status of a resource that does not exist");

      // The same statuses again (e.g. after becoming leader again): nothing to write.
      writer.setLeader(false);
      writer.setLeader(true);
      Thread.sleep(300);
      await(writer::idle, () -> "busy");
      assertEquals(2, writer.writes(), "unchanged statuses are not written again");
      assertEquals(0, writer.failures());
    }
  }

  private static Set<String> keys(ResourceSnapshot s) {
    return s.all().stream().map(HasMetadata.class::cast).map(r -> ResourceKey.of(r).kind() + "/"
        + (r.getMetadata().getNamespace() == null ? "" : r.getMetadata().getNamespace()) + "/"
        + r.getMetadata().getName()).collect(Collectors.toSet());
  }

  private ResourceSnapshot awaitSnapshot(java.util.function.Predicate<ResourceSnapshot> check)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      ResourceSnapshot s = snapshots.poll(100, TimeUnit.MILLISECONDS);
      if (s != null && check.test(s)) {
        return s;
      }
    }
    fail("no such snapshot within " + WAIT + "; current: " + keys(source.current()));
    return null;
  }

  private static void await(BooleanSupplier condition, java.util.function.Supplier<String> describe)
      throws InterruptedException {
    io.gloo.core.testing.Await.until(WAIT, condition, describe);
  }
}
