package io.gloo.core.plugin;

import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code gloo_plugin_info{plugin, version, state}} = 1 for every plugin archive the manager knows ({@code started},
 * {@code disabled}, {@code failed}; a replacement refused while its last good version keeps serving is not a change
 * of the loaded set: it shows on {@code /plugins} and {@code /readyz}, not here),
 * the Prometheus "info" pattern: join on {@code plugin} to label other series with the version, or alert on
 * {@code state="failed"}. Rewritten whenever the set of plugins changes; series of plugins that are gone disappear.
 */
public final class PluginInfoMetrics {

  private final MultiGauge gauge;

  private PluginInfoMetrics(MeterRegistry registry) {
    this.gauge = MultiGauge.builder("gloo.plugin.info")
        .description("plugins known to the plugin manager, by id, version and state (value 1)").register(registry);
  }

  /** Shows {@code manager}'s plugins in {@code registry}, now and after every change. */
  public static PluginInfoMetrics bind(PluginManager manager, MeterRegistry registry) {
    PluginInfoMetrics metrics = new PluginInfoMetrics(registry);
    metrics.show(manager.plugins());
    manager.addListener(metrics::show);
    return metrics;
  }

  synchronized void show(LoadedPlugins plugins) {
    Set<Tags> rows = new LinkedHashSet<>();
    for (LoadedPlugin p : plugins.plugins()) {
      rows.add(Tags.of("plugin", p.id(), "version", p.version(), "state", p.state().label()));
    }
    List<MultiGauge.Row<?>> list = rows.stream().<MultiGauge.Row<?>>map(t -> MultiGauge.Row.of(t, 1)).toList();
    gauge.register(list, true);
  }
}
