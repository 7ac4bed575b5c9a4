package io.gloo.core.translate.policy;

import io.gloo.core.admission.BindingPaths;
import io.gloo.core.admission.Yaml;
import io.gloo.spi.policy.Violation;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * A policy spec that does not bind to its plugin's spec class, as a {@link Violation} on the field that failed
 * (relative to {@code spec}: {@code allow}, {@code rules[0].limit}) with what was expected there
 * ({@code expected a list, got "x"}), never a Java type name. Stateless.
 */
final class BindingErrors {

  private BindingErrors() {}

  /**
   * @param failure what binding threw (a Jackson exception, possibly wrapped)
   * @param spec the spec that was bound, to show the offending value
   */
  static Violation describe(Throwable failure, JsonNode spec) {
    JacksonException jackson = find(failure);
    if (jackson == null) {
      return new Violation("", "does not bind: " + firstLine(failure == null ? null : failure.getMessage()));
    }
    String path = BindingPaths.fieldPath(jackson.getPath());
    if (jackson instanceof UnrecognizedPropertyException) {
      return new Violation(path, "unknown field");
    }
    if (jackson instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      return new Violation(path, "expected " + BindingPaths.expected(mismatch.getTargetType()) + ", got "
          + Yaml.describe(BindingPaths.at(spec, jackson.getPath())));
    }
    return new Violation(path, "invalid value: " + firstLine(jackson.getOriginalMessage()));
  }

  private static JacksonException find(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof JacksonException jackson) {
        return jackson;
      }
    }
    return null;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
