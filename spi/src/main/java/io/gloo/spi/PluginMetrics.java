package io.gloo.spi;

/**
 * Counters and timings a plugin reports; core exports them (Prometheus on the admin port) with the plugin id as a
 * tag. Tags are alternating key/value strings.
 */
public interface PluginMetrics {

  /** Adds {@code amount} to the counter {@code name}. */
  void count(String name, double amount, String... tags);

  default void increment(String name, String... tags) {
    count(name, 1, tags);
  }

  /** Records one duration in nanoseconds. */
  void recordNanos(String name, long nanos, String... tags);
}
