package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the conditions of one status object. {@code lastTransitionTime} is left unset here: the reporter stamps it,
 * keeping the previous time when a condition did not change, so translation stays a pure function.
 */
final class Conditions {

  private final long generation;
  private final List<Condition> conditions = new ArrayList<>();

  Conditions(Long generation) {
    this.generation = generation == null ? 0 : generation;
  }

  /** Sets (or replaces) the condition of this type. */
  Conditions set(String type, boolean status, String reason, String message) {
    conditions.removeIf(c -> c.getType().equals(type));
    Condition c = new Condition();
    c.setType(type);
    c.setStatus(status ? "True" : "False");
    c.setReason(reason);
    c.setMessage(message);
    c.setObservedGeneration(generation);
    conditions.add(c);
    return this;
  }

  /**
   * The route condition {@code PartiallyInvalid} (reason UnsupportedValue) for rules that are not served as written
   * (dropped, or answering 500 instead). The spec: with the "drop rules" approach the message MUST start with
   * "Dropped Rule" and say which rules were dropped, and Accepted stays True. Nothing is set when {@code dropped}
   * is empty, nor when Accepted is not True (the spec: PartiallyInvalid MUST NOT be set on a route that is not
   * accepted), so call it after Accepted is set. Shared by every part of the translation that drops rules.
   */
  Conditions droppedRules(List<String> dropped) {
    if (!dropped.isEmpty() && isTrue(GatewayApi.ACCEPTED)) {
      set(GatewayApi.PARTIALLY_INVALID, true, GatewayApi.REASON_UNSUPPORTED_VALUE,
          DROPPED_RULE_PREFIX + ": " + String.join("; ", dropped));
    }
    return this;
  }

  /** Whether the condition of this type is set and True. */
  boolean isTrue(String type) {
    return conditions.stream().anyMatch(c -> c.getType().equals(type) && "True".equals(c.getStatus()));
  }

  /** The prefix the spec requires of a PartiallyInvalid message when invalid rules are dropped. */
  static final String DROPPED_RULE_PREFIX = "Dropped Rule";

  List<Condition> build() {
    return List.copyOf(conditions);
  }
}
