package io.gloo.core.plugin;

import static io.gloo.core.plugin.TestPlugins.HEADERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.watch.KindRegistry;
import io.gloo.spi.PluginContext;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugins loaded for an offline command serve nothing, even one that registers a gRPC service and a view. */
class OfflineModeTest {

  @TempDir
  Path temp;

  @Test
  void aPluginLoadedOfflineBindsNoPortAndServesNoView() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    TestPlugins.install(HEADERS, temp.resolve("plugins"));
    PluginManager.Options options = new PluginManager.Options(temp.resolve("plugins"), Set.of(),
        Map.of(HEADERS, Map.of("grpc.port", String.valueOf(port))), temp.resolve("work"), null).offline();
    assertEquals(PluginContext.Mode.OFFLINE, options.mode());
    try (PluginManager manager = new PluginManager(options, KindRegistry.withBuiltins(), null)) {
      LoadedPlugins plugins = manager.rescan();
      assertTrue(plugins.get(HEADERS).orElseThrow().started(), "its kinds are known");
      assertEquals(2, plugins.kinds().size(), "RouteHeaders and AccessGuard");
      assertTrue(manager.adminViews().names().isEmpty(), manager.adminViews().names().toString());
      assertTrue(manager.portFailures().isEmpty());
      // the port the plugin asked for is still free: nothing listens on it
      try (ServerSocket again = new ServerSocket()) {
        again.bind(new InetSocketAddress("0.0.0.0", port));
      }
    }
  }

  @Test
  void servingOptionsAreServeMode() {
    assertEquals(PluginContext.Mode.SERVE, PluginManager.Options.of(temp).mode());
  }
}
