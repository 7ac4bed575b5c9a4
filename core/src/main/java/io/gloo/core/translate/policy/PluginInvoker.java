package io.gloo.core.translate.policy;

import com.google.errorprone.annotations.ThreadSafe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls into plugin code with fault containment: the plugin's classloader as the thread context classloader, a time
 * limit per call, and every exception turned into a {@link PluginFailure} (counted in
 * {@code gloo_plugin_failures_total{plugin,kind,reason}}; every call is counted and timed by
 * {@link PluginCallMetrics}) so that one plugin cannot break the translation of the
 * rest of the gateway. A call that hangs is abandoned (its thread interrupted) and the translation goes on.
 *
 * <p>Each plugin has a {@link PluginBreaker}: after a few timeouts its calls fail at once without running (reason
 * {@code circuit-open}; fail-closed kinds then close their routes, fail-open ones are skipped, as for any failure),
 * so a plugin that hangs on every route costs a translation one timeout and a shorter one (see
 * {@link PluginBreaker#timeoutFor}) instead of one per route; and the
 * threads a plugin holds (abandoned calls that never return) are bounded. Openings are counted in
 * {@code gloo_plugin_circuit_open_total{plugin}}, held threads shown in {@code gloo_plugin_threads_held{plugin}},
 * and {@link #breakers()} feeds {@code /statuses}. When an open circuit is due for its trial call the retry
 * listener ({@link #onRetryDue}) is told, so that the server translates again without waiting for a change.
 */
@ThreadSafe
public final class PluginInvoker implements AutoCloseable {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PluginInvoker.class);

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  private final Duration timeout;
  private final MeterRegistry metrics;
  private final PluginCallMetrics calls;
  private final ExecutorService executor;
  private final PluginBreaker.Policy breakerPolicy;
  private final Clock clock;
  /** Per plugin id; replaced when a plugin of that id comes back with a new classloader. */
  private final ConcurrentMap<String, PluginBreaker> breakers = new ConcurrentHashMap<>();
  private final ScheduledExecutorService retries;
  private volatile Runnable retryListener = () -> {};

  public PluginInvoker() {
    this(DEFAULT_TIMEOUT, new SimpleMeterRegistry());
  }

  public PluginInvoker(Duration timeout, MeterRegistry metrics) {
    this(timeout, metrics, PluginBreaker.Policy.DEFAULT, Clock.systemUTC());
  }

  /** @param clock for the breakers' windows (tests move it instead of sleeping) */
  public PluginInvoker(Duration timeout, MeterRegistry metrics, PluginBreaker.Policy breakerPolicy, Clock clock) {
    this.timeout = timeout;
    this.metrics = metrics;
    this.calls = new PluginCallMetrics(metrics);
    this.breakerPolicy = breakerPolicy;
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "gloo-plugin-call-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gloo-plugin-circuit-retry");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * {@code listener} runs (on a timer thread) when an open circuit becomes due for its trial call, so that the
   * caller can translate again; it should only schedule work.
   */
  public void onRetryDue(Runnable listener) {
    this.retryListener = listener;
  }

  /** The breakers of the plugins called so far, by plugin id, for {@code /statuses}. */
  public List<PluginBreaker.View> breakers() {
    return breakers.values().stream().map(PluginBreaker::view)
        .sorted(java.util.Comparator.comparing(PluginBreaker.View::pluginId)).toList();
  }

  /** Whether the plugin's circuit is open or half-open (its calls are not being made). */
  public boolean circuitOpen(String pluginId) {
    PluginBreaker breaker = breakers.get(pluginId);
    return breaker != null && breaker.isOpen();
  }

  /** A plugin call that failed: threw, timed out, or returned something unusable. */
  public static final class PluginFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public PluginFailure(String reason, String message, Throwable cause) {
      super(message, cause);
      this.reason = reason;
    }

    /** {@code exception}, {@code timeout}, {@code invalid}, {@code circuit-open} or {@code threads-exhausted}. */
    public String reason() {
      return reason;
    }
  }

  /** Runs {@code call} as plugin code of {@code kind}; {@code what} names the call in failure messages. */
  public <T> T call(RegisteredKind kind, String what, Callable<T> call) throws PluginFailure {
    PluginBreaker breaker = breaker(kind);
    Duration limit = breaker.timeoutFor(timeout);
    PluginBreaker.Refusal refusal = breaker.admit();
    if (refusal != null) {
      calls.record(kind, refusal.reason(), -1);
      throw failure(kind, refusal.reason(), what + ": " + refusal.message(), null);
    }
    breaker.threadStarted();
    long start = System.nanoTime();
    Future<T> future;
    try {
      future = executor.submit(() -> {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(kind.classLoader());
        try {
          return call.call();
        } finally {
          thread.setContextClassLoader(previous);
          breaker.threadReturned();
        }
      });
    } catch (RejectedExecutionException e) {
      breaker.threadReturned();
      breaker.answered();
      calls.record(kind, "interrupted", -1);
      throw failure(kind, "interrupted", what + " was not run: the invoker is closed", e);
    }
    try {
      T result = future.get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      breaker.answered();
      calls.record(kind, "ok", System.nanoTime() - start);
      return result;
    } catch (TimeoutException e) {
      future.cancel(true);
      calls.record(kind, "timeout", System.nanoTime() - start);
      if (breaker.timedOut()) {
        opened(kind, breaker);
      }
      throw failure(kind, "timeout", what + " did not return within " + limit.toMillis() + " ms", null);
    } catch (ExecutionException e) {
      breaker.answered();
      calls.record(kind, "exception", System.nanoTime() - start);
      Throwable cause = e.getCause();
      throw failure(kind, "exception", what + " threw " + cause.getClass().getSimpleName()
          + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      breaker.answered();
      calls.record(kind, "interrupted", System.nanoTime() - start);
      throw failure(kind, "interrupted", what + " was interrupted", e);
    }
  }

  private PluginBreaker breaker(RegisteredKind kind) {
    return breakers.compute(kind.pluginId(), (id, existing) -> {
      if (existing != null && existing.belongsTo(kind.classLoader())) {
        return existing;
      }
      PluginBreaker fresh = new PluginBreaker(id, kind.classLoader(), breakerPolicy, clock);
      Gauge.builder("gloo.plugin.threads.held", this, invoker -> invoker.threadsHeld(id))
          .description("threads a plugin holds: calls running, including those abandoned after a timeout")
          .tag("plugin", id).register(metrics);
      return fresh;
    });
  }

  private double threadsHeld(String pluginId) {
    PluginBreaker breaker = breakers.get(pluginId);
    return breaker == null ? 0 : breaker.view().threadsHeld();
  }

  private void opened(RegisteredKind kind, PluginBreaker breaker) {
    Counter.builder("gloo.plugin.circuit.open")
        .description("times a plugin's circuit opened (its calls then fail at once until a trial call answers)")
        .tag("plugin", kind.pluginId()).register(metrics).increment();
    PluginBreaker.View view = breaker.view();
    LOG.warn("plugin {}: circuit open ({}); its calls fail at once until {}, then one trial call",
        kind.pluginId(), view.reason(), view.openUntil());
    long delay = Math.max(0, Duration.between(clock.instant(), view.openUntil()).toMillis());
    try {
      retries.schedule(() -> retryListener.run(), delay, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed: nothing to retry
    }
  }
  /** Records a failure found after the call returned (e.g. the plugin produced invalid Envoy config). */
  public PluginFailure failure(RegisteredKind kind, String reason, String message, Throwable cause) {
    Counter.builder("gloo.plugin.failures")
        .description("plugin calls that threw, timed out or returned invalid config")
        .tag("plugin", kind.pluginId()).tag("kind", kind.groupKind().toString()).tag("reason", reason)
        .register(metrics).increment();
    return new PluginFailure(reason, "plugin " + kind.pluginId() + ": " + message, cause);
  }

  @Override
  public void close() {
    executor.shutdownNow();
    retries.shutdownNow();
  }
}
