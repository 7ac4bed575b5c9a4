package io.gloo.plugins.ratelimit.store;

import com.google.errorprone.annotations.Immutable;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * How the rate-limit service authenticates to Redis and protects the connection ({@code --plugin-config
 * ratelimit.redis.*}):
 *
 * <table>
 *   <caption>keys</caption>
 *   <tr><td>{@code redis.username}</td><td>ACL user ({@code AUTH username password}); without it {@code AUTH
 *       password} (Redis' {@code requirepass})</td></tr>
 *   <tr><td>{@code redis.passwordFile}</td><td>file holding the password, read once at start (one trailing newline
 *       dropped); there is no inline password key, so it never shows in the process list</td></tr>
 *   <tr><td>{@code redis.tls}</td><td>connect with TLS, false</td></tr>
 *   <tr><td>{@code redis.tls.caFile}</td><td>PEM CA certificates to trust; default the JVM's trust store</td></tr>
 *   <tr><td>{@code redis.tls.certFile}, {@code redis.tls.keyFile}</td><td>PEM client certificate chain and PKCS#8
 *       key, for a Redis with {@code tls-auth-clients yes}; both or neither</td></tr>
 *   <tr><td>{@code redis.tls.verifyHostname}</td><td>the server certificate must name the host of
 *       {@code redis.address}, true; false checks only the chain</td></tr>
 * </table>
 *
 * @param password null without one; never logged or shown in {@link #toString}
 */
@Immutable
public record RedisAccess(String username, String password, boolean tls, String caFile, String certFile,
    String keyFile, boolean verifyHostname) {

  /** No AUTH, plaintext: Redis on loopback or a trusted network. */
  public static final RedisAccess NONE = new RedisAccess(null, null, false, null, null, null, true);

  /** Larger password files are refused (a password is a few dozen bytes; {@code /dev/zero} must not fill the heap). */
  static final int MAX_PASSWORD_FILE_BYTES = 64 * 1024;

  /** Reads the keys above; {@link IllegalArgumentException} naming the key at a bad value or unreadable file. */
  public static RedisAccess from(Map<String, String> config) {
    String username = blankToNull(config.get("redis.username"));
    String passwordFile = blankToNull(config.get("redis.passwordFile"));
    if (config.containsKey("redis.password")) {
      throw new IllegalArgumentException("ratelimit.redis.password is not read (the command line shows it to every"
          + " user of the machine): put the password in a file and give ratelimit.redis.passwordFile=PATH");
    }
    if (username != null && passwordFile == null) {
      throw new IllegalArgumentException("ratelimit.redis.username needs ratelimit.redis.passwordFile");
    }
    String password = passwordFile == null ? null : readPassword(Path.of(passwordFile));
    boolean tls = bool(config, "redis.tls", false);
    String caFile = readableFile(config, "redis.tls.caFile");
    String certFile = readableFile(config, "redis.tls.certFile");
    String keyFile = readableFile(config, "redis.tls.keyFile");
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("ratelimit.redis.tls.certFile and ratelimit.redis.tls.keyFile go together");
    }
    if (!tls && (caFile != null || certFile != null)) {
      throw new IllegalArgumentException("ratelimit.redis.tls.* files are given but ratelimit.redis.tls is not true");
    }
    return new RedisAccess(username, password, tls, caFile, certFile, keyFile,
        bool(config, "redis.tls.verifyHostname", true));
  }

  /** Applies AUTH and TLS to the connection's URI. */
  RedisURI.Builder apply(RedisURI.Builder uri) {
    if (password != null) {
      if (username != null) {
        uri.withAuthentication(username, password);
      } else {
        uri.withPassword(password.toCharArray());
      }
    }
    if (tls) {
      uri.withSsl(true).withVerifyPeer(verifyHostname ? SslVerifyMode.FULL : SslVerifyMode.CA);
    }
    return uri;
  }

  /** Applies the TLS trust and client certificate to the client's options. */
  ClientOptions.Builder apply(ClientOptions.Builder options) {
    if (tls && (caFile != null || certFile != null)) {
      SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
      if (caFile != null) {
        ssl.trustManager(Path.of(caFile).toFile());
      }
      if (certFile != null) {
        ssl.keyManager(Path.of(certFile).toFile(), Path.of(keyFile).toFile(), null);
      }
      options.sslOptions(ssl.build());
    }
    return options;
  }

  /** For logs: what is used, never the password. */
  public String describe() {
    return (password == null ? "no AUTH" : "AUTH as " + (username == null ? "the default user" : username))
        + (tls ? ", TLS" + (verifyHostname ? "" : " (host name not verified)") : ", plaintext");
  }

  @Override
  public String toString() {
    return "RedisAccess[" + describe() + "]";
  }

  private static String readPassword(Path file) {
    byte[] content;
    try (InputStream in = Files.newInputStream(file)) {
      content = in.readNBytes(MAX_PASSWORD_FILE_BYTES + 1);
    } catch (IOException e) {
      throw new IllegalArgumentException("ratelimit.redis.passwordFile " + file + " cannot be read: " + reason(e));
    }
    if (content.length > MAX_PASSWORD_FILE_BYTES) {
      throw new IllegalArgumentException("ratelimit.redis.passwordFile " + file + " is larger than "
          + MAX_PASSWORD_FILE_BYTES + " bytes: not a password");
    }
    int end = content.length;
    if (end > 0 && content[end - 1] == '\n') {
      end--;
      if (end > 0 && content[end - 1] == '\r') {
        end--;
      }
    }
    if (end == 0) {
      throw new IllegalArgumentException("ratelimit.redis.passwordFile " + file + " is empty");
    }
    return new String(Arrays.copyOf(content, end), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String readableFile(Map<String, String> config, String key) {
    String value = blankToNull(config.get(key));
    if (value != null && !Files.isReadable(Path.of(value))) {
      throw new IllegalArgumentException("ratelimit." + key + " " + value + " cannot be read");
    }
    return value;
  }

  private static String reason(IOException e) {
    return e instanceof NoSuchFileException ? "no such file" : e instanceof AccessDeniedException
        ? "permission denied" : e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
        : e.getClass().getSimpleName();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
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
}
