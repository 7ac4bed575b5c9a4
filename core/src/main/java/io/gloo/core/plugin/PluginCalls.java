package io.gloo.core.plugin;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every call from core into plugin code goes through here: it sets the thread context classloader to the plugin's
 * classloader for the duration of the call and restores the previous one afterwards (libraries a plugin bundles,
 * e.g. ServiceLoader-based ones, look there). Use it for {@code start}, {@code stop}, {@code policyKinds}, and for
 * every translator, validator and background-service call.
 */
public final class PluginCalls {

  /** A call that returns nothing and may throw. */
  @FunctionalInterface
  public interface Call {
    void run() throws Exception;
  }

  /**
   * How long {@code start}, {@code policyKinds} and {@code fieldExtensions} may take before the plugin is refused:
   * a plugin that hangs there must not hold the plugin manager (and every other plugin's reload) forever.
   */
  public static final Duration LIFECYCLE_TIMEOUT = Duration.ofSeconds(30);

  private PluginCalls() {}

  /**
   * {@link #call(ClassLoader, Callable)} on a thread of its own, given up after {@code timeout}: the thread is
   * interrupted and a {@link PluginCallException} says what did not return. A call that ignores the interrupt keeps
   * its (daemon) thread until it returns; that costs one thread per attempt to load the plugin, not per call.
   */
  public static <T> T callWithin(ClassLoader loader, Duration timeout, String what, Callable<T> call) {
    FutureTask<T> task = new FutureTask<>(() -> call(loader, call));
    Thread thread = new Thread(task, "gloo-plugin-" + what);
    thread.setDaemon(true);
    thread.start();
    try {
      return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      task.cancel(true);
      throw new PluginCallException(what + " did not return within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new PluginCallException(cause instanceof Exception ex ? ex : new Exception(cause));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      task.cancel(true);
      throw new PluginCallException(what + " was interrupted");
    }
  }

  /** {@link #callWithin} with {@link #LIFECYCLE_TIMEOUT}, for a plugin's lifecycle calls. */
  public static <T> T lifecycle(ClassLoader loader, String what, Callable<T> call) {
    return callWithin(loader, LIFECYCLE_TIMEOUT, what, call);
  }

  /**
   * Runs {@code call} with {@code loader} as the context classloader. Runtime exceptions and errors propagate
   * unchanged; checked exceptions are wrapped in {@link PluginCallException}.
   */
  public static <T> T call(ClassLoader loader, Callable<T> call) {
    Objects.requireNonNull(call, "call");
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      return call.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new PluginCallException(e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  /** {@link #call(ClassLoader, Callable)} into a loaded plugin. */
  public static <T> T call(LoadedPlugin plugin, Callable<T> call) {
    return call(loaderOf(plugin), call);
  }

  /**
   * {@link #call(ClassLoader, Callable)} into the plugin that defined {@code pluginObject} (a {@code PolicyKind},
   * a translator, a background service ...): the handy form for translation code.
   */
  public static <T> T callOn(Object pluginObject, Callable<T> call) {
    return call(pluginObject.getClass().getClassLoader(), call);
  }

  public static void run(ClassLoader loader, Call call) {
    call(loader, () -> {
      call.run();
      return null;
    });
  }

  public static void run(LoadedPlugin plugin, Call call) {
    run(loaderOf(plugin), call);
  }

  /** {@link #run(ClassLoader, Call)} into the plugin that defined {@code pluginObject}. */
  public static void runOn(Object pluginObject, Call call) {
    run(pluginObject.getClass().getClassLoader(), call);
  }

  private static ClassLoader loaderOf(LoadedPlugin plugin) {
    ClassLoader loader = plugin.classLoader();
    if (loader == null) {
      throw new IllegalStateException("plugin " + plugin.id() + " is " + plugin.state().label() + ", not started");
    }
    return loader;
  }

  /** A checked exception thrown by plugin code. */
  public static final class PluginCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PluginCallException(Exception cause) {
      super(cause.toString(), cause);
    }

    PluginCallException(String message) {
      super(message);
    }
  }
}
