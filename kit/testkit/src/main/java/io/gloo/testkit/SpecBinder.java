package io.gloo.testkit;

import io.gloo.core.translate.policy.PolicyCatalog;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.policy.Violation;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A policy's {@code spec}, as YAML or JSON, bound to its kind's spec type with the mapper core binds specs with
 * (a {@link PolicyCatalog}'s), then checked by the kind's {@code validate}. A binding failure is a violation of the
 * field Jackson stopped at ({@code options.add}, {@code allow[1]}), not a stack trace. Thread-safe.
 */
public final class SpecBinder {

  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  private final ObjectMapper mapper = new PolicyCatalog(List.of()).mapper();

  /**
   * The outcome of binding and validating one spec.
   *
   * @param spec the bound spec, or null when it did not bind
   * @param violations binding and validation problems, fields relative to {@code spec}
   */
  public record Bound<S>(S spec, List<Violation> violations) {

    public boolean accepted() {
      return violations.isEmpty();
    }

    /** The violations as core writes them into the policy's status: {@code spec.FIELD: MESSAGE}. */
    public List<String> statusMessages() {
      return violations.stream().map(v -> "spec." + v.field() + ": " + v.message()).toList();
    }
  }

  /** Binds and validates {@code spec} (YAML or JSON: the content of the resource's {@code spec}). */
  public <S> Bound<S> bind(PolicyKind<S> kind, String spec) {
    JsonNode tree;
    try {
      tree = YAML.readTree(spec == null || spec.isBlank() ? "{}" : spec);
    } catch (JacksonException e) {
      return new Bound<>(null, List.of(new Violation("", "not YAML or JSON: " + firstLine(e.getOriginalMessage()))));
    }
    S bound;
    try {
      bound = mapper.treeToValue(tree, kind.specType());
    } catch (JacksonException e) {
      return new Bound<>(null, List.of(new Violation(path(e), firstLine(e.getOriginalMessage()))));
    }
    List<Violation> violations = new ArrayList<>(kind.validate(bound));
    return new Bound<>(violations.isEmpty() ? bound : null, List.copyOf(violations));
  }

  /** The JSON path Jackson stopped at, relative to {@code spec}: {@code options.add}, {@code allow[1].cidr}. */
  static String path(JacksonException e) {
    StringBuilder path = new StringBuilder();
    for (JacksonException.Reference ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "invalid";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
