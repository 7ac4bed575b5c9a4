package io.gloo.plugins.extauth.service;

import java.util.concurrent.CompletionStage;

/**
 * One auth step ({@code configs[i]} of an AuthConfig), ready to check requests. Implementations are thread-safe and
 * never block a calling gRPC thread on I/O: remote calls return a stage that completes later. A stage never
 * completes exceptionally for an ordinary denial; an exception means the step could not decide (the caller denies).
 */
public interface Authenticator extends AutoCloseable {

  CompletionStage<AuthResult> check(CheckContext request);

  /** Releases clients and caches this step owns. */
  @Override
  default void close() {}
}
