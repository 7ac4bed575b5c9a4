package io.gloo.core.testing;

import io.gloo.spi.BackgroundService;
import io.gloo.spi.PluginContext;
import io.gloo.spi.PluginMetrics;
import io.gloo.spi.SpiVersion;
import io.grpc.BindableService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A context in {@link Mode#OFFLINE} (what {@code gloo translate} gives a plugin) that serves nothing and records
 * every registration and metric, for plugin tests asserting that offline a plugin asks for nothing to be served.
 * Thread-safe enough for a test's one thread.
 */
public final class OfflinePluginContext implements PluginContext {

  /** Everything the plugin asked for: {@code grpc PORT}, {@code view NAME}, {@code background NAME}, {@code meter NAME}. */
  public final List<String> registered = new ArrayList<>();
  private final String pluginId;
  private final Map<String, String> config;

  public OfflinePluginContext(String pluginId, Map<String, String> config) {
    this.pluginId = pluginId;
    this.config = Map.copyOf(config);
  }

  @Override
  public Mode mode() {
    return Mode.OFFLINE;
  }

  @Override
  public String pluginId() {
    return pluginId;
  }

  @Override
  public String spiVersion() {
    return SpiVersion.CURRENT;
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
        registered.add("meter " + name);
      }

      @Override
      public void recordNanos(String name, long nanos, String... tags) {
        registered.add("meter " + name);
      }
    };
  }

  @Override
  public void registerGrpcService(int port, BindableService service) {
    registered.add("grpc " + port);
  }

  @Override
  public void registerNonBlockingGrpcService(int port, BindableService service) {
    registered.add("grpc " + port);
  }

  @Override
  public void registerPeerAuthenticatedGrpcService(int port, BindableService service, Set<String> allowedPeers) {
    registered.add("grpc " + port);
  }

  @Override
  public void registerAdminView(String name, Supplier<String> json) {
    registered.add("view " + name);
  }

  @Override
  public void registerBackgroundService(BackgroundService service) {
    registered.add("background " + service.name());
  }
}
