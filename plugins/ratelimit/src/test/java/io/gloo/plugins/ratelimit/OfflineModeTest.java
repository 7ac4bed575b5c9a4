package io.gloo.plugins.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.spi.BackgroundService;
import io.gloo.spi.PluginContext;
import io.gloo.spi.PluginMetrics;
import io.grpc.BindableService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loaded by an offline command ({@code PluginContext.Mode.OFFLINE}) the plugin registers no service, view or
 * background service (so it opens no port, connects to nothing, starts no thread) and still translates.
 */
class OfflineModeTest {

  /** An offline context that records every registration. */
  static final class OfflineContext implements PluginContext {
    final List<String> registered = new ArrayList<>();
    private final Map<String, String> config;

    OfflineContext(Map<String, String> config) {
      this.config = config;
    }

    @Override
    public Mode mode() {
      return Mode.OFFLINE;
    }

    @Override
    public String pluginId() {
      return "ratelimit";
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
      return LoggerFactory.getLogger("gloo.plugin.ratelimit");
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
    public void registerPeerAuthenticatedGrpcService(int port, BindableService service, Set<String> peers) {
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

  @Test
  void offlineThePluginRegistersNothingAndStillTranslates() {
    OfflineContext context = new OfflineContext(Map.of("store", "redis", "redis.address", "127.0.0.1:1", "port", "1", "configStreamPort", "2"));
    RateLimitPlugin plugin = new RateLimitPlugin();
    plugin.start(context);
    try {
      assertEquals(List.of(), context.registered);
      assertEquals(1, plugin.policyKinds().size());
      assertFalse(plugin.fieldExtensions().isEmpty());
      assertTrue(plugin.policyKinds().get(0).sink() != null, "configs are still compiled by the sink");
    } finally {
      plugin.stop();
    }
  }
}
