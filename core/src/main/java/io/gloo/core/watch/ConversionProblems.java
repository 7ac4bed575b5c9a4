package io.gloo.core.watch;

import io.fabric8.kubernetes.api.model.Secret;
import io.gloo.core.admission.Yaml;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * A document that does not convert to its model class, described in YAML terms: the field's path and what was
 * expected there ({@code spec.ports[0].port: expected an integer, got "abc"}), never a Java type name. Secret values
 * are never shown.
 */
final class ConversionProblems {

  /** A field path ({@code ""}: the document) and the message. */
  record Located(String path, String message) {}

  private ConversionProblems() {}

  static Located describe(RuntimeException e, JsonNode document, Class<?> modelType) {
    JacksonException jackson = ManifestParser.find(e, JacksonException.class);
    String path = jackson == null ? "" : fieldPath(jackson.getPath());
    boolean secret = Secret.class.isAssignableFrom(modelType);
    String prefix = path.isEmpty() ? "" : path + ": ";
    if (jackson instanceof UnrecognizedPropertyException unknown) {
      return new Located(path, "unknown field \"" + path + "\"");
    }
    if (jackson instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      String expected = expected(mismatch.getTargetType());
      JsonNode value = at(document, jackson.getPath());
      String got = secret ? "" : ", got " + Yaml.describe(value);
      return new Located(path, prefix + "expected " + expected + got);
    }
    if (secret) {
      return new Located(path, prefix + "invalid value (value not shown)");
    }
    String reason = jackson != null ? jackson.getOriginalMessage() : e.getMessage();
    return new Located(path, prefix + "invalid value: " + ManifestParser.firstLine(reason));
  }

  /** A Java target type as a YAML author reads it. */
  static String expected(Class<?> type) {
    if (type.isEnum()) {
      return "one of " + String.join(", ", java.util.Arrays.stream(type.getEnumConstants())
          .map(c -> "\"" + c + "\"").toList());
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "a mapping";
    }
    if (type.isPrimitive() || type.getName().startsWith("java.")) {
      return Yaml.typeName(type.getSimpleName());
    }
    // IntOrString and Quantity are written as scalars; every other model class is a mapping
    String simple = type.getSimpleName();
    if (simple.equals("IntOrString")) {
      return "an integer or a string";
    }
    if (simple.equals("Quantity")) {
      return "a quantity (e.g. 100m, 1Gi)";
    }
    return "a mapping";
  }

  private static JsonNode at(JsonNode document, List<JacksonException.Reference> references) {
    JsonNode node = document;
    for (JacksonException.Reference ref : references) {
      if (node == null) {
        return null;
      }
      node = ref.getPropertyName() != null ? node.get(ref.getPropertyName())
          : ref.getIndex() >= 0 ? node.get(ref.getIndex()) : node;
    }
    return node;
  }

  private static String fieldPath(List<JacksonException.Reference> references) {
    StringBuilder path = new StringBuilder();
    for (JacksonException.Reference ref : references) {
      if (ref.getPropertyName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }
}
