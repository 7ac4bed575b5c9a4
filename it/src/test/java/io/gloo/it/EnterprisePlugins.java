package io.gloo.it;

import io.gloo.core.plugin.PluginManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Plugin-manager options for the enterprise set in tests: the plugins' own service ports on free ports (port 0), so
 * that a test never collides with a gateway (or another test run) already using Gloo's defaults 18081 and 8083.
 */
final class EnterprisePlugins {

  private EnterprisePlugins() {}

  static PluginManager.Options options(Path dir) {
    return new PluginManager.Options(dir, Set.of(),
        Map.of("ratelimit", Map.of("port", "0"), "extauth", Map.of("port", "0")), null, null);
  }
}
