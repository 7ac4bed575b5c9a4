package io.gloo.core.plugin;

import io.gloo.core.translate.policy.PolicyCatalog;
import io.gloo.core.translate.policy.RegisteredKind;
import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.PolicyKind;
import java.util.ArrayList;
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

  /**
   * The policy catalog translation uses for these plugins: every kind and field extension of every started plugin,
   * with its classloader. The same for {@code gloo serve} and the offline commands, so that they translate alike.
   */
  public PolicyCatalog policyCatalog() {
    return policyCatalog(List.of());
  }

  /**
   * As {@link #policyCatalog()}, plus guarding kinds a plugin served earlier and none serves now: their policies close
   * the routes they target instead of leaving them open.
   */
  public PolicyCatalog policyCatalog(List<io.gloo.core.translate.policy.AbsentKind> absent) {
    List<RegisteredKind> kinds = new ArrayList<>();
    List<PolicyCatalog.RegisteredExtension> extensions = new ArrayList<>();
    for (LoadedPlugin plugin : started()) {
      for (PolicyKind<?> kind : plugin.kinds()) {
        kinds.add(new RegisteredKind(plugin.id(), kind, plugin.classLoader()));
      }
      for (FieldExtension<?> extension : plugin.fieldExtensions()) {
        extensions.add(new PolicyCatalog.RegisteredExtension(plugin.id(), extension, plugin.classLoader()));
      }
    }
    return new PolicyCatalog(kinds, extensions, absent);
  }

  public boolean isEmpty() {
    return plugins.isEmpty();
  }
}
