package io.gloo.spi.policy;

/**
 * A problem with a policy's spec, reported in its status.
 *
 * @param field the path of the offending field relative to {@code spec}, e.g. {@code options.retries.numRetries}
 * @param message what is wrong, without secret values
 */
public record Violation(String field, String message) {

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
