package io.gloo.core.watch;

import io.gloo.core.store.ResourceSnapshot;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Where input resources come from: a directory of YAML manifests (the embedded default) or a Kubernetes cluster.
 * Both produce the same {@link ResourceSnapshot}s; the rest of the pipeline does not know which one it reads.
 */
public interface ConfigSource extends AutoCloseable {

  /**
   * Loads the current state, hands it to {@code listener} before returning, and keeps watching: every later
   * change produces a new snapshot. The listener is called from one thread at a time.
   */
  void start(Consumer<ResourceSnapshot> listener);

  /** The latest snapshot (empty before {@link #start}). */
  ResourceSnapshot current();

  /** A one-line description for logs and readiness, e.g. {@code directory /etc/gloo (12 files)}. */
  String describe();

  /** Null when the source is in sync with what it reads; otherwise why not (for {@code /readyz}). */
  default String notReadyReason() {
    return null;
  }

  /**
   * {@code nanos} hears, before each snapshot is delivered, how long reading it took: for a directory, reading and
   * parsing the changed files into a snapshot; for Kubernetes, assembling the snapshot from the informers' caches
   * (the API objects are decoded by the informers as they arrive). For {@code gloo_translation_phase_seconds
   * {phase="parse"}}. Set it before {@link #start}.
   */
  default void timeParsing(LongConsumer nanos) {}

  @Override
  void close();
}
