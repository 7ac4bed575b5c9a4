package io.gloo.core.plugin;

import io.gloo.spi.PluginMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/** Core's own plugin meters ({@link PluginMeters}) for test contexts outside this package. */
public final class TestPluginMeters {

  private TestPluginMeters() {}

  /** The meters core gives plugin {@code pluginId}, registered in {@code registry}. */
  public static PluginMetrics of(String pluginId, MeterRegistry registry) {
    return new PluginMeters(pluginId, registry);
  }
}
