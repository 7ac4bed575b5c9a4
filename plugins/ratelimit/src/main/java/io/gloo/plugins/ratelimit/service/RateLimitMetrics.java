package io.gloo.plugins.ratelimit.service;

import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.spi.PluginMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * Latencies, recorded on the request path through recorders bound once ({@link #bind}): every decision
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

  private record Key(String domain, String rule, Outcome outcome) {}

  private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> storeErrors = new ConcurrentHashMap<>();
  private final LongAdder rejectedSelectors = new LongAdder();
  private static final LongConsumer NONE = nanos -> { };
  private volatile LongConsumer decisionTime = NONE;
  private volatile LongConsumer storeOkTime = NONE;
  private volatile LongConsumer storeErrorTime = NONE;

  /** Records latencies into {@code metrics} from now on ({@code store}: the counter store's name). */
  public void bind(PluginMetrics metrics, String store) {
    decisionTime = metrics.timer(DECISION_DURATION);
    storeOkTime = metrics.timer(STORE_DURATION, "store", store, "result", "ok");
    storeErrorTime = metrics.timer(STORE_DURATION, "store", store, "result", "error");
  }

  /** One decision answered, {@code nanos} after the request came. */
  void decided(long nanos) {
    decisionTime.accept(nanos);
  }

  /** One counter-store call completed ({@code ok}) or failed, after {@code nanos}. */
  void stored(boolean ok, long nanos) {
    (ok ? storeOkTime : storeErrorTime).accept(nanos);
  }

  void record(Rule rule, Outcome outcome) {
    counts.computeIfAbsent(new Key(rule.domain(), rule.id(), outcome), k -> new LongAdder()).increment();
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
    LongAdder a = counts.get(new Key(domain, rule, outcome));
    return a == null ? 0 : a.sum();
  }

  public long storeErrors(FailMode mode) {
    LongAdder a = storeErrors.get(mode.label());
    return a == null ? 0 : a.sum();
  }

  private final Map<Object, Long> flushed = new ConcurrentHashMap<>();

  /** Reports what was counted since the last flush. Not concurrent with itself (one scheduler thread). */
  public void flush(PluginMetrics metrics) {
    counts.forEach((k, adder) -> {
      long total = adder.sum();
      long delta = total - flushed.getOrDefault(k, 0L);
      if (delta > 0) {
        metrics.count(DECISIONS, delta, "domain", k.domain, "rule", k.rule, "outcome", k.outcome.tag());
        flushed.put(k, total);
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
