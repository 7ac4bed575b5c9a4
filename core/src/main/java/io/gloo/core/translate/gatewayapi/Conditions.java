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

  List<Condition> build() {
    return List.copyOf(conditions);
  }
}
