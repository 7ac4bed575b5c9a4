package io.gloo.core.translate.policy;

import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.policy.Violation;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One policy resource as the translator sees it: its spec as JSON (for merging), the typed spec (for the plugin),
 * and whether it is valid.
 *
 * @param creationTimestamp RFC 3339, or null when unknown (directory mode without it)
 * @param typedSpec the spec bound to the kind's spec type, or null when it did not bind
 * @param violations why the policy is rejected; empty when valid
 * @param closure for a rejected policy that guards traffic (its kind is fail-closed, or it sets one of its kind's
 *     fail-closed fields; see {@link io.gloo.spi.policy.PolicyKind#failClosed()}), why the routes it targets answer
 *     500 instead; null otherwise
 */
public record PolicyResource(
    RegisteredKind kind,
    PolicyRef ref,
    String creationTimestamp,
    long generation,
    JsonNode spec,
    Object typedSpec,
    List<Violation> violations,
    List<TargetRef> targetRefs,
    String closure) {

  public boolean valid() {
    return violations.isEmpty() && typedSpec != null;
  }

  /** Whether the plugin that served its kind is gone (its kind is core's {@link AbsentKind} stand-in). */
  public boolean orphaned() {
    return kind.kind() instanceof AbsentKind;
  }

  /** One entry of {@code spec.targetRefs}. */
  public record TargetRef(String group, String kind, String name, String namespace, String sectionName) {}
}
