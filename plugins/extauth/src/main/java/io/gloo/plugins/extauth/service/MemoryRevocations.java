package io.gloo.plugins.extauth.service;

import com.google.errorprone.annotations.ThreadSafe;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Revoked sessions of this replica (without {@code session.redis}): a map from session id to the end of its
 * lifetime by the service clock; expired entries are dropped on the next revocation. Shared by every config of one
 * {@link AuthRuntime}, so that a config update does not bring revoked cookies back. Not shared between replicas.
 */
@ThreadSafe
public final class MemoryRevocations implements SessionRevocations {

  /** Bound on remembered revocations (memory); expired entries are dropped first, from half of it on. */
  static final int MAX_ENTRIES = 1_000_000;

  private final Clock clock;
  private final Map<String, Long> revoked = new ConcurrentHashMap<>();

  public MemoryRevocations(Clock clock) {
    this.clock = clock;
  }

  @Override
  public CompletionStage<Void> revoke(String sid, Instant until) {
    long now = clock.millis();
    if (until.toEpochMilli() > now) {
      if (revoked.size() >= MAX_ENTRIES / 2) {
        revoked.values().removeIf(end -> end <= now);
      }
      if (revoked.size() < MAX_ENTRIES) {
        revoked.put(sid, until.toEpochMilli());
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Boolean> isRevoked(String sid) {
    Long end = revoked.get(sid);
    return CompletableFuture.completedFuture(end != null && end > clock.millis());
  }

  /** Entries held (expired ones included until the next clean-up); for tests. */
  int size() {
    return revoked.size();
  }
}
