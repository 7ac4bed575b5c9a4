package io.gloo.plugins.extauth.service;

import static io.gloo.plugins.extauth.service.AuthServer.req;
import static io.gloo.plugins.extauth.service.AuthServer.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code session.redis}: the revocation set is shared, so a logout on one replica ends the session on every other;
 * Redis forgets the entry when the session would have ended (its own TTL); and while Redis cannot answer, sessions
 * are refused (fail closed). A real redis-server on a free loopback port; two ext-auth services as two replicas.
 */
class OidcRedisRevocationTest {

  OidcLogin idp;
  AuthServer replicaA;
  AuthServer replicaB;
  Process redis;
  int redisPort;
  /** Replica A's Redis calls as its metrics see them: op:result, and the latencies. */
  final List<String> redisCalls = new java.util.concurrent.CopyOnWriteArrayList<>();
  final List<Long> redisNanos = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      redisPort = s.getLocalPort();
    }
    redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    awaitListening(redisPort);
    idp = new OidcLogin();
    replicaA = new AuthServer(idp.clock);
    replicaA.runtime.reportRedisCalls((op, ok, nanos) -> {
      redisCalls.add(op + ":" + (ok ? "ok" : "error"));
      redisNanos.add(nanos);
    });
    replicaB = new AuthServer(idp.clock);
    String session = "session: {cookieOptions: {maxAge: 3600}, redis: {options: {host: '127.0.0.1:%d'}, "
        + "keyPrefix: 'app1:'}}";
    idp.serve(replicaA, session.formatted(redisPort));
    idp.serve(replicaB, session.formatted(redisPort));
  }

  @AfterEach
  void stop() throws Exception {
    replicaA.close();
    replicaB.close();
    idp.close();
    redis.destroy();
    redis.waitFor(10, TimeUnit.SECONDS);
  }

  private static void awaitListening(int port) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 100);
        return;
      } catch (IOException e) {
        Thread.sleep(25);
      }
    }
    throw new AssertionError("redis-server did not start on " + port);
  }

  private String redisCli(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("redis-cli", "-p", Integer.toString(redisPort)));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }

  int visit(AuthServer replica, String session) {
    return status(replica.check(req("ns.oidc").path("/private").header("cookie", session)));
  }

  @Test
  void aLogoutOnOneReplicaEndsTheSessionOnEveryReplicaUntilItsLifetimeEnds() throws Exception {
    String session = OidcLogin.cookie(idp.login(replicaA, "\"access_token\":\"at-1\",\"expires_in\":300"),
        "id_token");
    assertEquals(200, visit(replicaB, session));
    assertEquals(302, status(replicaA.check(req("ns.oidc").path("/logout").header("cookie", session))));
    assertTrue(redisCalls.contains("revoke:ok"), "the logout was written to Redis: " + redisCalls);
    assertEquals(302, visit(replicaB, session), "the copy is refused on the other replica too");
    assertEquals(302, visit(replicaA, session));

    // one key under the configured prefix, expiring (by Redis's clock) when the session would have ended
    String key = redisCli("--scan", "--pattern", "app1:gloo-extauth-revoked:*");
    assertTrue(key.startsWith("app1:gloo-extauth-revoked:") && !key.contains("\n"), key);
    long ttl = Long.parseLong(redisCli("PTTL", key));
    assertTrue(ttl > 3_500_000 && ttl <= 3_600_000, "PTTL " + ttl + " ms: the session's remaining hour");
  }

  @Test
  void whileRedisCannotAnswerSessionsAreRefused() throws Exception {
    String session = OidcLogin.cookie(idp.login(replicaA, "\"access_token\":\"at-1\",\"expires_in\":300"),
        "id_token");
    assertEquals(200, visit(replicaA, session));
    redis.destroy();
    redis.waitFor(10, TimeUnit.SECONDS);
    assertTrue(redisCalls.contains("is_revoked:ok") && !redisCalls.toString().contains("error"), redisCalls.toString());
    int before = redisCalls.size();
    assertEquals(403, visit(replicaA, session), "revocation unknown: fail closed");
    assertTrue(replicaA.decisions.contains("deny:oidc_revocations_unavailable"), replicaA.decisions.toString());
    // what gloo_plugin_extauth_redis_errors_total and _redis_duration_seconds{result="error"} count
    assertEquals(List.of("is_revoked:error"), redisCalls.subList(before, redisCalls.size()));
    assertTrue(redisNanos.stream().allMatch(n -> n > 0), redisNanos.toString());
  }
}
