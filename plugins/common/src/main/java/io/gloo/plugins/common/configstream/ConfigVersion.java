package io.gloo.plugins.common.configstream;

import io.gloo.spi.PluginMetrics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Which config a service uses now, as a number for a gauge ({@code gloo_plugin_<service>_config_version}): the first
 * 48 bits of the SHA-256 of the config as streamed ({@link ConfigPublisher}), exact in a double. The control plane
 * and every standalone replica serving the same config show the same number, so {@code max(...) != min(...)} over
 * them says a replica is behind. 0 until a config is applied. Only a digest: nothing of the config (which may hold
 * credentials) can be read back from it.
 */
public final class ConfigVersion {

  private volatile long version;

  /** The version of {@code config}: never 0. */
  public static long of(String config) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(config.getBytes(StandardCharsets.UTF_8));
      long v = 0;
      for (int i = 0; i < 6; i++) {
        v = (v << 8) | (digest[i] & 0xff);
      }
      return v == 0 ? 1 : v;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** {@code config} is the one in use from now on. */
  public void applied(String config) {
    version = of(config);
  }

  /** The version in use, 0 before any. */
  public long current() {
    return version;
  }

  /** Exports {@link #current()} as the gauge {@code SERVICE.config.version}. */
  public void export(PluginMetrics metrics, String service) {
    metrics.gauge(service + ".config.version", () -> version);
  }
}
