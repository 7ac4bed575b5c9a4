package io.gloo.plugins.extauth.service;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * The OIDC sessions ended by logout before their lifetime: a copied session cookie must not outlive its logout.
 * Entries are kept until the session's own end ({@code until}), after which the cookie is refused anyway.
 * Implementations are thread-safe and never block the caller.
 */
public interface SessionRevocations extends AutoCloseable {

  /** Ends session {@code sid} now; forgotten after {@code until}. */
  CompletionStage<Void> revoke(String sid, Instant until);

  /** Whether {@code sid} was revoked; fails when the answer is unknown (the caller fails closed). */
  CompletionStage<Boolean> isRevoked(String sid);

  @Override
  default void close() {}
}
