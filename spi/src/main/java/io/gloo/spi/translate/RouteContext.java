package io.gloo.spi.translate;

/** A call about one Envoy route: one match of one HTTPRoute rule. */
public interface RouteContext extends TranslationContext {

  /** The HTTPRoute, as {@code namespace/name}. */
  String httpRoute();

  /** The rule's index in the HTTPRoute. */
  int rule();

  /** The rule's {@code name}, or null. */
  String ruleName();

  /**
   * A problem shown on the HTTPRoute's status as well as the policy's, e.g. a missing reference that makes the
   * route fail closed. Must not contain secret values.
   */
  default void reportOnRoute(String message) {}
}
