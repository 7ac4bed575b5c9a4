package io.gloo.core.admission;

import java.util.Objects;

/**
 * One reason an object is not admitted, as an API server would print it: the field's path in YAML terms
 * ({@code spec.listeners[0].port}; empty for the object itself) and the message (a CRD rule's own message, or a
 * schema violation in YAML terms).
 */
public record Violation(String path, String message) {
  public Violation {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
