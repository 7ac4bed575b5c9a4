package io.gloo.bench;

import io.envoyproxy.controlplane.cache.Resources;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.snapshot.SnapshotPublisher;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.Translator;
import io.gloo.core.watch.DirectorySource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * At 10,000 routes, the time from a one-route change (a new path in one HTTPRoute) to the new snapshot being
 * published.
 * <ul>
 *   <li>{@link #inProcess}: replace the route in the resource snapshot ({@code ResourceSnapshot.withChanges}, as
 *       the directory source does) → translate → publish, with a long-lived Translator and publisher as in the
 *       server (so the publish is a real change against the previous snapshot).</li>
 *   <li>{@link #throughWatcher}: the workload as files (100 files × 100 routes) in a directory watched by a
 *       {@link DirectorySource} wired to translate + publish as {@code GlooServer} does; one file is replaced
 *       (written beside the directory, then atomically moved in) and the time is measured until the publisher's
 *       {@code onPublished} listener fires with a new route version. Includes the watcher's debounce
 *       ({@code debounceMillis}: 25 is the default of {@code gloo serve}). One shot per iteration; the first 50
 *       are warm-up (the JIT compiles the change path: a server that has been running a while), then 50 are
 *       measured: read the percentiles.</li>
 *   <li>{@link #throughWatcherInPlace}: the same, the file written in place instead of moved in (held for the
 *       watcher's 1 s settle time).</li>
 * </ul>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ChangeToSnapshotBenchmark {

  static final int ROUTES = 10_000;
  static final int ROUTES_PER_FILE = 100;
  /** The route that changes: in the middle of the workload and of its file. */
  static final int CHANGED = 4_242;

  @State(Scope.Benchmark)
  public static class InProcess {
    final Workload workload = new Workload(ROUTES);
    final Translator translator = new Translator();
    final SnapshotPublisher publisher = new SnapshotPublisher(new SimpleMeterRegistry());
    ResourceSnapshot snapshot;
    ResourceKey changed;
    int revision;

    @Setup(Level.Trial)
    public void setUp() {
      snapshot = ResourceSnapshot.of(workload.resources(), List.of());
      changed = ResourceKey.of(workload.route(CHANGED, 0));
      publisher.publish(translator.translate(snapshot).gateways());
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @Warmup(iterations = 3, time = 2)
  @Measurement(iterations = 5, time = 2)
  public Map<ResourceKey, SnapshotPublisher.Result> inProcess(InProcess s) {
    s.snapshot = s.snapshot.withChanges(Map.of(s.changed, s.workload.route(CHANGED, ++s.revision)), List.of());
    Map<ResourceKey, SnapshotPublisher.Result> result =
        s.publisher.publish(s.translator.translate(s.snapshot).gateways());
    if (result.values().iterator().next() != SnapshotPublisher.Result.PUBLISHED) {
      throw new IllegalStateException("the change was not published: " + result);
    }
    return result;
  }

  @State(Scope.Benchmark)
  public static class Watched {
    @Param({"25", "100"})
    public int debounceMillis;

    final Workload workload = new Workload(ROUTES);
    final Translator translator = new Translator();
    final SnapshotPublisher publisher = new SnapshotPublisher(new SimpleMeterRegistry());
    final BlockingQueue<PublishedSnapshot> published = new LinkedBlockingQueue<>();
    Path root;
    Path dir;
    Path staging;
    Path target;
    DirectorySource source;
    String routeVersion;
    int revision;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      root = Files.createTempDirectory("gloo-bench");
      dir = root.resolve("config");
      workload.writeTo(dir, ROUTES_PER_FILE);
      target = dir.resolve(Workload.routesFileName(CHANGED / ROUTES_PER_FILE));
      staging = root.resolve("staging.yaml.tmp"); // outside the watched directory, same filesystem
      publisher.onPublished(published::add);
      source = new DirectorySource(dir, Duration.ofMillis(debounceMillis));
      source.start(snapshot -> publisher.publish(translator.translate(snapshot).gateways()));
      PublishedSnapshot first = published.poll(60, TimeUnit.SECONDS);
      if (first == null || source.current().size() < ROUTES) {
        throw new IllegalStateException("initial load did not publish: " + source.describe());
      }
      routeVersion = first.versions().get(Resources.V3.ROUTE_TYPE_URL);
      // Let the freshly written files leave the scanner's 2 s "racy mtime" window, as long-lived files would.
      Thread.sleep(2_500);
    }

    @Setup(Level.Invocation)
    public void prepareChange() throws IOException {
      Files.write(staging, workload.routesFile(CHANGED / ROUTES_PER_FILE, ROUTES_PER_FILE, CHANGED, ++revision));
      published.clear();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      source.close();
      try (Stream<Path> files = Files.walk(root)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 50)
  @Measurement(iterations = 50)
  public PublishedSnapshot throughWatcher(Watched w) throws Exception {
    Files.move(w.staging, w.target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return awaitNewRoutes(w);
  }

  /**
   * The same change written in place over the file (truncate, then write), as an editor or {@code cp} does: the
   * watcher holds such a file until it has been unchanged for its settle time (1 s) before reading it, so that a
   * half-written file is never served. This measures that cost. Fewer shots: each takes over a second.
   */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 5)
  @Measurement(iterations = 20)
  public PublishedSnapshot throughWatcherInPlace(Watched w) throws Exception {
    Files.write(w.target, Files.readAllBytes(w.staging));
    return awaitNewRoutes(w);
  }

  private static PublishedSnapshot awaitNewRoutes(Watched w) throws InterruptedException {
    while (true) {
      PublishedSnapshot s = w.published.poll(10, TimeUnit.SECONDS);
      if (s == null) {
        throw new IllegalStateException("no publish within 10 s of the change");
      }
      String version = s.versions().get(Resources.V3.ROUTE_TYPE_URL);
      if (!version.equals(w.routeVersion)) {
        w.routeVersion = version;
        return s;
      }
    }
  }
}
