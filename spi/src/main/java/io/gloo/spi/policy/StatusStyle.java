package io.gloo.spi.policy;

/** How a policy's status is written. */
public enum StatusStyle {
  /** Gloo's {@code status.statuses[ns]{state: Accepted|Rejected|Warning, reason, ...}}. */
  GLOO_NAMESPACED,
  /** {@code status{state: ACCEPTED|REJECTED|PENDING, message, observedGeneration}}. */
  STATE_MESSAGE
}
