package io.gloo.core.testing;

import io.gloo.spi.BackgroundService;
import io.gloo.spi.PluginContext;
import io.gloo.spi.PluginMetrics;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.util.MutableHandlerRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.DoubleAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What core gives a started plugin, for plugin modules' tests: services registered on a real Netty server per port
 * (127.0.0.1), background services started at once, metrics summed by name and tags, admin views kept by name.
 */
public final class TestPluginContext implements PluginContext, AutoCloseable {

  private final String pluginId;
  private final Map<String, String> config;
  private final Map<Integer, Server> servers = new ConcurrentHashMap<>();
  private final Map<Integer, MutableHandlerRegistry> registries = new ConcurrentHashMap<>();
  private final List<BackgroundService> background = new ArrayList<>();
  /** Counter totals by name followed by its tags, comma-separated. */
  public final Map<String, DoubleAdder> counters = new ConcurrentHashMap<>();
  /** Registered admin views by name. */
  public final Map<String, java.util.function.Supplier<String>> views = new ConcurrentHashMap<>();

  public TestPluginContext(String pluginId, Map<String, String> config) {
    this.pluginId = pluginId;
    this.config = Map.copyOf(config);
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
      }

      @Override
      public void recordNanos(String name, long nanos, String... tags) {}
    };
  }

  @Override
  public synchronized void registerGrpcService(int port, BindableService service) {
    MutableHandlerRegistry registry = registries.computeIfAbsent(port, p -> {
      MutableHandlerRegistry r = new MutableHandlerRegistry();
      try {
        servers.put(p, NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", p))
            .fallbackHandlerRegistry(r).build().start());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return r;
    });
    registry.addService(service);
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
    for (Server s : servers.values()) {
      try {
        s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    servers.clear();
    registries.clear();
  }

  public static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
