package io.gloo.plugins.extauth.service;

import com.nimbusds.jose.jwk.JWKSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Where a JWT validator gets its public keys. Thread-safe. */
public interface JwksSource {

  /** The current keys without waiting; null when none were ever obtained. */
  JWKSet cached();

  /** The keys, fetching them first if none were ever obtained. */
  CompletionStage<JWKSet> keys();

  /**
   * Called when a token names a key id the current keys lack (keys may have rotated): may fetch again, at most once
   * per refresh interval; completes with the keys to use (the old ones when nothing new could be had).
   */
  CompletionStage<JWKSet> refreshForUnknownKid();

  /** Fixed keys ({@code localJwks}). */
  static JwksSource fixed(JWKSet keys) {
    return new JwksSource() {
      @Override
      public JWKSet cached() {
        return keys;
      }

      @Override
      public CompletionStage<JWKSet> keys() {
        return CompletableFuture.completedFuture(keys);
      }

      @Override
      public CompletionStage<JWKSet> refreshForUnknownKid() {
        return CompletableFuture.completedFuture(keys);
      }
    };
  }
}
