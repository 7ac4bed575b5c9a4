package io.gloo.plugins.ratelimit.store;

import java.util.concurrent.CompletionStage;

/**
 * Where the rate-limit service counts. A counter is identified by its key (which already carries the window it
 * counts, so a counter never needs resetting) and lives at least until {@code expireAtMillis}, the end of its window;
 * after that it may vanish. Implementations are thread-safe and exact: concurrent increments of one key are never
 * lost.
 */
public interface CounterStore extends AutoCloseable {

  /**
   * Adds {@code hits[i]} to counter {@code keys[i]} for every i, in one step of the store (one round trip for a remote
   * one), and completes with the counters' new values, in order. Completes exceptionally with
   * {@link StoreUnavailableException} when the store cannot be reached; never blocks the caller on I/O.
   */
  CompletionStage<long[]> increment(String[] keys, long[] hits, long[] expireAtMillis);

  /** A name for logs and metrics: {@code memory} or {@code redis}. */
  String name();

  @Override
  default void close() {}
}
