package io.gloo.core.validate;

import java.util.Objects;

/**
 * One broken constraint.
 *
 * @param path the field path from the validated message, in proto field names, e.g.
 *     {@code virtual_hosts[0].routes[3].match.safe_regex.regex}; map entries are {@code field["key"]}; fields of a
 *     message packed in an {@code Any} continue the path of the Any field ({@code typed_config.rds...}); empty for
 *     the message itself
 * @param rule the rule, as in validate.proto ({@code string.min_len}, {@code oneof.required}, ...) or a semantic
 *     check's name ({@code rds.missing}, {@code regex.invalid}, ...)
 * @param message what is wrong, for humans
 */
public record Violation(String path, String rule, String message) {

  public Violation {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return (path.isEmpty() ? "" : path + ": ") + message + " [" + rule + "]";
  }
}
