package io.gloo.core.testing;

import io.gloo.spi.BackgroundService;
import io.gloo.spi.PluginContext;
import io.gloo.spi.PluginMetrics;
import io.gloo.core.plugin.PluginNetwork;
import io.gloo.core.plugin.PluginPorts;
import io.gloo.core.plugin.TestPluginMeters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.grpc.BindableService;
import io.grpc.ChannelCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What core gives a started plugin, for plugin modules' tests: services registered on core's own plugin gRPC servers
 * (one real Netty server per port, on 127.0.0.1 unless the {@link PluginNetwork} says otherwise; peer-authenticated
 * services with mutual TLS when it has a {@link io.gloo.core.plugin.PeerTls}), background services started at once,
 * metrics summed by name and tags (counters) and exported as core exports them ({@link #scrape()}: Prometheus text,
 * core's plugin meters), admin views kept by name.
 */
public final class TestPluginContext implements PluginContext, AutoCloseable {

  private final String pluginId;
  private final Map<String, String> config;
  private final PluginPorts ports;
  private final List<BackgroundService> background = new ArrayList<>();
  /** Counter totals by name followed by its tags, comma-separated. */
  public final Map<String, DoubleAdder> counters = new ConcurrentHashMap<>();
  /** Every metric, as core registers plugin meters ({@code gloo_plugin_NAME{plugin=ID}}). */
  public final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final PluginMetrics meters;
  /** Registered admin views by name. */
  public final Map<String, java.util.function.Supplier<String>> views = new ConcurrentHashMap<>();

  public TestPluginContext(String pluginId, Map<String, String> config) {
    this(pluginId, config, new PluginNetwork(InetAddress.getLoopbackAddress(), null, null));
  }

  /** With a network: e.g. a CA-backed {@code PeerTls} (control plane), or client credentials (a replica). */
  public TestPluginContext(String pluginId, Map<String, String> config, PluginNetwork network) {
    this.pluginId = pluginId;
    this.config = Map.copyOf(config);
    this.ports = new PluginPorts(pluginId, network);
    this.meters = TestPluginMeters.of(pluginId, registry);
  }

  /** The metrics in Prometheus text, as {@code /metrics} shows them. */
  public String scrape() {
    return registry.scrape();
  }

  /** The sum of the samples of {@code name} with these labels (key, value, ...), or -1 when none (see {@link Scrape}). */
  public double sample(String name, String... labels) {
    return Scrape.value(scrape(), name, labels);
  }

  @Override
  public String pluginId() {
    return pluginId;
  }

  @Override
  public void registerAdminView(String name, java.util.function.Supplier<String> json) {
    views.put(name, json);
  }

  @Override
  public String spiVersion() {
    return io.gloo.spi.SpiVersion.CURRENT;
  }

  @Override
  public Map<String, String> config() {
    return config;
  }

  @Override
  public Logger logger() {
    return LoggerFactory.getLogger("gloo.plugin." + pluginId);
  }

  @Override
  public PluginMetrics metrics() {
    return new PluginMetrics() {
      @Override
      public void count(String name, double amount, String... tags) {
        counters.computeIfAbsent(name + String.join(",", tags), k -> new DoubleAdder()).add(amount);
        meters.count(name, amount, tags);
      }

      @Override
      public void recordNanos(String name, long nanos, String... tags) {
        meters.recordNanos(name, nanos, tags);
      }

      @Override
      public java.util.function.LongConsumer timer(String name, String... tags) {
        return meters.timer(name, tags);
      }

      @Override
      public void gauge(String name, java.util.function.DoubleSupplier value, String... tags) {
        meters.gauge(name, value, tags);
      }
    };
  }

  @Override
  public void registerGrpcService(int port, BindableService service) {
    ports.register(port, service, false);
  }

  @Override
  public void registerNonBlockingGrpcService(int port, BindableService service) {
    ports.register(port, service, true);
  }

  @Override
  public void registerPeerAuthenticatedGrpcService(int port, BindableService service, Set<String> allowedPeers) {
    ports.registerPeerAuthenticated(port, service, allowedPeers);
  }

  @Override
  public Optional<ChannelCredentials> controlPlaneCredentials() {
    return Optional.ofNullable(ports.network().controlPlaneCredentials());
  }

  @Override
  public synchronized void registerBackgroundService(BackgroundService service) {
    try {
      service.start();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    background.add(service);
  }

  /** Stops background services and servers (a port is free again afterwards). */
  @Override
  public synchronized void close() {
    for (BackgroundService s : background) {
      try {
        s.stop();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    background.clear();
    ports.close();
  }

  public static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
