package io.gloo.it;

import io.gloo.core.plugin.PluginManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Plugin-manager options for the enterprise set in tests: the plugins' own service ports on free ports (port 0, and
 * free ports for the config streams, which must not share a port with the services), so that a test never collides
 * with a gateway (or another test run) already using Gloo's defaults 18081/18082 and 8083/8084.
 */
final class EnterprisePlugins {

  private EnterprisePlugins() {}

  static PluginManager.Options options(Path dir) {
    return new PluginManager.Options(dir, Set.of(),
        Map.of("ratelimit", Map.of("port", "0", "configStreamPort", freePort()),
            "extauth", Map.of("port", "0", "configStreamPort", freePort())), null, null);
  }

  static String freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return String.valueOf(s.getLocalPort());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
