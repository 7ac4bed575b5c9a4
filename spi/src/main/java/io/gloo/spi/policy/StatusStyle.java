package io.gloo.spi.policy;

/** How core renders a policy kind's status, following what Gloo writes for that kind. */
public enum StatusStyle {
  /**
   * Gloo's namespaced statuses: {@code status.statuses[<controller namespace>] = {state: Accepted|Rejected|Warning,
   * reason, reportedBy, observedGeneration}} (RouteOption, VirtualHostOption, Upstream, AuthConfig).
   */
  GLOO_NAMESPACED,
  /** {@code status = {state: ACCEPTED|REJECTED|PENDING, message, observedGeneration}} (RateLimitConfig). */
  STATE_MESSAGE
}
