package io.gloo.core.server;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.store.WeakIdentityCache;
import io.gloo.core.testing.Await;
import io.gloo.core.testing.Manifests;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory that returns (issue #19): once a route is removed and two more translations have run, nothing in a serving
 * control plane keeps its Envoy route — not the translator's caches (which keep the previous generation for reuse),
 * the publisher, the reporter, the directory source, nor the console's history of versions (which kept ten whole
 * snapshots per Gateway, so 10,000 routes scaled down to 10 stayed on the heap). A weak reference to the route's
 * translated proto is cleared by a full collection.
 */
class RemovedRoutesLeaveTheHeapTest {

  // a bound on waiting for the watcher, not a performance target
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  private GlooServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aRemovedRoutesProtoIsCollectedAfterTwoTranslations() throws Exception {
    Manifests.write(dir, "gateway.yaml", Manifests.docs(Manifests.gatewayClass(),
        Manifests.gateway("default", "gw", 8080), Manifests.service("default", "echo", 80),
        Manifests.endpointSlice("default", "echo", 8080, "10.0.0.1")));
    Manifests.write(dir, "gone.yaml", Manifests.httpRoute("default", "gone", "gw", null, "/gone", "echo:80"));
    replace("stays.yaml", Manifests.httpRoute("default", "stays", "gw", null, "/stays-1", "echo:80"));
    server = GlooServer.start(new ServeOptions(dir, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(20)));
    // wake-ups only: the queue must not hold a snapshot
    BlockingQueue<Boolean> published = new LinkedBlockingQueue<>();
    server.publisher().onPublished(s -> published.add(Boolean.TRUE));
    WeakReference<Route> gone = new WeakReference<>(servedRoute("/gone"));
    assertNotNull(gone.get(), "the route is served");

    Files.delete(dir.resolve("gone.yaml"));
    Await.until(published, WAIT, () -> servedRoute("/gone") == null, () -> "the removed route is still served");
    for (int revision = 2; revision <= 3; revision++) {
      String path = "/stays-" + revision;
      replace("stays.yaml", Manifests.httpRoute("default", "stays", "gw", null, path, "echo:80"));
      Await.until(published, WAIT, () -> servedRoute(path) != null, () -> path + " not served");
    }
    // A full collection clears the weak keys of the translator's caches; their values (the route's proto) go at the
    // next collection once the caches are drained, which a server does after each collection (on the JMX
    // notification thread), and here in the test's thread: rounds of collect, wait for the reference handler, drain.
    for (int round = 0; round < 10 && gone.get() != null; round++) {
      collectAndDrain();
    }
    if (gone.get() != null) {
      // what holds it: java -cp bench/target/benchmarks.jar io.gloo.bench.HeapPaths DUMP io.envoyproxy.envoy.config.route.v3.Route
      Path dump = Path.of("target", "RemovedRoutesLeaveTheHeapTest-" + ProcessHandle.current().pid() + ".hprof");
      Files.deleteIfExists(dump);
      java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
          .dumpHeap(dump.toString(), true);
      assertNull(gone.get(), "the removed route's Envoy proto is still reachable after two more translations (heap"
          + " dump: " + dump.toAbsolutePath() + ", read it with io.gloo.bench.HeapPaths)");
    }
  }

  /**
   * One full collection, then waits until the reference handler has enqueued what it cleared (a sentinel's reference
   * comes through the queue), then drains the weak caches (as the JDK's own tests force a collection: no sleeping).
   */
  private static void collectAndDrain() throws InterruptedException {
    ReferenceQueue<Object> queue = new ReferenceQueue<>();
    WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
    System.gc();
    while (queue.remove() != sentinel) {
      // only the sentinel is registered with this queue
    }
    WeakIdentityCache.drainAll();
  }

  /** The served Envoy route whose match has this path prefix, or null (looked up here so no frame keeps it). */
  private Route servedRoute(String prefix) {
    for (PublishedSnapshot s : server.publisher().current().values()) {
      for (RouteConfiguration config : s.resources().routes()) {
        for (VirtualHost host : config.getVirtualHostsList()) {
          for (Route route : host.getRoutesList()) {
            if (route.getMatch().getPrefix().equals(prefix) || route.getMatch().getPathSeparatedPrefix()
                .equals(prefix)) {
              return route;
            }
          }
        }
      }
    }
    return null;
  }

  /** Writes the file beside the directory and moves it in (the watcher serves it without waiting for it to settle). */
  private void replace(String file, String content) throws Exception {
    Path temp = Files.writeString(dir.resolveSibling(dir.getFileName() + "-" + file), content);
    Files.move(temp, dir.resolve(file), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
