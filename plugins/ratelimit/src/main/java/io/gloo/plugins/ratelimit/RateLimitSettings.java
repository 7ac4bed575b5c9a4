package io.gloo.plugins.ratelimit;

import com.google.errorprone.annotations.Immutable;
import io.gloo.plugins.common.Durations;
import io.gloo.plugins.ratelimit.service.FailMode;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The plugin's configuration ({@code --plugin-config ratelimit.KEY=VALUE}), with Gloo's defaults:
 *
 * <table>
 *   <caption>keys</caption>
 *   <tr><td>{@code mode}</td><td>{@code standalone} in {@code gloo ratelimit-server}; otherwise in-process</td></tr>
 *   <tr><td>{@code controlPlane}</td><td>standalone: where to pull the rules ({@code host:port})</td></tr>
 *   <tr><td>{@code port}</td><td>the service's gRPC port, 18081</td></tr>
 *   <tr><td>{@code configStreamPort}</td><td>where the control plane streams the compiled rules to standalone
 *       replicas, mutual TLS, 18082</td></tr>
 *   <tr><td>{@code store}</td><td>{@code memory} (default) or {@code redis}</td></tr>
 *   <tr><td>{@code redis.address}</td><td>{@code 127.0.0.1:6379}</td></tr>
 *   <tr><td>{@code redis.failMode}</td><td>{@code open} (default) or {@code closed}: answers while Redis is down</td></tr>
 *   <tr><td>{@code redis.timeout}</td><td>per Redis call, 100ms</td></tr>
 *   <tr><td>{@code redis.username}, {@code redis.passwordFile}, {@code redis.tls}, {@code redis.tls.*}</td><td>AUTH
 *       and TLS to Redis: {@link io.gloo.plugins.ratelimit.store.RedisAccess}</td></tr>
 *   <tr><td>{@code memory.maxCounters}</td><td>bound of the in-memory store, 1000000</td></tr>
 *   <tr><td>{@code responseHeaders}</td><td>the service adds {@code x-ratelimit-*} headers, false</td></tr>
 *   <tr><td>{@code customRules}</td><td>a YAML file of rules ({@code descriptors}, {@code setDescriptors}) for the
 *       {@code custom} domain of inline {@code options.ratelimit} actions</td></tr>
 *   <tr><td>{@code serviceAddress}</td><td>where Envoy reaches the service, {@code 127.0.0.1:18081}</td></tr>
 *   <tr><td>{@code requestTimeout}</td><td>Envoy's call timeout, 100ms</td></tr>
 *   <tr><td>{@code denyOnFailure}</td><td>Envoy denies when the service fails, false</td></tr>
 *   <tr><td>{@code enableXRatelimitHeaders}</td><td>Envoy adds draft-03 {@code x-ratelimit-*} headers, false</td></tr>
 *   <tr><td>{@code domain}</td><td>the domain Envoy's filter sends, {@code custom}</td></tr>
 *   <tr><td>{@code tls}</td><td>the service requires mutual TLS (a proxy's or the control plane's certificate from
 *       the CA) and Envoy's cluster presents the proxy's certificate, false; in {@code gloo ratelimit-server} the replica
 *       serves with its {@code --cert-dir} certificate</td></tr>
 *   <tr><td>{@code tls.certDir}</td><td>where Envoy finds that certificate, {@code /etc/gloo/xds-tls}</td></tr>
 * </table>
 */
@Immutable
public record RateLimitSettings(boolean standalone, String controlPlane, int port, int configStreamPort,
    Store store, String redisAddress,
    FailMode failMode, Duration redisTimeout, long maxCounters, boolean responseHeaders, String customRules,
    String serviceAddress, com.google.protobuf.Duration requestTimeout, boolean denyOnFailure,
    boolean enableXRatelimitHeaders, String domain, boolean tls, String tlsCertDir) {

  public static final int DEFAULT_PORT = 18081;
  public static final int DEFAULT_CONFIG_STREAM_PORT = 18082;

  /** Which counter store. */
  public enum Store { MEMORY, REDIS }

  public static RateLimitSettings defaults() {
    return from(Map.of());
  }

  /** Reads the configuration; throws {@link IllegalArgumentException} naming the key at a bad value. */
  public static RateLimitSettings from(Map<String, String> config) {
    int port = integer(config, "port", DEFAULT_PORT);
    Store store = switch (config.getOrDefault("store", "memory").trim().toLowerCase(Locale.ROOT)) {
      case "memory" -> Store.MEMORY;
      case "redis" -> Store.REDIS;
      default -> throw new IllegalArgumentException("ratelimit.store must be memory or redis, got '"
          + config.get("store") + "'");
    };
    FailMode failMode;
    try {
      failMode = FailMode.parse(config.getOrDefault("redis.failMode", "open"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ratelimit.redis.failMode must be open or closed, got '"
          + config.get("redis.failMode") + "'");
    }
    String mode = config.getOrDefault("mode", "");
    boolean standalone = mode.equals("standalone");
    String controlPlane = config.get("controlPlane");
    if (standalone && (controlPlane == null || controlPlane.isBlank())) {
      throw new IllegalArgumentException("ratelimit.controlPlane (host:port) is required with mode=standalone");
    }
    int configStreamPort = integer(config, "configStreamPort", DEFAULT_CONFIG_STREAM_PORT);
    if (!standalone && configStreamPort == port) {
      throw new IllegalArgumentException("ratelimit.configStreamPort must differ from ratelimit.port (" + port
          + "): the rule stream is served with mutual TLS, the rate-limit service in plaintext");
    }
    return new RateLimitSettings(standalone, controlPlane, port, configStreamPort, store,
        config.getOrDefault("redis.address", "127.0.0.1:6379"), failMode,
        javaDuration(duration(config, "redis.timeout", "100ms")),
        integer(config, "memory.maxCounters", 1_000_000),
        bool(config, "responseHeaders", false),
        config.get("customRules"),
        config.getOrDefault("serviceAddress", "127.0.0.1:" + port),
        duration(config, "requestTimeout", "100ms"),
        bool(config, "denyOnFailure", false),
        bool(config, "enableXRatelimitHeaders", false),
        config.getOrDefault("domain", "custom"),
        bool(config, "tls", false),
        config.getOrDefault("tls.certDir", io.gloo.plugins.common.ServiceTls.DEFAULT_CERT_DIR));
  }

  private static int integer(Map<String, String> config, String key, int fallback) {
    String v = config.get(key);
    try {
      return v == null ? fallback : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("ratelimit." + key + " must be an integer, got '" + v + "'");
    }
  }

  private static boolean bool(Map<String, String> config, String key, boolean fallback) {
    String v = config.get(key);
    if (v == null) {
      return fallback;
    }
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true", "on", "yes" -> true;
      case "false", "off", "no" -> false;
      default -> throw new IllegalArgumentException("ratelimit." + key + " must be true or false, got '" + v + "'");
    };
  }

  private static com.google.protobuf.Duration duration(Map<String, String> config, String key, String fallback) {
    String v = config.getOrDefault(key, fallback);
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ratelimit." + key + ": " + e.getMessage());
    }
  }

  private static Duration javaDuration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }
}
