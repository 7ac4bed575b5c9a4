package io.gloo.core.cli;

import io.gloo.core.plugin.PluginManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The plugin options of {@code gloo serve} and of the commands that load plugins offline ({@code translate},
 * {@code route-check}, {@code status}, {@code plugins}): one definition, so that the same command line loads the same
 * plugins everywhere. A picocli mixin.
 */
final class PluginOptions {

  @Option(names = "--plugins-dir", paramLabel = "DIR",
      description = "Directory of plugin archives (*.zip, *.jar; default: $GLOO_HOME/plugins, or ./plugins; the OSS"
          + " distribution's holds none). gloo serve watches it; the other commands load them offline (no port).")
  Path pluginsDir;

  @Option(names = "--plugins", split = ",", paramLabel = "ID",
      description = "Load only these plugin ids (comma-separated; default: all, minus disabled.txt).")
  List<String> pluginIds = new ArrayList<>();

  @Option(names = "--plugin-config", paramLabel = "ID.KEY=VALUE",
      description = "Configuration for a plugin (repeatable).")
  List<String> pluginConfig = new ArrayList<>();

  /**
   * The plugin manager's options for serving. Archives are expanded once into the cache the launcher names, if any
   * (issue #21: not 17 MB of zips per run).
   *
   * @throws IllegalArgumentException for a malformed {@code --plugin-config}
   */
  PluginManager.Options serving() {
    return new PluginManager.Options(pluginsDir == null ? PluginManager.defaultDir() : pluginsDir,
        new LinkedHashSet<>(pluginIds), PluginManager.parseConfig(pluginConfig), null, null).withConfiguredCache();
  }

  /**
   * The plugin manager's options, in offline mode.
   *
   * @throws IllegalArgumentException for a malformed {@code --plugin-config}
   */
  PluginManager.Options offline() {
    return serving().offline();
  }
}
