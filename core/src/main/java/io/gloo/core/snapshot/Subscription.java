package io.gloo.core.snapshot;

/** A registered listener; {@link #close()} unregisters it. Idempotent. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

  @Override
  void close();
}
