package io.gloo.core.plugin;

import com.google.errorprone.annotations.ThreadSafe;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Read-only JSON views plugins register ({@code PluginContext.registerAdminView}), served by the admin API at
 * {@code /plugins/<plugin id>/<name>}. A view is called with its plugin's classloader as context, and removed when
 * its plugin is unloaded.
 */
@ThreadSafe
public final class AdminViews {

  private record View(ClassLoader loader, Supplier<String> json) {}

  /** {@code <plugin id>/<name>} → view */
  private final Map<String, View> views = new ConcurrentHashMap<>();

  void register(String pluginId, ClassLoader loader, String name, Supplier<String> json) {
    if (!name.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("admin view name '" + name + "': lower-case letters, digits and '-' only");
    }
    if (views.putIfAbsent(pluginId + "/" + name, new View(loader, json)) != null) {
      throw new IllegalStateException("plugin " + pluginId + " already has an admin view named " + name);
    }
  }

  void removeAll(String pluginId) {
    views.keySet().removeIf(key -> key.startsWith(pluginId + "/"));
  }

  /** The view's JSON now, or empty when there is no such view. */
  public Optional<String> render(String pluginId, String name) {
    View view = views.get(pluginId + "/" + name);
    return view == null ? Optional.empty() : Optional.of(PluginCalls.call(view.loader(), view.json()::get));
  }

  /** {@code <plugin id>/<name>} of every view, sorted. */
  public java.util.Set<String> names() {
    return new TreeMap<>(views).keySet();
  }
}
