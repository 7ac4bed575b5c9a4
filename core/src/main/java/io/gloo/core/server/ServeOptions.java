package io.gloo.core.server;

import io.gloo.core.plugin.PluginManager;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How {@code gloo serve} runs.
 *
 * @param configDir the directory of manifests to serve (the embedded default config source)
 * @param xdsAddress where the xDS gRPC server listens (default port 9977; port 0 picks a free one)
 * @param adminAddress where the admin HTTP API listens (default port 9091; port 0 picks a free one)
 * @param debounce how long the directory watcher waits for a burst of file changes to settle
 * @param plugins where and which plugins to load; null loads none
 */
public record ServeOptions(Path configDir, InetSocketAddress xdsAddress, InetSocketAddress adminAddress,
    Duration debounce, PluginManager.Options plugins) {

  /** Without plugins. */
  public ServeOptions(Path configDir, InetSocketAddress xdsAddress, InetSocketAddress adminAddress,
      Duration debounce) {
    this(configDir, xdsAddress, adminAddress, debounce, null);
  }

  public ServeOptions withPlugins(PluginManager.Options plugins) {
    return new ServeOptions(configDir, xdsAddress, adminAddress, debounce, plugins);
  }

  public static final int DEFAULT_XDS_PORT = 9977;
  public static final int DEFAULT_ADMIN_PORT = 9091;

  public static ServeOptions defaults(Path configDir) {
    return new ServeOptions(configDir, new InetSocketAddress(DEFAULT_XDS_PORT),
        new InetSocketAddress(DEFAULT_ADMIN_PORT), Duration.ofMillis(100));
  }
}
