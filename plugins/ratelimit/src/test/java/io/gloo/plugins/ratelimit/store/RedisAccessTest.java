package io.gloo.plugins.ratelimit.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.security.IssuedCertificate;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.testing.TestCertificates;
import io.gloo.plugins.ratelimit.service.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis store authenticates ({@code AUTH}, password from a file, ACL users) and connects with TLS (server
 * verified against a CA and host name, client certificate) against real redis-servers started with
 * {@code --requirepass}, {@code --user} and {@code --tls-port} (Debian's redis-server 7 is built with TLS).
 */
class RedisAccessTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(1_704_067_210_000L);

  private long[] count(String address, RedisAccess access) throws Exception {
    try (RedisCounterStore store = new RedisCounterStore(address, TIMEOUT, clock, access)) {
      return store.increment(new String[] {"k"}, new long[] {1}, new long[] {clock.millis() + 60_000})
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private String refused(String address, RedisAccess access) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> count(address, access));
    assertInstanceOf(StoreUnavailableException.class, e.getCause());
    return e.getCause().getMessage();
  }

  private RedisAccess access(String... keyValues) {
    Map<String, String> config = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      config.put(keyValues[i], keyValues[i + 1]);
    }
    return RedisAccess.from(config);
  }

  @Test
  void aPasswordFromAFileAuthenticatesAndNoneOrAWrongOneIsRefused() throws Exception {
    Path password = Files.writeString(tmp.resolve("redis-password"), "s3cret-pw\n");
    Path wrong = Files.writeString(tmp.resolve("wrong"), "guess");
    Files.writeString(tmp.resolve("alice"), "alice-pw");
    try (RedisServerProcess redis = RedisServerProcess.start(List.of("--requirepass", "s3cret-pw",
        "--user", "alice", "on", ">alice-pw", "~*", "+@all"))) {
      assertArrayEquals(new long[] {1}, count(redis.address(), access("redis.passwordFile", password.toString())));
      assertArrayEquals(new long[] {2}, count(redis.address(), access("redis.passwordFile", password.toString())),
          "one counter, counted twice");
      assertArrayEquals(new long[] {3}, count(redis.address(), access("redis.username", "alice",
          "redis.passwordFile", tmp.resolve("alice").toString())), "an ACL user");
      refused(redis.address(), RedisAccess.NONE);
      String message = refused(redis.address(), access("redis.passwordFile", wrong.toString()));
      assertFalse(message.contains("guess"), message);
    }
  }

  @Test
  void tlsVerifiesTheServerAndPresentsAClientCertificate() throws Exception {
    TestCertificates certs = new TestCertificates(tmp);
    IssuedCertificate server = certs.ca().issue(SpiffeId.service("redis"), List.of("localhost"), Duration.ofHours(1));
    Path serverDir = Files.createDirectories(tmp.resolve("redis-server"));
    Files.writeString(serverDir.resolve("tls.crt"), server.certificatePem());
    Files.writeString(serverDir.resolve("tls.key"), server.privateKeyPem());
    Path ca = Files.writeString(serverDir.resolve("ca.crt"), server.caCertificatePem());
    Path client = certs.certDir(SpiffeId.service("ratelimit-server"));
    try (RedisServerProcess redis = RedisServerProcess.start(List.of("--tls-port",
        "--tls-cert-file", serverDir.resolve("tls.crt").toString(),
        "--tls-key-file", serverDir.resolve("tls.key").toString(),
        "--tls-ca-cert-file", ca.toString(), "--tls-auth-clients", "yes"))) {
      String byName = "localhost:" + redis.port();
      String[] clientCert = {"redis.tls.certFile", client.resolve("tls.crt").toString(),
          "redis.tls.keyFile", client.resolve("tls.key").toString()};
      assertArrayEquals(new long[] {1}, count(byName, access(concat(clientCert,
          "redis.tls", "true", "redis.tls.caFile", ca.toString()))));

      refused(byName, RedisAccess.NONE); // plaintext to a TLS port
      refused(byName, access("redis.tls", "true", "redis.tls.caFile", ca.toString())); // no client certificate
      refused(byName, access(concat(clientCert, "redis.tls", "true"))); // the JVM's trust store does not know our CA
      // the certificate names localhost, not 127.0.0.1: refused unless host-name verification is off
      refused(redis.address(), access(concat(clientCert, "redis.tls", "true", "redis.tls.caFile", ca.toString())));
      assertArrayEquals(new long[] {2}, count(redis.address(), access(concat(clientCert, "redis.tls", "true",
          "redis.tls.caFile", ca.toString(), "redis.tls.verifyHostname", "false"))));
    }
  }

  @Test
  void badSettingsAreOneLineNamingTheKeyAndThePasswordIsNeverShown() throws Exception {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> access("redis.password", "x")).getMessage()
        .startsWith("ratelimit.redis.password is not read"));
    assertEquals("ratelimit.redis.passwordFile " + tmp.resolve("none") + " cannot be read: no such file",
        assertThrows(IllegalArgumentException.class,
            () -> access("redis.passwordFile", tmp.resolve("none").toString())).getMessage());
    assertEquals("ratelimit.redis.username needs ratelimit.redis.passwordFile",
        assertThrows(IllegalArgumentException.class, () -> access("redis.username", "alice")).getMessage());
    assertEquals("ratelimit.redis.tls.certFile and ratelimit.redis.tls.keyFile go together",
        assertThrows(IllegalArgumentException.class, () -> access("redis.tls", "true",
            "redis.tls.certFile", Files.writeString(tmp.resolve("c"), "x").toString())).getMessage());
    RedisAccess withPassword = access("redis.username", "alice", "redis.passwordFile",
        Files.writeString(tmp.resolve("pw"), "do-not-print").toString(), "redis.tls", "true");
    assertEquals("AUTH as alice, TLS", withPassword.describe());
    assertFalse(withPassword.toString().contains("do-not-print"), withPassword.toString());
  }

  private static String[] concat(String[] first, String... more) {
    String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }
}
