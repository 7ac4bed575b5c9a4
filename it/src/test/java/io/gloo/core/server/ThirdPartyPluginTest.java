package io.gloo.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.snapshot.Subscription;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.policy.PolicyReports;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The third-party example plugin (examples/third-party-plugin, a standalone project built against gloo-spi alone)
 * hot-added to and removed from a running server that serves its example manifests.
 */
class ThirdPartyPluginTest {

  private static final Path EXAMPLE = Path.of("../examples/third-party-plugin");
  private static final String PLUGIN_ID = "response-header-policy";
  private static final ResourceKey GATEWAY = new ResourceKey("Gateway", "default", "http");
  private static final ResourceKey ROUTE = new ResourceKey("HTTPRoute", "default", "web");
  private static final String ROUTE_NAME = "httproute/default/web/0/0";
  private static final long WAIT_SECONDS = 20;

  @TempDir
  Path temp;

  /** Built by the example's own pom (process-classes) and copied here by core's copy-test-plugins execution. */
  private static Path archive() {
    Path zip = Path.of(System.getProperty("gloo.test.plugins", "target/test-plugins"), PLUGIN_ID + ".zip");
    assertTrue(Files.isRegularFile(zip), zip + " is missing: build with Maven (mvn -pl core -am test)");
    return zip;
  }

  @Test
  void thePluginIsHotAddedToAndRemovedFromARunningServer() throws Exception {
    Path config = Files.createDirectories(temp.resolve("config"));
    Files.copy(EXAMPLE.resolve("example.yaml"), config.resolve("example.yaml"));
    Path plugins = Files.createDirectories(temp.resolve("plugins"));
    ServeOptions options = new ServeOptions(config, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50),
        new PluginManager.Options(plugins, Set.of(), Map.of(), temp.resolve("work"), Duration.ofMillis(50)));

    LinkedBlockingQueue<PublishedSnapshot> published = new LinkedBlockingQueue<>();
    try (GlooServer server = GlooServer.start(options)) {
      Subscription subscription = server.publisher().onPublished(published::add);

      // No plugin: the ExtensionRef cannot be served; the rule answers 500 and the route says why.
      assertTrue(server.plugins().isEmpty());
      assertEquals(500, route(server.publisher().current(GATEWAY).orElseThrow()).getDirectResponse().getStatus());
      assertTrue(routeMessages(server).contains("ExtensionRef policies.example.com/ResponseHeaderPolicy"
          + " security-headers is not served by any installed plugin"), routeMessages(server));

      // Hot add: the next snapshot carries the policy's headers (route: ExtensionRef, virtual host: targetRef).
      Path installed = install(plugins);
      PublishedSnapshot withPlugin = awaitSnapshot(published, s -> route(s).hasRoute());
      Route route = route(withPlugin);
      assertEquals("kube_default_web_80", route.getRoute().getCluster());
      assertEquals(Map.of("x-content-type-options", "nosniff", "x-frame-options", "DENY"),
          headers(route.getResponseHeadersToAddList()));
      assertEquals(List.of("server", "x-powered-by"), route.getResponseHeadersToRemoveList());
      assertEquals(Map.of("x-served-by", "gloo"), headers(virtualHost(withPlugin).getResponseHeadersToAddList()));
      assertTrue(server.plugins().get(PLUGIN_ID).orElseThrow().started());
      await(() -> "Accepted".equals(policyState(server, "security-headers"))
          && "Accepted".equals(policyState(server, "served-by")), "both policies Accepted");
      await(() -> !routeMessages(server).contains("not served"), "the route no longer reports the ExtensionRef");

      WeakReference<ClassLoader> loader = new WeakReference<>(server.pluginManager().classLoader(PLUGIN_ID));
      assertNotNull(loader.get());

      // Hot remove: the next snapshot's rule answers 500 again, and the plugin's classloader can be collected.
      published.clear();
      Files.delete(installed);
      PublishedSnapshot without = awaitSnapshot(published, s -> route(s).hasDirectResponse());
      assertEquals(500, route(without).getDirectResponse().getStatus());
      assertEquals(List.of(), virtualHost(without).getResponseHeadersToAddList());
      assertTrue(server.plugins().isEmpty());
      assertFalse(server.kinds().lookup("policies.example.com/v1alpha1", "ResponseHeaderPolicy").isPresent());
      await(() -> routeMessages(server).contains("is not served by any installed plugin"), "route status");

      subscription.close();
      published.clear();
      withPlugin = null;
      route = null;
      assertCollected(loader);
    }
  }

  /** The example builds against gloo-spi ${gloo.version}; inside this repository that must be this build's. */
  @Test
  void theExampleBuildsAgainstThisVersionOfTheSpi() throws Exception {
    String pom = Files.readString(EXAMPLE.resolve("pom.xml"));
    Matcher version = Pattern.compile("<gloo\\.version>([^<]+)</gloo\\.version>").matcher(pom);
    assertTrue(version.find(), "no <gloo.version> in " + EXAMPLE.resolve("pom.xml"));
    String expected = System.getProperty("gloo.project.version");
    if (expected != null) { // set by Maven (core/pom.xml)
      assertEquals(expected, version.group(1), "examples/third-party-plugin/pom.xml's gloo.version");
    }
  }

  private static Path install(Path dir) throws Exception {
    Path tmp = dir.resolve("." + PLUGIN_ID + ".zip.tmp");
    Files.copy(archive(), tmp, StandardCopyOption.REPLACE_EXISTING);
    return Files.move(tmp, dir.resolve(PLUGIN_ID + ".zip"), StandardCopyOption.ATOMIC_MOVE);
  }

  private static RouteConfiguration routeConfig(PublishedSnapshot snapshot) {
    return snapshot.resources().routes().stream().filter(r -> r.getName().equals("http~8080")).findFirst()
        .orElseThrow();
  }

  private static VirtualHost virtualHost(PublishedSnapshot snapshot) {
    return routeConfig(snapshot).getVirtualHosts(0);
  }

  private static Route route(PublishedSnapshot snapshot) {
    return virtualHost(snapshot).getRoutesList().stream().filter(r -> r.getName().equals(ROUTE_NAME)).findFirst()
        .orElseThrow(() -> new AssertionError("no route " + ROUTE_NAME + " in " + virtualHost(snapshot)));
  }

  private static Map<String, String> headers(List<HeaderValueOption> options) {
    return options.stream().collect(Collectors.toMap(o -> o.getHeader().getKey(), o -> o.getHeader().getValue(),
        (a, b) -> a + "," + b, TreeMap::new));
  }

  private static String routeMessages(GlooServer server) {
    Object status = server.reporter().statuses().get(ROUTE);
    if (!(status instanceof HTTPRouteStatus routeStatus) || routeStatus.getParents().isEmpty()) {
      return "";
    }
    return routeStatus.getParents().get(0).getConditions().stream().map(Condition::getMessage)
        .collect(Collectors.joining("\n"));
  }

  @SuppressWarnings("unchecked")
  private static String policyState(GlooServer server, String name) {
    Object status = server.reporter().statuses().get(new ResourceKey("ResponseHeaderPolicy", "default", name));
    if (!(status instanceof Map<?, ?> map) || !(map.get("statuses") instanceof Map<?, ?> statuses)) {
      return null;
    }
    Object mine = statuses.get(PolicyReports.CONTROLLER_NAMESPACE);
    return mine instanceof Map<?, ?> m ? (String) ((Map<String, Object>) m).get("state") : null;
  }

  private static PublishedSnapshot awaitSnapshot(LinkedBlockingQueue<PublishedSnapshot> published,
      Predicate<PublishedSnapshot> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      PublishedSnapshot snapshot = published.poll(100, TimeUnit.MILLISECONDS);
      if (snapshot != null && snapshot.gateway().equals(GATEWAY) && !snapshot.removed() && wanted.test(snapshot)) {
        return snapshot;
      }
    }
    throw new AssertionError("no matching snapshot of " + GATEWAY + " published within " + WAIT_SECONDS + " s");
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + WAIT_SECONDS + " s");
      }
      Thread.sleep(50);
    }
  }

  private static void assertCollected(WeakReference<?> ref) throws InterruptedException {
    for (int attempt = 0; attempt < 50 && ref.get() != null; attempt++) {
      System.gc();
      byte[][] pressure = new byte[16][];
      for (int i = 0; i < pressure.length; i++) {
        pressure[i] = new byte[1 << 20];
      }
      Thread.sleep(50);
    }
    assertNull(ref.get(), "the removed plugin's classloader is still strongly reachable");
  }
}
