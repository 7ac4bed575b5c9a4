package io.gloo.core.cli;

import io.gloo.core.plugin.PluginManager;
import io.gloo.core.server.GlooServer;
import io.gloo.core.server.ServeOptions;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gloo serve}: run the control plane on a directory of manifests. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve the manifests in a directory to Envoy proxies over xDS, watching it for changes.")
final class ServeCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--config-dir", required = true, description = "Directory of Kubernetes YAML manifests.")
  Path configDir;

  @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--xds-port", defaultValue = "9977", description = "xDS gRPC port (default: ${DEFAULT-VALUE}).")
  int xdsPort;

  @Option(names = "--admin-port", defaultValue = "9091", description = "Admin HTTP port (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(names = "--debounce", defaultValue = "100ms",
      description = "Quiet time after file changes before translating (default: ${DEFAULT-VALUE}).")
  String debounce;

  @Option(names = "--plugins-dir", paramLabel = "DIR",
      description = "Directory of plugin archives (*.zip, *.jar), watched for changes"
          + " (default: $GLOO_HOME/plugins, or ./plugins).")
  Path pluginsDir;

  @Option(names = "--plugins", split = ",", paramLabel = "ID",
      description = "Load only these plugin ids (comma-separated; default: all, minus disabled.txt).")
  List<String> pluginIds = new ArrayList<>();

  @Option(names = "--plugin-config", paramLabel = "ID.KEY=VALUE",
      description = "Configuration for a plugin (repeatable).")
  List<String> pluginConfig = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(configDir)) {
      spec.commandLine().getErr().println("gloo serve: --config-dir " + configDir + " is not a directory");
      return 2;
    }
    PluginManager.Options plugins;
    try {
      plugins = new PluginManager.Options(pluginsDir == null ? PluginManager.defaultDir() : pluginsDir,
          new LinkedHashSet<>(pluginIds), PluginManager.parseConfig(pluginConfig), null, null);
    } catch (IllegalArgumentException e) {
      System.err.println("gloo serve: " + e.getMessage());
      return 2;
    }
    ServeOptions options = new ServeOptions(configDir, new InetSocketAddress(bind, xdsPort),
        new InetSocketAddress(bind, adminPort), Durations.parse(debounce), plugins);
    GlooServer server = GlooServer.start(options);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "gloo-shutdown"));
    spec.commandLine().getErr().printf("gloo: serving %s — xDS on %s:%d, admin on http://%s:%d (Ctrl-C to stop)%n",
        configDir, bind, server.xdsPort(), bind, server.adminPort());
    spec.commandLine().getErr().flush();
    stopped.await();
    return 0;
  }

  /** Durations as users write them: 100ms, 2s, 1m. */
  static final class Durations {
    static Duration parse(String text) {
      String t = text.trim();
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      if (t.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      return Duration.parse(t);
    }
  }
}
