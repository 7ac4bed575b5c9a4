package io.gloo.core.translate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.xds.PolicyApplier;
import io.gloo.core.watch.DirectorySource;
import io.gloo.core.watch.KindRegistry;
import io.gloo.core.watch.ManifestParser;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.translate.PolicyTranslator;
import io.gloo.spi.translate.RouteContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin whose translator busy-loops (ignoring interrupts, as a real spin does) on every one of 1,000 routes:
 * its circuit opens after a couple of timeouts, so the translation makes a bounded number of calls into it, its
 * routes fail closed, and the other plugin's routes are served. The spinning threads are bounded and released at
 * the end of each test (a real one would spin until the process ends).
 */
class HungPluginTest {

  private static final int ROUTES = 1_000;
  /** For the tests of recovery and of the thread bound: the number of routes does not matter there. */
  private static final int SMALL = 50;
  private static final ResourceKey GATEWAY = new ResourceKey("Gateway", "default", "gw");

  @TempDir
  Path temp;

  /** Set at the end of each test to let the spinning threads return. */
  private static volatile boolean release;

  /** A fail-closed kind whose route translator spins until released, when {@link #spin} is set. */
  static final class Spinner implements PolicyKind<Map<String, Object>>, PolicyTranslator<Map<String, Object>> {
    final AtomicInteger routeCalls = new AtomicInteger();
    volatile boolean spin = true;
    /** Spin on the CPU (the real thing) or park (hung alike, but leaves the shared CPUs to the rest of the test). */
    final boolean busy;

    Spinner(boolean busy) {
      this.busy = busy;
    }

    @Override
    public GroupKind groupKind() {
      return new GroupKind(TestPolicyKinds.GROUP, "Spinner");
    }

    @Override
    public String version() {
      return "v1";
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<Map<String, Object>> specType() {
      return (Class) Map.class;
    }

    @Override
    public Set<Attachment> attachments() {
      return Set.of(Attachment.TARGET_REF);
    }

    @Override
    public PolicyTranslator<Map<String, Object>> translator() {
      return this;
    }

    @Override
    public void route(RouteContext context, Map<String, Object> policy, Route.Builder route) {
      routeCalls.incrementAndGet();
      long spins = 0;
      while (spin && !release) {
        if (busy) {
          spins++; // busy: never sleeps, never looks at the interrupt flag
        } else {
          java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // hung without a CPU: interrupts ignored too
        }
      }
      if (spins < 0) {
        throw new IllegalStateException("unreachable; keeps the loop from being optimised away");
      }
    }
  }

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @AfterEach
  void releaseSpinners() {
    release = true;
  }

  /** {@code spunRoutes} the spinner targets (one policy each) and 100 a well-behaved kind of another plugin targets. */
  private ResourceSnapshot snapshot(int spunRoutes) throws Exception {
    release = false;
    StringBuilder yaml = new StringBuilder("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: gloo-gateway}
        spec: {controllerName: solo.io/gloo-gateway}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          gatewayClassName: gloo-gateway
          listeners: [{name: http, protocol: HTTP, port: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: svc, namespace: default}
        spec: {ports: [{port: 80}]}
        """);
    for (int i = 0; i < spunRoutes + 100; i++) {
      boolean spun = i < spunRoutes;
      String name = (spun ? "spun-" : "fine-") + i;
      yaml.append("---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ").append(name)
          .append(", namespace: default}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n    - matches: [{path: {type:"
              + " PathPrefix, value: /").append(name).append("}}]\n      backendRefs: [{name: svc, port: 80}]\n");
      yaml.append("---\napiVersion: test.gloo.io/v1\nkind: ").append(spun ? "Spinner" : "RouteHeaders")
          .append("\nmetadata: {name: p-").append(name).append(", namespace: default}\nspec:\n")
          .append(spun ? "" : "  options: {headers: {x-fine: 'yes'}}\n")
          .append("  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ").append(name)
          .append("}]\n");
    }
    Path file = temp.resolve("routes.yaml");
    Files.writeString(file, yaml);
    KindRegistry kinds = KindRegistry.withBuiltins();
    for (String kind : List.of("RouteHeaders", "Spinner")) {
      kinds.register(TestPolicyKinds.GROUP + "/v1", kind, GenericKubernetesResource.class, true);
    }
    ResourceSnapshot snapshot = DirectorySource.load(List.of(file), new ManifestParser(kinds));
    assertTrue(snapshot.problems().isEmpty(), snapshot.problems().toString());
    return snapshot;
  }

  private static PolicyCatalog catalog(Spinner spinner) {
    // distinct classloaders per plugin, as loaded plugins have: each plugin gets its own breaker
    ClassLoader spinnerLoader = new ClassLoader(HungPluginTest.class.getClassLoader()) {};
    return new PolicyCatalog(List.of(
        new RegisteredKind("test-headers", new TestPolicyKinds.Headers("RouteHeaders", false),
            HungPluginTest.class.getClassLoader()),
        new RegisteredKind("spinner", spinner, spinnerLoader)));
  }

  private static List<Route> routes(TranslationResult result, String prefix) {
    return result.gateways().get(GATEWAY).routes().stream().flatMap(c -> c.getVirtualHostsList().stream())
        .flatMap(v -> v.getRoutesList().stream())
        .filter(r -> r.getMatch().getPathSeparatedPrefix().startsWith("/" + prefix)).toList();
  }

  /** Calls into the spinner that timed out: one thread started for each (counted at submit, so not racy). */
  private static int timeouts(SimpleMeterRegistry metrics) {
    return (int) metrics.find("gloo.plugin.failures").tag("plugin", "spinner").tag("reason", "timeout").counters()
        .stream().mapToDouble(c -> c.count()).sum();
  }

  private static int refused(SimpleMeterRegistry metrics, String reason) {
    return (int) metrics.find("gloo.plugin.failures").tag("plugin", "spinner").tag("reason", reason).counters()
        .stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void aTranslatorThatBusyLoopsOnEveryRouteCostsTwoTimeoutsNotOnePerRoute() throws Exception {
    ResourceSnapshot snapshot = snapshot(ROUTES);
    Spinner spinner = new Spinner(true);
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    PluginInvoker invoker = new PluginInvoker(PluginInvoker.DEFAULT_TIMEOUT, metrics);
    TranslationResult result;
    long started = System.nanoTime();
    try (Translator translator = new Translator(catalog(spinner), invoker, PolicyApplier.OutputCheck.NONE)) {
      result = translator.translate(snapshot);
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    // A figure for the report, not an assertion (timing on a shared machine): ~2 x the 2 s timeout.
    System.out.println("HungPluginTest: translation with a spinning plugin on " + ROUTES + " routes took " + millis
        + " ms; spinner calls " + spinner.routeCalls.get());

    PluginBreaker.Policy policy = PluginBreaker.Policy.DEFAULT;
    assertEquals(policy.tripAfter(), timeouts(metrics), "called until its circuit opened, then never");
    assertTrue(spinner.routeCalls.get() <= policy.tripAfter(), "no call beyond those that timed out");
    List<Route> spun = routes(result, "spun-");
    assertEquals(ROUTES, spun.size());
    assertTrue(spun.stream().allMatch(r -> r.hasDirectResponse() && r.getDirectResponse().getStatus() == 500),
        "its routes fail closed");
    List<Route> fine = routes(result, "fine-");
    assertEquals(100, fine.size());
    assertTrue(fine.stream().allMatch(r -> r.hasRoute() && r.getResponseHeadersToAddCount() == 1),
        "the other plugin's routes are served with its policy");

    assertEquals(1.0, metrics.get("gloo.plugin.circuit.open").tag("plugin", "spinner").counter().count());
    // the plugin host's call series: the timeouts by result, each call that ran timed (the timed-out ones too)
    assertEquals(policy.tripAfter(), metrics.get("gloo.plugin.calls").tag("plugin", "spinner")
        .tag("result", "timeout").counter().count());
    assertTrue(metrics.get("gloo.plugin.call.duration").tag("plugin", "spinner").timer().count()
        >= policy.tripAfter());
    assertTrue(metrics.get("gloo.plugin.calls").tag("plugin", "test-headers").tag("result", "ok").counter().count()
        >= 100, "the other plugin's calls");
    assertTrue(invoker.circuitOpen("spinner"));
    PluginBreaker.View view = invoker.breakers().stream().filter(b -> b.pluginId().equals("spinner")).findFirst()
        .orElseThrow();
    assertEquals("open", view.state());
    assertEquals("2 calls timed out within 60 s", view.reason());
    assertEquals(2, view.threadsHeld(), "the two spinning calls still hold their threads");
    assertTrue(String.valueOf(result.statuses().get(new ResourceKey("Spinner", "default", "p-spun-999")))
        .contains("circuit open (2 calls timed out within 60 s)"), "the policy's status says why");
    invoker.close();
    release = true;

    // The same translation with a plugin that answers, for comparison in the report (not asserted).
    Spinner fixed = new Spinner(true);
    fixed.spin = false;
    started = System.nanoTime();
    try (Translator translator = new Translator(catalog(fixed), new PluginInvoker(), PolicyApplier.OutputCheck.NONE)) {
      translator.translate(snapshot);
    }
    System.out.println("HungPluginTest: the same translation with a plugin that answers took "
        + (System.nanoTime() - started) / 1_000_000 + " ms");
  }

  @Test
  void anOpenCircuitIsRetriedHalfOpenAndClosesWhenThePluginAnswers() throws Exception {
    ResourceSnapshot snapshot = snapshot(SMALL);
    Spinner spinner = new Spinner(false);
    TestClock clock = new TestClock();
    AtomicInteger retriesDue = new AtomicInteger();
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    PluginBreaker.Policy policy = new PluginBreaker.Policy(2, Duration.ofMinutes(1), Duration.ofMillis(1), 4);
    try (PluginInvoker invoker = new PluginInvoker(Duration.ofSeconds(1), metrics, policy, clock);
        Translator translator = new Translator(catalog(spinner), invoker, PolicyApplier.OutputCheck.NONE)) {
      invoker.onRetryDue(retriesDue::incrementAndGet);
      translator.translate(snapshot);
      assertEquals(2, timeouts(metrics));

      // still open (the clock has not moved): no call at all, and its routes stay closed
      TranslationResult open = translator.translate(snapshot);
      assertEquals(2, timeouts(metrics));
      assertTrue(routes(open, "spun-").stream().allMatch(Route::hasDirectResponse));
      assertTrue(routes(open, "fine-").stream().allMatch(Route::hasRoute));

      // due: a trial call answers (binding a spec), then the first translator call hangs: open again at once
      clock.now = clock.now.plusSeconds(1);
      translator.translate(snapshot);
      assertEquals(3, timeouts(metrics), "on probation after the trial: one timeout reopens it");
      assertEquals("open", invoker.breakers().stream().filter(b -> b.pluginId().equals("spinner")).findFirst()
          .orElseThrow().state());

      // the plugin is fixed: the next trial answers, the circuit closes and every route is called and served
      spinner.spin = false;
      clock.now = clock.now.plusSeconds(1);
      int before = spinner.routeCalls.get();
      TranslationResult result = translator.translate(snapshot);
      assertEquals(3, timeouts(metrics));
      assertTrue(spinner.routeCalls.get() - before >= SMALL, "every route called");
      assertTrue(routes(result, "spun-").stream().allMatch(Route::hasRoute));
      assertTrue(!invoker.circuitOpen("spinner"));
      assertTrue(retriesDue.get() >= 1, "the server is told when a retry is due");
    }
  }

  @Test
  void aPluginHoldsAtMostMaxThreadsHoweverManyCallsTimeOut() throws Exception {
    ResourceSnapshot snapshot = snapshot(SMALL);
    Spinner spinner = new Spinner(false);
    // a breaker that never trips on timeouts: only the thread bound stops the calls
    PluginBreaker.Policy policy = new PluginBreaker.Policy(10_000, Duration.ofMinutes(1), Duration.ofMinutes(1), 3);
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (PluginInvoker invoker = new PluginInvoker(Duration.ofSeconds(1), metrics, policy, Clock.systemUTC());
        Translator translator = new Translator(catalog(spinner), invoker, PolicyApplier.OutputCheck.NONE)) {
      TranslationResult result = translator.translate(snapshot);
      assertEquals(3, timeouts(metrics), "no thread is started past the limit");
      assertTrue(refused(metrics, "threads-exhausted") >= SMALL - 3, "the other routes' calls were not made");
      assertTrue(spinner.routeCalls.get() <= 3);
      assertTrue(routes(result, "spun-").stream().allMatch(Route::hasDirectResponse));
      assertTrue(String.valueOf(result.statuses().get(new ResourceKey("Spinner", "default", "p-spun-49")))
          .contains("holds 3 threads that have not returned (limit 3)"));
    }
  }
}
