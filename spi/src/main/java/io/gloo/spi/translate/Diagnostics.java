package io.gloo.spi.translate;

/**
 * Where a translator reports. Each report names the spec field it concerns (relative to {@code spec}, e.g.
 * {@code options.faults.abort.httpStatus}); core attributes it to the policy that set that field and shows it in that
 * policy's status. Messages must not contain secret values.
 */
public interface Diagnostics {

  /** Something the user should know; the policy is still applied. */
  void warning(String field, String message);

  /** The field cannot be applied; the policy is reported as rejected for it. */
  void error(String field, String message);

  /** A field this implementation does not support; reported as {@code UnsupportedValue}. */
  default void unsupported(String field) {
    warning(field, "not supported; ignored");
  }
}
