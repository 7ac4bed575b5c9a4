package io.gloo.core.plugin;

import io.gloo.spi.policy.PolicyKind;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An immutable view of every plugin archive in the plugins directory, sorted by id: what core registers kinds from
 * and translates with. A new instance is published (to {@link PluginManager#addListener listeners}) on every change.
 */
public record LoadedPlugins(List<LoadedPlugin> plugins) {

  public static final LoadedPlugins EMPTY = new LoadedPlugins(List.of());

  public LoadedPlugins {
    plugins = plugins.stream().sorted(Comparator.comparing(LoadedPlugin::id)
        .thenComparing(p -> p.archive() == null ? "" : p.archive().toString())).toList();
  }

  public Optional<LoadedPlugin> get(String id) {
    return plugins.stream().filter(p -> p.id().equals(id)).filter(LoadedPlugin::started).findFirst()
        .or(() -> plugins.stream().filter(p -> p.id().equals(id)).findFirst());
  }

  public List<LoadedPlugin> started() {
    return plugins.stream().filter(LoadedPlugin::started).toList();
  }

  /** Every kind of every started plugin. */
  public List<PolicyKind<?>> kinds() {
    return started().stream().flatMap(p -> p.kinds().stream()).toList();
  }

  public boolean isEmpty() {
    return plugins.isEmpty();
  }
}
