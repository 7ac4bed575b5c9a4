package io.gloo.core.translate.policy;

import com.google.errorprone.annotations.ThreadSafe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls into plugin code with fault containment: the plugin's classloader as the thread context classloader, a time
 * limit per call, and every exception turned into a {@link PluginFailure} (counted in
 * {@code gloo_plugin_failures_total{plugin,kind,reason}}) so that one plugin cannot break the translation of the
 * rest of the gateway. A call that hangs is abandoned (its thread interrupted) and the translation goes on.
 */
@ThreadSafe
public final class PluginInvoker implements AutoCloseable {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  private final Duration timeout;
  private final MeterRegistry metrics;
  private final ExecutorService executor;

  public PluginInvoker() {
    this(DEFAULT_TIMEOUT, new SimpleMeterRegistry());
  }

  public PluginInvoker(Duration timeout, MeterRegistry metrics) {
    this.timeout = timeout;
    this.metrics = metrics;
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "gloo-plugin-call-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** A plugin call that failed: threw, timed out, or returned something unusable. */
  public static final class PluginFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public PluginFailure(String reason, String message, Throwable cause) {
      super(message, cause);
      this.reason = reason;
    }

    /** {@code exception}, {@code timeout} or {@code invalid}. */
    public String reason() {
      return reason;
    }
  }

  /** Runs {@code call} as plugin code of {@code kind}; {@code what} names the call in failure messages. */
  public <T> T call(RegisteredKind kind, String what, Callable<T> call) throws PluginFailure {
    Future<T> future = executor.submit(() -> {
      Thread thread = Thread.currentThread();
      ClassLoader previous = thread.getContextClassLoader();
      thread.setContextClassLoader(kind.classLoader());
      try {
        return call.call();
      } finally {
        thread.setContextClassLoader(previous);
      }
    });
    try {
      return future.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw failure(kind, "timeout", what + " did not return within " + timeout.toMillis() + " ms", null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw failure(kind, "exception", what + " threw " + cause.getClass().getSimpleName()
          + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw failure(kind, "interrupted", what + " was interrupted", e);
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
  }
}
