package io.gloo.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.snapshot.SnapshotPublisher;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The measuring loop of the scale benchmarks ({@link ScaleBench}, {@link ListenerSetScaleBench}; issue #19 item 3),
 * in one place: full translation + publish on a cold translator (median, max; target &lt; 5 s), heap after GC
 * ({@link HeapMeter}: empty, with the snapshot, serving), then each kind of one-object change (the object at revision
 * 1, 2, …) → {@code ResourceSnapshot.withChanges} → translate on the long-lived translator → publish (median, p90,
 * p99; target &lt; 100 ms). Each change must publish something (else it measured nothing).
 */
final class ScaleRun {

  private final String shape;
  private final List<HasMetadata> resources;
  private Consumer<TranslationResult> firstCheck = result -> { };
  private final Map<String, IntFunction<HasMetadata>> changes = new LinkedHashMap<>();

  /** {@code shape}: what is translated, for the output; {@code resources}: the whole input. */
  ScaleRun(String shape, List<HasMetadata> resources) {
    this.shape = shape;
    this.resources = resources;
  }

  /** A check of the first full translation (e.g. that every route was accepted). */
  ScaleRun checkFirst(Consumer<TranslationResult> check) {
    this.firstCheck = check;
    return this;
  }

  /** A kind of one-object change: {@code revision} → the object at that revision (1, 2, …; 0 is the input's). */
  ScaleRun change(String name, IntFunction<HasMetadata> revision) {
    changes.put(name, revision);
    return this;
  }

  void run(int fulls, int changeCount) {
    System.out.printf("%s; load average at start: %s%n", shape, load());
    long emptyHeap = HeapMeter.usedAfterGc();
    ResourceSnapshot snapshot = ResourceSnapshot.of(resources, List.of());
    long snapshotHeap = HeapMeter.usedAfterGc();

    long[] full = new long[fulls];
    for (int i = 0; i < fulls; i++) {
      long start = System.nanoTime();
      try (Translator cold = new Translator()) {
        TranslationResult result = cold.translate(snapshot);
        new SnapshotPublisher(new SimpleMeterRegistry()).publish(result.gateways());
        full[i] = System.nanoTime() - start;
        if (i == 0) {
          System.out.printf("translated: %d Gateways with output%n", result.gateways().size());
          firstCheck.accept(result);
        }
      }
      System.out.printf("full translation + publish %d: %.0f ms%n", i, full[i] / 1e6);
    }

    Translator translator = new Translator();
    SnapshotPublisher publisher = new SnapshotPublisher(new SimpleMeterRegistry());
    publisher.publish(translator.translate(snapshot).gateways());
    long servingHeap = HeapMeter.usedAfterGc();

    Map<String, long[]> times = new LinkedHashMap<>();
    for (Map.Entry<String, IntFunction<HasMetadata>> kind : changes.entrySet()) {
      ResourceKey key = ResourceKey.of(kind.getValue().apply(0));
      long[] took = new long[changeCount];
      for (int r = 1; r <= changeCount; r++) {
        long start = System.nanoTime();
        snapshot = snapshot.withChanges(Map.of(key, kind.getValue().apply(r)), List.of());
        Map<ResourceKey, SnapshotPublisher.Result> result = publisher.publish(translator.translate(snapshot).gateways());
        took[r - 1] = System.nanoTime() - start;
        if (!result.containsValue(SnapshotPublisher.Result.PUBLISHED)) {
          throw new IllegalStateException(kind.getKey() + " " + r + " was not published: "
              + result.values().stream().distinct().toList());
        }
      }
      times.put(kind.getKey(), took);
    }
    translator.close();

    System.out.printf("%s, load average at end: %s%n", shape, load());
    System.out.printf("  full translation + publish (cold translator, %d runs): median %.0f ms, max %.0f ms"
        + " (target < 5,000 ms)%n", fulls, XdsTlsBench.percentile(full, 50), XdsTlsBench.percentile(full, 100));
    times.forEach((name, took) -> System.out.printf("  %s -> translate -> publish (%d changes): median %.1f ms,"
        + " p90 %.1f ms, p99 %.1f ms (target < 100 ms)%n", name, changeCount, XdsTlsBench.percentile(took, 50),
        XdsTlsBench.percentile(took, 90), XdsTlsBench.percentile(took, 99)));
    System.out.printf("  heap after GC: empty %.0f MiB, + snapshot %.0f MiB, serving (snapshot, translator,"
        + " published) %.0f MiB (target < 1,024 MiB)%n", HeapMeter.mib(emptyHeap), HeapMeter.mib(snapshotHeap),
        HeapMeter.mib(servingHeap));
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
