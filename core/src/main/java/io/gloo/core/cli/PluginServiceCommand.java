package io.gloo.core.cli;

import io.gloo.core.plugin.LoadedPlugin;
import io.gloo.core.plugin.LoadedPlugins;
import io.gloo.core.plugin.ControlPlaneClientTls;
import io.gloo.core.plugin.FilePeerTls;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.plugin.PluginNetwork;
import java.net.InetAddress;
import java.net.UnknownHostException;
import io.gloo.core.admin.MetricsServer;
import io.gloo.core.server.ProcessMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs one plugin's service on its own, for scale: {@code gloo ratelimit-server}, {@code gloo extauth-server}. It
 * loads only that plugin, with plugin configuration {@code mode=standalone} and {@code controlPlane=HOST:PORT}; the
 * plugin then pulls its configuration (rules, auth configs) from the control plane's {@code gloo serve} over a gRPC
 * stream and keeps serving the last one while the control plane is away. Nothing is translated here.
 *
 * <p>The stream is mutual TLS: the replica presents the client certificate of {@code --cert-dir} (or
 * {@code --tls-cert/--tls-key/--tls-ca}), which core hands the plugin as its control-plane credentials; without
 * one it subscribes in plaintext, which only a control plane running {@code --xds-insecure} accepts.
 *
 * <p>With plugin config {@code tls=true} the Envoy-facing service ({@code ShouldRateLimit}, {@code Check}) is served
 * over mutual TLS with the same certificate ({@link FilePeerTls}: {@code gloo certs issue --for ratelimit-server}
 * issues one valid for both ends), to proxies and the control plane only; without a certificate that is refused at
 * start.
 *
 * <p>Metrics: {@code /metrics} (Prometheus: the plugin's {@code gloo_plugin_*} series, JVM and process) and
 * {@code /healthz} on {@code --metrics-port}, loopback unless {@code --metrics-bind} says otherwise ({@link MetricsServer};
 * in a pod, bind the pod's address for Prometheus to scrape).
 */
abstract class PluginServiceCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--control-plane", paramLabel = "HOST:PORT",
      description = "Where gloo serve publishes this service's configuration (default: ${DEFAULT-VALUE}).")
  String controlPlane;

  @Option(names = "--port", paramLabel = "PORT", description = "Port to serve on (default: the plugin's).")
  Integer port;

  @Option(names = "--bind", defaultValue = "0.0.0.0", paramLabel = "ADDRESS",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--cert-dir", paramLabel = "DIR",
      description = "This replica's certificate: DIR/tls.crt, DIR/tls.key and DIR/ca.crt (as gloo certs issue"
          + " --out-dir writes them, or a mounted kubernetes.io/tls Secret), presented to the control plane's config"
          + " stream and, with --plugin-config tls=true, to Envoy.")
  Path certDir;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "Certificate (PEM); overrides --cert-dir.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "Its private key (PEM); overrides --cert-dir.")
  Path tlsKey;

  @Option(names = "--tls-ca", paramLabel = "FILE",
      description = "The control plane's CA certificate (PEM); overrides --cert-dir.")
  Path tlsCa;

  @Option(names = "--plugins-dir", paramLabel = "DIR",
      description = "Directory of plugin archives (default: $GLOO_HOME/plugins, or ./plugins).")
  Path pluginsDir;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Port of /metrics (Prometheus) and /healthz; 0 picks a free port, -1 serves none"
          + " (default: ${DEFAULT-VALUE}).")
  int metricsPort = defaultMetricsPort();

  @Option(names = "--metrics-bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
      description = "Address of the metrics port (default: ${DEFAULT-VALUE}, loopback only).")
  String metricsBind;

  @Option(names = "--plugin-config", paramLabel = "KEY=VALUE",
      description = "Configuration for the plugin (repeatable), e.g. store=redis.")
  List<String> pluginConfig = new ArrayList<>();

  /** The plugin whose service this runs. */
  abstract String pluginId();

  /** The metrics port when {@code --metrics-port} is not given. */
  abstract int defaultMetricsPort();

  /** Set by the test: released to stop serving. */
  CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    Map<String, String> config = new HashMap<>();
    List<String> qualified = pluginConfig.stream().map(c -> pluginId() + "." + c).toList();
    config.putAll(PluginManager.parseConfig(qualified).getOrDefault(pluginId(), Map.of()));
    config.put("mode", "standalone");
    config.put("controlPlane", controlPlane);
    if (port != null) {
      config.put("port", String.valueOf(port));
    }
    PluginManager.Options options = new PluginManager.Options(
        pluginsDir == null ? PluginManager.defaultDir() : pluginsDir, Set.of(pluginId()),
        Map.of(pluginId(), config), null, null).withConfiguredCache();
    PluginNetwork network;
    try {
      Path[] files = certificateFiles();
      boolean tls = tlsRequested(config);
      if (files == null && tls) {
        throw new IllegalArgumentException(pluginId() + ".tls=true serves Envoy over mutual TLS with this replica's"
            + " certificate: give --cert-dir (gloo certs issue --for " + spec.name() + ")");
      }
      network = new PluginNetwork(bindAddress(), tls ? FilePeerTls.fromFiles(files[0], files[1], files[2]) : null,
          files == null ? null : ControlPlaneClientTls.fromFiles(files[0], files[1], files[2]));
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("gloo " + spec.name() + ": " + e.getMessage());
      return 2;
    }
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MetricsServer metricsServer;
    try {
      metricsServer = metricsPort < 0 ? null
          : MetricsServer.start(new InetSocketAddress(metricsBind, metricsPort), metrics);
    } catch (IOException e) {
      spec.commandLine().getErr().println("gloo " + spec.name() + ": the metrics port " + metricsBind + ":"
          + metricsPort + " cannot be bound (" + e.getMessage() + "); give another --metrics-port, or -1 for none");
      return 1;
    }
    try (ProcessMetrics process = new ProcessMetrics(metrics);
        PluginManager manager = new PluginManager(options, null, metrics, network)) {
      LoadedPlugins loaded = manager.start();
      Optional<LoadedPlugin> plugin = loaded.get(pluginId()).filter(LoadedPlugin::started);
      if (plugin.isEmpty()) {
        spec.commandLine().getErr().println("gloo " + spec.name() + ": plugin " + pluginId() + " did not start: "
            + loaded.get(pluginId()).map(LoadedPlugin::failure).orElse("not found in " + options.dir()));
        return 1;
      }
      spec.commandLine().getOut().println("gloo " + spec.name() + ": serving plugin " + pluginId() + " "
          + plugin.get().version() + " standalone, configuration from " + controlPlane
          + (metricsServer == null ? "" : ", metrics on http://" + metricsBind + ":" + metricsServer.port()
              + "/metrics"));
      spec.commandLine().getOut().flush();
      Thread hook = new Thread(stop::countDown, "gloo-" + spec.name() + "-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      stop.await();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is what released us
      }
      return 0;
    } finally {
      if (metricsServer != null) {
        metricsServer.close();
      }
    }
  }

  private InetAddress bindAddress() {
    try {
      InetAddress address = InetAddress.getByName(bind);
      return address.isAnyLocalAddress() ? null : address;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--bind " + bind + ": unknown host");
    }
  }

  private static boolean tlsRequested(Map<String, String> config) {
    return java.util.Set.of("true", "on", "yes").contains(config.getOrDefault("tls", "false").trim()
        .toLowerCase(java.util.Locale.ROOT));
  }

  /**
   * The replica's certificate, key and the CA certificate (for the config stream and, with {@code tls=true}, the
   * service port), or null (plaintext) when none was given.
   */
  private Path[] certificateFiles() {
    Path cert = tlsCert != null ? tlsCert : certDir == null ? null : certDir.resolve("tls.crt");
    Path key = tlsKey != null ? tlsKey : certDir == null ? null : certDir.resolve("tls.key");
    Path ca = tlsCa != null ? tlsCa : certDir == null ? null : certDir.resolve("ca.crt");
    if (cert == null && key == null && ca == null) {
      return null;
    }
    if (cert == null || key == null || ca == null) {
      throw new IllegalArgumentException("give --cert-dir, or all of --tls-cert, --tls-key and --tls-ca");
    }
    return new Path[] {cert, key, ca};
  }

  @Command(name = "ratelimit-server", mixinStandardHelpOptions = true,
      description = "Run the rate-limit service (envoy.service.ratelimit.v3) standalone, rules from the control plane.")
  static final class RateLimit extends PluginServiceCommand {
    RateLimit() {
      controlPlane = "gloo-gateway.gloo-system.svc.cluster.local:18082";
    }

    @Override
    String pluginId() {
      return "ratelimit";
    }

    @Override
    int defaultMetricsPort() {
      return 9092;
    }
  }

  @Command(name = "extauth-server", mixinStandardHelpOptions = true,
      description = "Run the ext-auth service (envoy.service.auth.v3) standalone, auth configs from the control plane.")
  static final class ExtAuth extends PluginServiceCommand {
    ExtAuth() {
      controlPlane = "gloo-gateway.gloo-system.svc.cluster.local:8084";
    }

    @Override
    String pluginId() {
      return "extauth";
    }

    @Override
    int defaultMetricsPort() {
      return 9093;
    }
  }
}
