package io.gloo.core.testing;

import io.gloo.core.plugin.PluginManager;
import io.gloo.core.server.GlooServer;
import io.gloo.core.server.ServeOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@code gloo serve} with plugins, as a test starts it: manifests in {@code dir/config}, plugin archives from a
 * plugins directory with per-plugin settings, xDS and admin on loopback ports the OS picks, and 50 ms debounces so
 * that a changed file or archive is picked up at once. Plugins expand into {@code dir/work}, so nothing outlives the
 * test's temporary directory. Shared with the {@code it} module through core's test jar.
 *
 * <pre>{@code
 * try (GlooServer server = ServeFixture.in(temp).manifest("gateway.yaml", YAML).plugins(dir).start()) { ... }
 * }</pre>
 */
public final class ServeFixture {

  /** How long the config directory and the plugins directory stay quiet before a rescan. */
  public static final Duration DEBOUNCE = Duration.ofMillis(50);

  private final Path dir;
  private final Path config;
  private Path plugins;
  private final Map<String, Map<String, String>> settings = new LinkedHashMap<>();
  private UnaryOperator<ServeOptions> tuning = UnaryOperator.identity();

  private ServeFixture(Path dir, Path config) {
    this.dir = dir;
    this.config = config;
  }

  /** A fixture whose config directory is {@code dir/config} (created). */
  public static ServeFixture in(Path dir) {
    try {
      return new ServeFixture(dir, Files.createDirectories(dir.resolve("config")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The directory {@code gloo serve} reads manifests from. */
  public Path config() {
    return config;
  }

  /** Writes one manifest file into the config directory. */
  public ServeFixture manifest(String file, String yaml) {
    try {
      Files.writeString(config.resolve(file), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Loads the plugin archives in {@code dir} (without it, no plugins). */
  public ServeFixture plugins(Path dir) {
    this.plugins = dir;
    return this;
  }

  /** Sets one plugin setting ({@code --plugin-config id.key=value}). */
  public ServeFixture setting(String plugin, String key, String value) {
    settings.computeIfAbsent(plugin, p -> new LinkedHashMap<>()).put(key, value);
    return this;
  }

  /** Changes the options further ({@code withCa}, ...) before the server starts. */
  public ServeFixture tune(UnaryOperator<ServeOptions> change) {
    UnaryOperator<ServeOptions> before = tuning;
    tuning = o -> change.apply(before.apply(o));
    return this;
  }

  public ServeOptions options() {
    PluginManager.Options pluginOptions = plugins == null ? null
        : new PluginManager.Options(plugins, Set.of(), settings, dir.resolve("work"), DEBOUNCE);
    return tuning.apply(new ServeOptions(config, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), DEBOUNCE, pluginOptions));
  }

  public GlooServer start() throws IOException {
    return GlooServer.start(options());
  }

  /** A loopback port free now, for a plugin's own listener (its setting is a string). */
  public static String freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return String.valueOf(s.getLocalPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
