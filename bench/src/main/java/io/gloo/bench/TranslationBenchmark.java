package io.gloo.bench;

import io.gloo.core.snapshot.SnapshotPublisher;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * Full translation of the {@link Workload}: {@code Translator.translate} (a new Translator each time, so nothing
 * carries over from an earlier translation) and {@code SnapshotPublisher.publish} into a new publisher (so every
 * invocation hashes and publishes). At the end of the trial, prints the heap retained by one translation's output.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TranslationBenchmark {

  @Param({"100", "1000", "10000"})
  public int routes;

  private ResourceSnapshot snapshot;

  @Setup(Level.Trial)
  public void setUp() {
    snapshot = new Workload(routes).snapshot();
    // fail fast if the workload does not translate as intended
    Map<ResourceKey, SnapshotPublisher.Result> r = translateAndPublish().published;
    if (r.size() != 1 || r.values().iterator().next() != SnapshotPublisher.Result.PUBLISHED) {
      throw new IllegalStateException("workload did not publish: " + r);
    }
    int vhostRoutes = translateAndPublish().result.gateways().values().iterator().next().routes().get(0)
        .getVirtualHostsList().stream().mapToInt(v -> v.getRoutesCount()).sum();
    if (vhostRoutes != 2 * routes) {
      throw new IllegalStateException("expected " + 2 * routes + " Envoy routes, got " + vhostRoutes);
    }
  }

  /** What one invocation produces (and the translator, whose caches a server keeps), for the heap measurement. */
  record Output(Translator translator, TranslationResult result, SnapshotPublisher publisher,
      Map<ResourceKey, SnapshotPublisher.Result> published) {}

  private Output translateAndPublish() {
    Translator translator = new Translator();
    TranslationResult result = translator.translate(snapshot);
    SnapshotPublisher publisher = new SnapshotPublisher(new SimpleMeterRegistry());
    return new Output(translator, result, publisher, publisher.publish(result.gateways()));
  }

  @Benchmark
  public Object translateAndPublishAll() {
    return translateAndPublish();
  }

  @TearDown(Level.Trial)
  public void heapAfterTranslation() {
    long before = HeapMeter.usedAfterGc();
    Output kept = translateAndPublish();
    long withTranslator = HeapMeter.usedAfterGc();
    kept = new Output(null, kept.result(), kept.publisher(), kept.published());
    long after = HeapMeter.usedAfterGc();
    System.out.printf("%n[heap] routes=%d: used after GC with the resource snapshot only %.1f MiB; "
            + "with one translation result + publisher also retained %.1f MiB (retained by translation: %.1f MiB); "
            + "with the translator too, whose caches serve the next translation, %.1f MiB (+%.1f MiB)%n",
        routes, HeapMeter.mib(before), HeapMeter.mib(after), HeapMeter.mib(after - before),
        HeapMeter.mib(withTranslator), HeapMeter.mib(withTranslator - after));
    java.lang.ref.Reference.reachabilityFence(kept);
  }
}
