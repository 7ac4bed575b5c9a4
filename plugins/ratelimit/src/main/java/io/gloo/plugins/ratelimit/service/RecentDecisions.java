package io.gloo.plugins.ratelimit.service;

import com.google.errorprone.annotations.ThreadSafe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last {@link #CAPACITY} limit decisions (limited or shadow-limited): which rule of which domain, the window and
 * the limit. Lock-free ring. Request values are not kept: they can be credentials (an API-key header used as a
 * descriptor), so a decision names the rule's path, whose values are the config's own.
 */
@ThreadSafe
public final class RecentDecisions {

  static final int CAPACITY = 128;

  /** One decision. {@code shadow}: the rule is in shadow mode, so the request was not actually limited. */
  public record Decision(long atMillis, String domain, String rule, long limit, String unit, long count,
      boolean shadow) {}

  private final AtomicReferenceArray<Decision> ring = new AtomicReferenceArray<>(CAPACITY);
  private final AtomicLong next = new AtomicLong();

  void add(Decision d) {
    ring.set((int) (next.getAndIncrement() % CAPACITY), d);
  }

  /** Newest first. */
  public List<Decision> recent() {
    long end = next.get();
    List<Decision> out = new ArrayList<>();
    for (long i = end - 1; i >= 0 && i >= end - CAPACITY; i--) {
      Decision d = ring.get((int) (i % CAPACITY));
      if (d != null) {
        out.add(d);
      }
    }
    return out;
  }
}
