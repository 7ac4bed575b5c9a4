package io.gloo.plugins.extauth.service;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Revoked sessions shared by every replica through Redis ({@code session.redis.options.host}): {@code SET
 * <keyPrefix><sid> 1 PX <remaining lifetime>}, so Redis forgets the entry when the session would have ended anyway
 * (the TTL is computed from the service clock and counted down by Redis's). One multiplexed, non-blocking Lettuce
 * connection, opened on first use and reopened after a failure; each call times out after {@code timeout}. When
 * Redis cannot answer, {@link #isRevoked} fails, and the caller refuses the session (fail closed). Every call's
 * outcome and latency go to {@link Calls} ({@code gloo_plugin_extauth_redis_*}, issue #21).
 */
@ThreadSafe
public final class RedisRevocations implements SessionRevocations {

  /** Where each Redis call's outcome goes: {@code op} is {@code revoke} or {@code is_revoked}. Thread-safe. */
  @FunctionalInterface
  public interface Calls {
    Calls NONE = (op, ok, nanos) -> { };

    void completed(String op, boolean ok, long nanos);
  }

  private final Clock clock;
  private final String prefix;
  private final RedisURI uri;
  private final ClientResources resources;
  private final RedisClient client;
  private final Calls calls;
  private final Object lock = new Object();
  @GuardedBy("lock")
  private CompletableFuture<StatefulRedisConnection<String, String>> connection;

  /**
   * @param address {@code host:port}
   */
  public RedisRevocations(String address, int db, String keyPrefix, Duration timeout, Clock clock, Calls calls) {
    this.clock = clock;
    this.calls = calls;
    this.prefix = keyPrefix;
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("session.redis.options.host must be host:port, got '" + address + "'");
    }
    this.uri = RedisURI.builder().withHost(address.substring(0, colon))
        .withPort(Integer.parseInt(address.substring(colon + 1))).withDatabase(db).withTimeout(timeout).build();
    this.resources = ClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
    this.client = RedisClient.create(resources);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(false)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .build());
  }

  @Override
  public CompletionStage<Void> revoke(String sid, Instant until) {
    long ttl = until.toEpochMilli() - clock.millis();
    if (ttl <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    long start = System.nanoTime();
    return connection().thenCompose(c -> c.async().set(prefix + sid, "1", SetArgs.Builder.px(ttl)))
        .whenComplete((ok, error) -> completed("revoke", start, error)).thenApply(ok -> null);
  }

  @Override
  public CompletionStage<Boolean> isRevoked(String sid) {
    long start = System.nanoTime();
    return connection().thenCompose(c -> c.async().exists(prefix + sid))
        .whenComplete((n, error) -> completed("is_revoked", start, error)).thenApply(n -> n != null && n > 0);
  }

  private CompletableFuture<StatefulRedisConnection<String, String>> connection() {
    synchronized (lock) {
      if (connection == null) {
        connection = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
      }
      return connection;
    }
  }

  /** Reports the call; after a failed one the connection is dropped, so the next call reconnects. */
  private void completed(String op, long start, Throwable error) {
    calls.completed(op, error == null, System.nanoTime() - start);
    if (error == null) {
      return;
    }
    CompletableFuture<StatefulRedisConnection<String, String>> dead;
    synchronized (lock) {
      dead = connection;
      connection = null;
    }
    if (dead != null) {
      dead.thenAccept(StatefulRedisConnection::closeAsync);
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (connection != null) {
        connection.thenAccept(StatefulRedisConnection::close);
        connection = null;
      }
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown();
  }
}
