package io.gloo.core.translate.policy;

/**
 * The spec of an {@link AppliedPolicy} that stands for a guarding policy that cannot be applied (rejected, or its
 * plugin is gone; see {@link io.gloo.spi.policy.PolicyKind#failClosed()}): no translator is called for it, and
 * the place it applies to answers 500 instead of serving without it.
 *
 * @param reason why, naming the policy (e.g. "AuthConfig ns/a is rejected: spec.x: ...")
 */
public record FailClosed(String reason) {}
