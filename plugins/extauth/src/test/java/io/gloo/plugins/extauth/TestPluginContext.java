package io.gloo.plugins.extauth;

import io.gloo.spi.BackgroundService;
import io.gloo.spi.PluginContext;
import io.gloo.spi.PluginMetrics;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.util.MutableHandlerRegistry;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A plugin context that serves registered gRPC services on real loopback ports, as core does. */
public final class TestPluginContext implements PluginContext, AutoCloseable {

  private final Map<String, String> config;
  private final Map<Integer, Server> servers = new HashMap<>();
  private final Map<Integer, MutableHandlerRegistry> registries = new HashMap<>();

  public TestPluginContext(Map<String, String> config) {
    this.config = Map.copyOf(config);
  }

  @Override
  public String pluginId() {
    return "extauth";
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
    return LoggerFactory.getLogger("io.gloo.plugins.extauth.plugin");
  }

  @Override
  public PluginMetrics metrics() {
    return new PluginMetrics() {
      @Override
      public void count(String name, double amount, String... tags) {}

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
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot listen on " + p, e);
      }
      return r;
    });
    registry.addService(service);
  }

  @Override
  public void registerBackgroundService(BackgroundService service) {
    try {
      service.start();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() throws InterruptedException {
    for (Server s : servers.values()) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    servers.clear();
    registries.clear();
  }

  public static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
