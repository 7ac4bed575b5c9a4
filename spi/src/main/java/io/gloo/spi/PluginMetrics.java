package io.gloo.spi;

import java.util.function.DoubleSupplier;
import java.util.function.LongConsumer;

/**
 * Counters, timings and gauges a plugin reports; core exports them (Prometheus on the admin port) named
 * {@code gloo_plugin_NAME} with the plugin id as the {@code plugin} tag. Tags are alternating key/value strings, of
 * a bounded set of values (rule ids, outcomes; never request values or route names).
 *
 * <p>Methods added after SPI 0.3.0 are default methods (a context written before them still compiles and runs); a
 * plugin that calls them needs a core of SPI 0.4.0 or later ({@code Plugin-Requires >=0.4.0}).
 */
public interface PluginMetrics {

  /** Adds {@code amount} to the counter {@code name}. */
  void count(String name, double amount, String... tags);

  default void increment(String name, String... tags) {
    count(name, 1, tags);
  }

  /**
   * Records one duration in nanoseconds. Core exports timings as histograms ({@code NAME_seconds_bucket}), with
   * fixed buckets from 50 µs to 10 s.
   */
  void recordNanos(String name, long nanos, String... tags);

  /**
   * A recorder for the durations of {@code name} with these tags, looked up once: for a request path, where
   * {@link #recordNanos} would look the timer up on every call. Since SPI 0.4.0.
   */
  default LongConsumer timer(String name, String... tags) {
    return nanos -> recordNanos(name, nanos, tags);
  }

  /**
   * A value read when metrics are scraped (e.g. the version of the config a service uses), for as long as the
   * plugin is loaded; {@code value} must be quick and thread-safe. Registering the same name and tags again keeps
   * the first. Since SPI 0.4.0; a context that does not export gauges ignores it.
   */
  default void gauge(String name, DoubleSupplier value, String... tags) {}
}
