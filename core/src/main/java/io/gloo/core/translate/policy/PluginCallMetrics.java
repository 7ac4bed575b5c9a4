package io.gloo.core.translate.policy;

import com.google.errorprone.annotations.ThreadSafe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * What the plugin host ({@link PluginInvoker}) measures of every call into plugin code, whichever plugin it is:
 * {@code gloo_plugin_calls_total{plugin, kind, result}} (result {@code ok}, or the failure's reason:
 * {@code exception}, {@code timeout}, {@code circuit-open}, {@code threads-exhausted}, {@code interrupted}) and
 * {@code gloo_plugin_call_duration_seconds{plugin, kind}} (a histogram of the calls that ran, fixed buckets from
 * 10 µs to 10 s; a call refused by an open circuit did not run and is not timed). Kinds are the plugin's policy kinds
 * (a bounded set), never resource names. Meters are looked up once per plugin, kind and result.
 */
@ThreadSafe
final class PluginCallMetrics {

  static final Duration[] BUCKETS = {
      Duration.ofNanos(10_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(500_000),
      Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
      Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private record Key(String plugin, String kind, String result) {}

  private final MeterRegistry registry;
  private final ConcurrentMap<Key, Counter> calls = new ConcurrentHashMap<>();
  private final ConcurrentMap<Key, Timer> durations = new ConcurrentHashMap<>();

  PluginCallMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** One call of {@code kind}'s plugin that ended with {@code result}; {@code nanos} &lt; 0: it did not run. */
  void record(RegisteredKind kind, String result, long nanos) {
    String plugin = kind.pluginId();
    String kindName = kind.groupKind().toString();
    calls.computeIfAbsent(new Key(plugin, kindName, result), k -> Counter.builder("gloo.plugin.calls")
        .description("calls into plugin code by the plugin host, by result (ok or the failure's reason)")
        .tag("plugin", k.plugin()).tag("kind", k.kind()).tag("result", k.result()).register(registry)).increment();
    if (nanos >= 0) {
      durations.computeIfAbsent(new Key(plugin, kindName, ""), k -> Timer.builder("gloo.plugin.call.duration")
          .description("time of calls into plugin code (timed-out calls count their time limit)")
          .tag("plugin", k.plugin()).tag("kind", k.kind()).serviceLevelObjectives(BUCKETS).register(registry))
          .record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
