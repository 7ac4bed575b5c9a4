package io.gloo.plugins.ratelimit.service;

import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.spi.PluginMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Latencies, taken on the request path and recorded off it ({@link LatencySamples}, drained into recorders bound once
 * by {@link #bind}): every decision
 * ({@code gloo.plugin.ratelimit.decision.duration}, from the request to its answer) and every counter-store call
 * ({@code gloo.plugin.ratelimit.store.duration{store, result}}, {@code result} ok or error: Redis round trips when the
 * store is Redis). Histograms, exported by core.
 *
 * <p>Decision counts per domain and rule ({@code allowed}, {@code limited}, {@code shadow_limited}, {@code errors}),
 * summed in-process with {@link LongAdder}s on the request path and handed to {@link PluginMetrics} by
 * {@link #flush()} (the plugin flushes every second), so a request never pays for a meter lookup. Exported as
 * {@code gloo.plugin.ratelimit.decisions{domain, rule, outcome}}. Tags are the rule's id (a path of the config, e.g.
 * {@code type=Whatsapp/number}), never request values: bounded cardinality, no secrets.
 */
@ThreadSafe
public final class RateLimitMetrics {

  public static final String DECISIONS = "ratelimit.decisions";
  public static final String STORE_ERRORS = "ratelimit.store.errors";
  public static final String DECISION_DURATION = "ratelimit.decision.duration";
  public static final String STORE_DURATION = "ratelimit.store.duration";
  /** Descriptors whose config selector was not signed by the control plane (ignored). */
  public static final String REJECTED_SELECTORS = "ratelimit.selector.rejected";

  /** One outcome of one rule for one request. */
  public enum Outcome {
    ALLOWED, LIMITED, SHADOW_LIMITED, ERRORS;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** One rule's decision counts by outcome; {@code flushed} is touched by {@link #flush} only. */
  private record RuleCounts(String domain, String rule, LongAdder[] byOutcome, long[] flushed) {
    RuleCounts(String domain, String rule) {
      this(domain, rule, new LongAdder[Outcome.values().length], new long[Outcome.values().length]);
      for (int i = 0; i < byOutcome.length; i++) {
        byOutcome[i] = new LongAdder();
      }
    }
  }

  /**
   * By the rule's counter-key prefix ({@link Rule#keyPrefix}, domain and id): the same string instance on every
   * request, so its hash is cached and the lookup allocates nothing.
   */
  private final Map<String, RuleCounts> counts = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> storeErrors = new ConcurrentHashMap<>();
  private final LongAdder rejectedSelectors = new LongAdder();
  private static final int DECISION = 0;
  private static final int STORE_OK = 1;
  private static final int STORE_ERROR = 2;
  /** Null until bound: latencies are then not recorded at all. */
  private volatile LatencySamples latencies;

  /**
   * Records latencies into {@code metrics} from now on ({@code store}: the counter store's name). They reach the
   * histograms when {@link #drainLatencies} is called (the plugin does every 100 ms).
   */
  public void bind(PluginMetrics metrics, String store) {
    LatencySamples before = latencies;
    latencies = new LatencySamples(metrics.timer(DECISION_DURATION),
        metrics.timer(STORE_DURATION, "store", store, "result", "ok"),
        metrics.timer(STORE_DURATION, "store", store, "result", "error"));
    if (before != null) {
      before.drain();
    }
  }

  /** Hands the latencies recorded so far to the histograms: off the request path, one thread at a time. */
  public void drainLatencies() {
    LatencySamples l = latencies;
    if (l != null) {
      l.drain();
    }
  }

  /** One decision answered, {@code nanos} after the request came. */
  void decided(long nanos) {
    LatencySamples l = latencies;
    if (l != null) {
      l.add(DECISION, nanos);
    }
  }

  /** One counter-store call completed ({@code ok}) or failed, after {@code nanos}. */
  void stored(boolean ok, long nanos) {
    LatencySamples l = latencies;
    if (l != null) {
      l.add(ok ? STORE_OK : STORE_ERROR, nanos);
    }
  }

  void record(Rule rule, Outcome outcome) {
    RuleCounts c = counts.get(rule.keyPrefix());
    if (c == null) {
      c = counts.computeIfAbsent(rule.keyPrefix(), k -> new RuleCounts(rule.domain(), rule.id()));
    }
    c.byOutcome[outcome.ordinal()].increment();
  }

  /** A failed store call, by the fail mode it was answered with. */
  void storeError(FailMode mode) {
    storeErrors.computeIfAbsent(mode.label(), k -> new LongAdder()).increment();
  }

  void rejectedSelector() {
    rejectedSelectors.increment();
  }

  public long rejectedSelectors() {
    return rejectedSelectors.sum();
  }

  /** The count so far (not reset by flushing); for tests and the admin view. */
  public long count(String domain, String rule, Outcome outcome) {
    RuleCounts c = counts.get(Rule.keyPrefix(domain, rule));
    return c == null ? 0 : c.byOutcome[outcome.ordinal()].sum();
  }

  public long storeErrors(FailMode mode) {
    LongAdder a = storeErrors.get(mode.label());
    return a == null ? 0 : a.sum();
  }

  private final Map<String, Long> flushed = new ConcurrentHashMap<>();

  /** Reports what was counted since the last flush. Not concurrent with itself (one scheduler thread). */
  public void flush(PluginMetrics metrics) {
    counts.forEach((prefix, c) -> {
      for (Outcome outcome : Outcome.values()) {
        long total = c.byOutcome[outcome.ordinal()].sum();
        long delta = total - c.flushed[outcome.ordinal()];
        if (delta > 0) {
          metrics.count(DECISIONS, delta, "domain", c.domain, "rule", c.rule, "outcome", outcome.tag());
          c.flushed[outcome.ordinal()] = total;
        }
      }
    });
    long rejected = rejectedSelectors.sum();
    long rejectedDelta = rejected - flushed.getOrDefault(REJECTED_SELECTORS, 0L);
    if (rejectedDelta > 0) {
      metrics.count(REJECTED_SELECTORS, rejectedDelta);
      flushed.put(REJECTED_SELECTORS, rejected);
    }
    storeErrors.forEach((mode, adder) -> {
      long total = adder.sum();
      long delta = total - flushed.getOrDefault(mode, 0L);
      if (delta > 0) {
        metrics.count(STORE_ERRORS, delta, "fail_mode", mode);
        flushed.put(mode, total);
      }
    });
  }
}
