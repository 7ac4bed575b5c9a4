package io.gloo.core.cli;

import io.gloo.core.plugin.PluginManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The plugin options of the offline commands ({@code translate}, {@code route-check}, {@code status}), spelled as
 * {@code gloo serve} spells them, so that the same command line loads the same plugins. A picocli mixin.
 */
final class PluginOptions {

  @Option(names = "--plugins-dir", paramLabel = "DIR",
      description = "Directory of plugin archives, loaded offline: no plugin opens a port"
          + " (default: $GLOO_HOME/plugins, or ./plugins; the OSS distribution's holds none).")
  Path pluginsDir;

  @Option(names = "--plugins", split = ",", paramLabel = "ID",
      description = "Load only these plugin ids, as gloo serve --plugins (default: all, minus disabled.txt).")
  List<String> pluginIds = new ArrayList<>();

  @Option(names = "--plugin-config", paramLabel = "ID.KEY=VALUE",
      description = "Configuration for a plugin, as gloo serve --plugin-config (repeatable).")
  List<String> pluginConfig = new ArrayList<>();

  /**
   * The plugin manager's options, in offline mode.
   *
   * @throws IllegalArgumentException for a malformed {@code --plugin-config}
   */
  PluginManager.Options offline() {
    return new PluginManager.Options(pluginsDir == null ? PluginManager.defaultDir() : pluginsDir,
        new LinkedHashSet<>(pluginIds), PluginManager.parseConfig(pluginConfig), null, null).offline();
  }
}
