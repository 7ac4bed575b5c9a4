package io.gloo.core.plugin;

import com.google.errorprone.annotations.ThreadSafe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The metric {@code gloo_plugin_load_failures_total{plugin,reason}}: one count per failed load of an archive (or
 * refused replacement). {@code reason} is one of the short labels below, not the message, so that its cardinality
 * stays small.
 */
@ThreadSafe
final class LoadFailures {

  static final String METER = "gloo.plugin.load.failures";
  /** Unreadable archive (not a zip or jar, I/O error). */
  static final String ARCHIVE = "archive";
  /** No Plugin-Id or Plugin-Version in the manifest. */
  static final String MANIFEST = "manifest";
  /** Plugin-Requires excludes the SPI version of this core. */
  static final String REQUIRES = "requires";
  /** Neither classes/ nor lib/, or no GlooPlugin listed. */
  static final String LAYOUT = "layout";
  /** Another archive has the same Plugin-Id. */
  static final String DUPLICATE = "duplicate";
  /** A policy kind is declared twice or already registered. */
  static final String KIND_CONFLICT = "kind-conflict";
  /** A gRPC port could not be bound. */
  static final String PORT = "port";
  /** The plugin threw (start, policyKinds, ...) or did not link. */
  static final String START = "start";

  private final MeterRegistry meters;

  LoadFailures(MeterRegistry meters) {
    this.meters = meters;
  }

  void record(String plugin, String reason) {
    Counter.builder(METER).description("plugin archives that failed to load, by plugin id and reason")
        .tag("plugin", plugin).tag("reason", reason).register(meters).increment();
  }
}
