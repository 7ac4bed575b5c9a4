package io.gloo.core.cli;

import io.gloo.core.plugin.LoadedPlugin;
import io.gloo.core.plugin.LoadedPlugins;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.watch.KindRegistry;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gloo plugins}: loads the plugins directory as {@code gloo serve} would (starting each plugin, since its
 * kinds are only known after {@code start}), lists every archive, and unloads them again.
 */
@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = "List the plugins in a directory: id, version, state, policy kinds and SPI range.")
final class PluginsCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--plugins-dir", paramLabel = "DIR",
      description = "Directory of plugin archives (default: $GLOO_HOME/plugins, or ./plugins).")
  Path pluginsDir;

  @Option(names = "--plugins", split = ",", paramLabel = "ID",
      description = "Treat only these plugin ids as selected, as gloo serve --plugins would.")
  List<String> pluginIds = new ArrayList<>();

  @Option(names = "--plugin-config", paramLabel = "ID.KEY=VALUE", description = "Configuration for a plugin.")
  List<String> pluginConfig = new ArrayList<>();

  @Option(names = "--rbac", description = "Print the ClusterRole (and binding) the plugins' kinds need, as YAML.")
  boolean rbac;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path dir = pluginsDir == null ? PluginManager.defaultDir() : pluginsDir;
    PluginManager.Options options;
    try {
      options = new PluginManager.Options(dir, new LinkedHashSet<>(pluginIds),
          PluginManager.parseConfig(pluginConfig), null, null);
    } catch (IllegalArgumentException e) {
      err.println("gloo plugins: " + e.getMessage());
      return 2;
    }
    try (PluginManager manager = new PluginManager(options, KindRegistry.withBuiltins(), null)) {
      LoadedPlugins plugins = manager.rescan();
      out.print(rbac ? PluginRbac.render(plugins) : render(manager.dir(), plugins));
    }
    out.flush();
    return 0; // failed plugins are part of the listing, not a failure of the command
  }

  static String render(Path dir, LoadedPlugins plugins) {
    StringBuilder text = new StringBuilder();
    if (plugins.isEmpty()) {
      return "no plugins in " + dir + "\n";
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "VERSION", "STATE", "SPI", "KINDS"});
    for (LoadedPlugin plugin : plugins.plugins()) {
      List<String> kinds = plugin.kinds().stream().map(PluginsCommand::kind).toList();
      rows.add(new String[] {plugin.id(), dash(plugin.version()), plugin.describeState(), dash(plugin.requires()),
          kinds.isEmpty() ? "-" : kinds.get(0)});
      for (int i = 1; i < kinds.size(); i++) {
        rows.add(new String[] {"", "", "", "", kinds.get(i)});
      }
    }
    int[] widths = new int[5];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
      }
      text.append(line.toString().stripTrailing()).append('\n');
    }
    return text.toString();
  }

  /** {@code group/version Kind [ATTACHMENT,...]}; the calls go through PluginCalls (plugin code). */
  private static String kind(PolicyKind<?> kind) {
    GroupKind groupKind = io.gloo.core.plugin.PluginCalls.callOn(kind, kind::groupKind);
    String version = io.gloo.core.plugin.PluginCalls.callOn(kind, kind::version);
    String attachments = io.gloo.core.plugin.PluginCalls.callOn(kind, kind::attachments).stream()
        .sorted().map(Attachment::name).collect(Collectors.joining(","));
    String apiVersion = groupKind.group().isEmpty() ? version : groupKind.group() + "/" + version;
    return apiVersion + " " + groupKind.kind() + " [" + attachments + "]";
  }

  private static String dash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }
}
