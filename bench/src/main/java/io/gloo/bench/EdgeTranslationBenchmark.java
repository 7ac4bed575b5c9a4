package io.gloo.bench;

import io.gloo.core.snapshot.SnapshotPublisher;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.edge.EdgeWorkload;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Gloo Edge API at 1,000 VirtualServices delegating by selector to 5,000 RouteTables ({@link EdgeWorkload}):
 * <ul>
 *   <li>{@link #translateAll}: a cold, full translation ({@code new Translator()}) of the whole workload to the
 *       proxy's xDS resources and statuses.</li>
 *   <li>{@link #oneRouteTableChange}: one RouteTable's route gets a new path (replaced in the resource snapshot
 *       with {@code withChanges}, as the directory source does) → translate → publish, with a long-lived
 *       Translator and publisher as in the server; each publish is a real change.</li>
 * </ul>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class EdgeTranslationBenchmark {

  static final int VIRTUAL_SERVICES = 1_000;
  /** The RouteTable that changes: VirtualService 421's third. */
  static final int CHANGED_VS = 421;
  static final int CHANGED_TABLE = 2;

  @State(Scope.Benchmark)
  public static class Full {
    ResourceSnapshot snapshot;

    @Setup(Level.Trial)
    public void setUp() {
      snapshot = ResourceSnapshot.of(new EdgeWorkload(VIRTUAL_SERVICES).resources(), List.of());
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @Warmup(iterations = 3, time = 5)
  @Measurement(iterations = 5, time = 5)
  public TranslationResult translateAll(Full s) {
    try (Translator translator = new Translator()) {
      TranslationResult result = translator.translate(s.snapshot);
      if (result.gateways().size() != 1) {
        throw new IllegalStateException("expected one Edge proxy, got " + result.gateways().keySet());
      }
      return result;
    }
  }

  @State(Scope.Benchmark)
  public static class Change {
    final EdgeWorkload workload = new EdgeWorkload(VIRTUAL_SERVICES);
    Translator translator = new Translator();
    SnapshotPublisher publisher = new SnapshotPublisher(new SimpleMeterRegistry());
    ResourceSnapshot snapshot;
    ResourceKey changed;
    int revision;

    @Setup(Level.Trial)
    public void setUp() {
      snapshot = ResourceSnapshot.of(workload.resources(), List.of());
      changed = ResourceKey.of(workload.routeTable(CHANGED_VS, CHANGED_TABLE, 0));
      publisher.publish(translator.translate(snapshot).gateways());
    }

    /** Heap after GC with what a serving control plane keeps (translator caches and plans, publisher), and without. */
    @TearDown(Level.Trial)
    public void heap() {
      long serving = HeapMeter.usedAfterGc();
      translator = null;
      publisher = null;
      long snapshotOnly = HeapMeter.usedAfterGc();
      System.out.printf("%n[heap] after GC: snapshot %.1f MiB; + long-lived translator and publisher %.1f MiB "
          + "(they retain %.1f MiB)%n", HeapMeter.mib(snapshotOnly), HeapMeter.mib(serving),
          HeapMeter.mib(serving - snapshotOnly));
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @Warmup(iterations = 3, time = 5)
  @Measurement(iterations = 5, time = 5)
  public Map<ResourceKey, SnapshotPublisher.Result> oneRouteTableChange(Change s) {
    s.snapshot = s.snapshot.withChanges(Map.of(s.changed,
        s.workload.routeTable(CHANGED_VS, CHANGED_TABLE, ++s.revision)), List.of());
    Map<ResourceKey, SnapshotPublisher.Result> result =
        s.publisher.publish(s.translator.translate(s.snapshot).gateways());
    if (result.values().iterator().next() != SnapshotPublisher.Result.PUBLISHED) {
      throw new IllegalStateException("the change was not published: " + result);
    }
    return result;
  }
}
