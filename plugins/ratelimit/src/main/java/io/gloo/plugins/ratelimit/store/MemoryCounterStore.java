package io.gloo.plugins.ratelimit.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import com.google.errorprone.annotations.ThreadSafe;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters in this process (the embedded default): a Caffeine cache of atomic counters, each expiring at the end of
 * its window (plus a second's grace for callers that read the clock just before the window closed), bounded to
 * {@code maxCounters} entries. Exact under concurrency: the counter of a key is created once
 * ({@code computeIfAbsent}) and incremented atomically. When more distinct counters are live than the bound, Caffeine
 * evicts the least useful ones, which then restart from zero: size the bound for the expected number of distinct
 * descriptor values per window.
 */
@ThreadSafe
public final class MemoryCounterStore implements CounterStore {

  /** After the window closes, so that a request that read the clock just before the end still finds its counter. */
  static final long GRACE_MILLIS = 1_000;

  private record Counter(AtomicLong value, long expireAtMillis) {}

  private final Cache<String, Counter> counters;

  /**
   * @param clock the service's clock: expiry follows it (so a test's clock that jumps a window ahead expires counters)
   */
  public MemoryCounterStore(long maxCounters, Clock clock) {
    this.counters = Caffeine.newBuilder()
        .maximumSize(maxCounters)
        // the cache's upkeep (eviction, expiry) on the calling thread, a little at a time, rather than handed to the
        // common pool: a hand-off wakes a pool thread, which on a machine of two cores costs the request threads more
        .executor(Runnable::run)
        .ticker(clockTicker(clock))
        .expireAfter(new Expiry<String, Counter>() {
          @Override
          public long expireAfterCreate(String key, Counter c, long now) {
            return Math.max(0, TimeUnit.MILLISECONDS.toNanos(c.expireAtMillis + GRACE_MILLIS) - now);
          }

          @Override
          public long expireAfterUpdate(String key, Counter c, long now, long currentDuration) {
            return currentDuration;
          }

          @Override
          public long expireAfterRead(String key, Counter c, long now, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  /** Caffeine's clock in nanoseconds since the epoch, from the service clock. */
  private static Ticker clockTicker(Clock clock) {
    return () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
  }

  @Override
  public CompletionStage<long[]> increment(String[] keys, long[] hits, long[] expireAtMillis) {
    long[] values = new long[keys.length];
    for (int i = 0; i < keys.length; i++) {
      long expireAt = expireAtMillis[i];
      Counter c = counters.get(keys[i], k -> new Counter(new AtomicLong(), expireAt));
      values[i] = c.value.addAndGet(hits[i]);
    }
    return CompletableFuture.completedFuture(values);
  }

  /** Live counters (approximate; for tests and diagnostics). */
  public long size() {
    counters.cleanUp();
    return counters.estimatedSize();
  }

  @Override
  public String name() {
    return "memory";
  }
}
