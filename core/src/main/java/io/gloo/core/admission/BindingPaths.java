package io.gloo.core.admission;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Where a Jackson binding failed and what was expected there, in YAML terms ({@code spec.ports[0].port},
 * "a list"), never a Java type name: shared by manifest conversion and the binding of plugin policy specs.
 * Stateless.
 */
public final class BindingPaths {

  private BindingPaths() {}

  /** A Java target type as a YAML author reads it. */
  public static String expected(Class<?> type) {
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

  public static JsonNode at(JsonNode document, List<JacksonException.Reference> references) {
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

  public static String fieldPath(List<JacksonException.Reference> references) {
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
