package io.gloo.core.xds;

import com.google.errorprone.annotations.ThreadSafe;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.WatchCancelledException;
import io.envoyproxy.controlplane.cache.XdsRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A minimum interval between two pushes of one xDS type to one proxy ({@code gloo serve --xds-min-push-interval},
 * default {@value #DEFAULT_MIN_INTERVAL_MILLIS} ms), so that endpoint churn reaches each proxy as at most one EDS
 * response per interval carrying the latest endpoints, instead of one response per EndpointSlice update (a control
 * plane that pushes every update can flood proxies until they run out of memory, Envoy Gateway #5344).
 *
 * <p>Only versions change what is pushed, and versions are content hashes per type ({@code SnapshotPublisher}), so
 * an endpoint-only change makes only EDS watches fire; this class adds the pacing. A response due less than the
 * interval after the previous push of the same (node id, type) is held: when the interval is over, the watch is
 * opened again on the cache with the proxy's request, which answers with the snapshot current <em>then</em>, so every
 * version published meanwhile is coalesced into one push. Not paced: a request from a proxy that runs no version of
 * the type yet (a new or restarted Envoy), the first response of a (node id, type), and a
 * response to a request naming other resources than the previous one (Envoy asking for the endpoints of a cluster it
 * was just sent, for instance), which Envoy waits for while warming.
 *
 * <p>State-of-the-world only: delta watches pass straight through. The per-proxy state is the time and resource
 * names of the last push; entries older than the interval change nothing and are dropped as the map grows.
 *
 * <p>Thread-safe: watches are created on gRPC threads, answered on the publishing thread or this class's timer thread.
 */
@ThreadSafe
public final class PushPacer implements ConfigWatcher, AutoCloseable {

  /** Default of {@code --xds-min-push-interval}. */
  public static final long DEFAULT_MIN_INTERVAL_MILLIS = 100;
  public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofMillis(DEFAULT_MIN_INTERVAL_MILLIS);

  /** The clock and scheduler of held pushes (a test drives both by hand). */
  public interface Timer extends AutoCloseable {
    long nanoTime();

    void schedule(Runnable task, long delayNanos);

    @Override
    default void close() {}

    /** System.nanoTime and one daemon thread named {@code gloo-xds-push-pacer}. */
    static Timer system() {
      ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, XdsServer.THREAD_PREFIX + "push-pacer");
        t.setDaemon(true);
        return t;
      });
      return new Timer() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public void schedule(Runnable task, long delayNanos) {
          executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void close() {
          executor.shutdownNow();
        }
      };
    }
  }

  /** The last push of one type to one proxy. */
  private record LastPush(long atNanos, List<String> resourceNames) {}

  private record Key(String nodeId, String typeUrl) {}

  private final ConfigWatcher delegate;
  private final long minIntervalNanos;
  private final Timer timer;
  private final Map<Key, LastPush> lastPush = new ConcurrentHashMap<>();
  /** Size of {@link #lastPush} after the last purge: the next one waits until it has doubled. */
  private volatile int sizeAfterPurge;

  /** Paces {@code delegate} with its own timer thread. */
  public PushPacer(ConfigWatcher delegate, Duration minInterval) {
    this(delegate, minInterval, Timer.system());
  }

  public PushPacer(ConfigWatcher delegate, Duration minInterval, Timer timer) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    if (minInterval.isNegative()) {
      throw new IllegalArgumentException("the minimum push interval must not be negative: " + minInterval);
    }
    this.minIntervalNanos = minInterval.toNanos();
    this.timer = Objects.requireNonNull(timer, "timer");
  }

  @Override
  public Watch createWatch(boolean ads, XdsRequest request, Set<String> knownResourceNames,
      Consumer<Response> responseConsumer, boolean hasClusterChanged, boolean allowDefaultEmptyEdsUpdate) {
    if (minIntervalNanos == 0 || !request.v3Request().hasNode()) {
      return delegate.createWatch(ads, request, knownResourceNames, responseConsumer, hasClusterChanged,
          allowDefaultEmptyEdsUpdate);
    }
    if (request.getVersionInfo().isEmpty()) {
      // A proxy that runs nothing of the type yet (a new or restarted Envoy) is answered at once; the interval to
      // its next push counts from this answer.
      Key key = new Key(request.v3Request().getNode().getId(), request.getTypeUrl());
      return delegate.createWatch(ads, request, knownResourceNames, response -> {
        lastPush.put(key, new LastPush(timer.nanoTime(), request.getResourceNamesList()));
        responseConsumer.accept(response);
      }, hasClusterChanged, allowDefaultEmptyEdsUpdate);
    }
    Watch outer = new Watch(ads, allowDefaultEmptyEdsUpdate, request, responseConsumer);
    PacedWatch paced = new PacedWatch(outer, ads, request, knownResourceNames, hasClusterChanged,
        allowDefaultEmptyEdsUpdate);
    outer.setStop(paced::stop);
    paced.open(false);
    return outer;
  }

  @Override
  public DeltaWatch createDeltaWatch(DeltaXdsRequest request, String requesterVersion,
      Map<String, String> resourceVersions, Set<String> pendingResources, boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer, boolean hasClusterChanged) {
    return delegate.createDeltaWatch(request, requesterVersion, resourceVersions, pendingResources, isWildcard,
        responseConsumer, hasClusterChanged);
  }

  /** Stops the timer; held pushes are not sent. */
  @Override
  public void close() {
    timer.close();
  }

  /** The watch the server holds, and the watch on the cache behind it (opened again after a hold). */
  private final class PacedWatch {
    private final Watch outer;
    private final boolean ads;
    private final XdsRequest request;
    private final Set<String> knownResourceNames;
    private final boolean hasClusterChanged;
    private final boolean allowDefaultEmptyEdsUpdate;
    private final Key key;
    private Watch inner; // guarded by this
    private boolean answered; // guarded by this

    PacedWatch(Watch outer, boolean ads, XdsRequest request, Set<String> knownResourceNames,
        boolean hasClusterChanged, boolean allowDefaultEmptyEdsUpdate) {
      this.outer = outer;
      this.ads = ads;
      this.request = request;
      this.knownResourceNames = knownResourceNames;
      this.hasClusterChanged = hasClusterChanged;
      this.allowDefaultEmptyEdsUpdate = allowDefaultEmptyEdsUpdate;
      this.key = new Key(request.v3Request().getNode().getId(), request.getTypeUrl());
    }

    /** Opens the watch on the cache; {@code due}: the interval is over, answer whatever it sends at once. */
    void open(boolean due) {
      Watch opened = delegate.createWatch(ads, request, knownResourceNames, response -> offer(response, due),
          hasClusterChanged, allowDefaultEmptyEdsUpdate);
      synchronized (this) {
        if (answered || outer.isCancelled()) {
          opened.cancel(); // answered synchronously (already out of the cache), or the stream moved on
        } else {
          inner = opened;
        }
      }
    }

    void stop() {
      Watch current;
      synchronized (this) {
        current = inner;
        inner = null;
      }
      if (current != null) {
        current.cancel();
      }
    }

    private void offer(Response response, boolean due) {
      if (outer.isCancelled()) {
        return;
      }
      long now = timer.nanoTime();
      long[] waitNanos = {0};
      lastPush.compute(key, (k, last) -> {
        boolean sameNames = last != null && last.resourceNames().equals(request.getResourceNamesList());
        long wait = due || !sameNames ? 0 : last.atNanos() + minIntervalNanos - now;
        if (wait > 0) {
          waitNanos[0] = wait;
          return last;
        }
        return new LastPush(now, request.getResourceNamesList());
      });
      if (waitNanos[0] > 0) {
        // Held: nothing is answered now; the cache is asked again when the interval is over.
        timer.schedule(() -> {
          if (!outer.isCancelled()) {
            open(true);
          }
        }, waitNanos[0]);
        return;
      }
      synchronized (this) {
        answered = true;
      }
      try {
        outer.respond(response);
      } catch (WatchCancelledException e) {
        // the stream ended or asked again meanwhile: it gets the current version through its new watch
      }
      purgeIfGrown(now);
    }
  }

  private void purgeIfGrown(long now) {
    int size = lastPush.size();
    if (size < 2 * sizeAfterPurge + 64) {
      return;
    }
    lastPush.values().removeIf(last -> now - last.atNanos() >= minIntervalNanos);
    sizeAfterPurge = lastPush.size();
  }
}
