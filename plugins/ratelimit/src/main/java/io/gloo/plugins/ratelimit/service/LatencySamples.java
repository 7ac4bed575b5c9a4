package io.gloo.plugins.ratelimit.service;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongConsumer;

/**
 * Latencies for a few timers, kept on the thread that measured them and handed to the timers by one draining thread
 * ({@link #drain}, every 100 ms in the plugin). A request then pays an array store under its own thread's
 * uncontended lock instead of a histogram update (a binary search and a handful of atomic increments on counters that
 * every request thread shares, plus a time-window rotation check): the histograms stay exact (every sample, its own
 * value), only up to a drain period late. A thread whose buffer fills before a drain hands its samples over itself.
 */
@ThreadSafe
final class LatencySamples {

  /** Samples per thread between drains: 100 ms of 80,000 decisions/s on one thread. */
  static final int CAPACITY = 8192;
  /** Timer index in the top bits of a sample, nanoseconds in the rest (2^60 ns is 36 years). */
  private static final int INDEX_SHIFT = 60;
  private static final long NANOS_MASK = (1L << INDEX_SHIFT) - 1;

  private final LongConsumer[] timers;
  private final Queue<Samples> threads = new ConcurrentLinkedQueue<>();
  private final ThreadLocal<Samples> local = ThreadLocal.withInitial(this::register);

  /** @param timers at most 16; each sample goes to the one of its index */
  LatencySamples(LongConsumer... timers) {
    if (timers.length > 1 << (Long.SIZE - INDEX_SHIFT - 1)) {
      throw new IllegalArgumentException("too many timers: " + timers.length);
    }
    this.timers = timers.clone();
  }

  void add(int timer, long nanos) {
    local.get().add(((long) timer << INDEX_SHIFT) | (Math.max(0, nanos) & NANOS_MASK));
  }

  /** Hands every sample taken so far to its timer; forgets the buffers of threads that ended. */
  synchronized void drain() {
    for (Samples s : threads) {
      s.drain();
      if (!s.owner.isAlive()) {
        threads.remove(s);
        s.drain(); // a last sample taken between the drain and the end of its thread
      }
    }
  }

  private Samples register() {
    Samples s = new Samples(Thread.currentThread());
    threads.add(s);
    return s;
  }

  private final class Samples {
    final Thread owner;
    @GuardedBy("this")
    private long[] values = new long[CAPACITY];
    @GuardedBy("this")
    private int size;
    /** The drained array, reused: samples are handed over outside the lock, so the owner never waits for them. */
    private long[] spare = new long[CAPACITY];

    Samples(Thread owner) {
      this.owner = owner;
    }

    void add(long sample) {
      long[] full = null;
      int fullSize = 0;
      synchronized (this) {
        if (size == values.length) {
          full = values;
          fullSize = size;
          values = new long[CAPACITY];
          size = 0;
        }
        values[size++] = sample;
      }
      if (full != null) {
        hand(full, fullSize);
      }
    }

    /** Called under the outer {@link LatencySamples#drain} lock only (hence {@code spare} without this one). */
    void drain() {
      long[] taken;
      int n;
      synchronized (this) {
        if (size == 0) {
          return;
        }
        taken = values;
        n = size;
        values = spare;
        size = 0;
      }
      hand(taken, n);
      spare = taken;
    }

    private void hand(long[] samples, int n) {
      for (int i = 0; i < n; i++) {
        timers[(int) (samples[i] >>> INDEX_SHIFT)].accept(samples[i] & NANOS_MASK);
      }
    }
  }
}
