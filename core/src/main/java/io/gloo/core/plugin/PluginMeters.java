package io.gloo.core.plugin;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.gloo.spi.PluginMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongConsumer;

/**
 * The meters of one plugin ({@link PluginMetrics}): named {@code gloo.plugin.NAME} (Prometheus
 * {@code gloo_plugin_NAME}) and tagged {@code plugin=ID}; timings are histograms with fixed buckets
 * ({@link #BUCKETS}, 50 µs to 10 s: a bounded number of series per timer, unlike Micrometer's percentile histogram);
 * every meter is removed by {@link #close()} when the plugin is unloaded.
 */
@ThreadSafe
final class PluginMeters implements PluginMetrics {

  /** Plugin meters are named {@code gloo.plugin.NAME} and tagged {@code plugin=ID}. */
  static final String METER_PREFIX = "gloo.plugin.";
  static final String PLUGIN_TAG = "plugin";

  /** The histogram buckets of plugin timings. */
  static final Duration[] BUCKETS = {
      Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
      Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10)};

  private final String pluginId;
  private final MeterRegistry registry;
  @GuardedBy("this")
  private final Set<Meter.Id> meters = new LinkedHashSet<>();
  @GuardedBy("this")
  private boolean closed;

  PluginMeters(String pluginId, MeterRegistry registry) {
    this.pluginId = pluginId;
    this.registry = registry;
  }

  @Override
  public void count(String name, double amount, String... tags) {
    Counter counter = Counter.builder(METER_PREFIX + name).tags(tags(tags)).register(registry);
    remember(counter.getId());
    counter.increment(amount);
  }

  @Override
  public void recordNanos(String name, long nanos, String... tags) {
    timerOf(name, tags).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public LongConsumer timer(String name, String... tags) {
    Timer timer = timerOf(name, tags);
    return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void gauge(String name, DoubleSupplier value, String... tags) {
    DoubleSupplier supplier = java.util.Objects.requireNonNull(value, "value");
    Gauge gauge = Gauge.builder(METER_PREFIX + name, supplier, PluginMeters::read).tags(tags(tags))
        .strongReference(true).register(registry);
    remember(gauge.getId());
  }

  /** A gauge's value; a supplier that throws reads as NaN (the scrape goes on). */
  private static double read(DoubleSupplier supplier) {
    try {
      return supplier.getAsDouble();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  private Timer timerOf(String name, String... tags) {
    Timer timer = Timer.builder(METER_PREFIX + name).tags(tags(tags)).serviceLevelObjectives(BUCKETS)
        .register(registry);
    remember(timer.getId());
    return timer;
  }

  private Tags tags(String... tags) {
    if (tags.length % 2 != 0) {
      throw new IllegalArgumentException("tags are key/value pairs: got an odd number (" + tags.length + ")");
    }
    return Tags.of(tags).and(PLUGIN_TAG, pluginId);
  }

  /** Keeps the id for {@link #close()}; a meter registered after close (a late call) is removed at once. */
  private void remember(Meter.Id id) {
    synchronized (this) {
      if (!closed) {
        meters.add(id);
        return;
      }
    }
    registry.remove(id);
  }

  /** Removes every meter the plugin registered. */
  void close() {
    List<Meter.Id> ids;
    synchronized (this) {
      closed = true;
      ids = new ArrayList<>(meters);
      meters.clear();
    }
    ids.forEach(registry::remove);
  }
}
