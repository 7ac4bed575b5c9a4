package io.gloo.core.admission;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Values and types named the way a YAML author thinks of them, for messages (never Java class names). */
public final class Yaml {

  private static final int MAX_SHOWN = 64;

  private Yaml() {}

  /** {@code "abc"} for a string, {@code 42}, {@code true}, {@code a mapping}, {@code a list}, {@code null}. */
  public static String describe(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "nothing";
    }
    if (value.isString()) {
      String text = value.asString();
      return "\"" + (text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "..." : text) + "\"";
    }
    if (value.isObject()) {
      return "a mapping";
    }
    if (value.isArray()) {
      return "a list";
    }
    if (value.isNull()) {
      return "null";
    }
    return value.toString();
  }

  /** A JSON Schema {@code type} keyword (a name or a list of names) as "an integer", "an integer or a string". */
  static String typeName(JsonNode type) {
    if (type == null) {
      return "a value";
    }
    if (type.isArray()) {
      List<String> names = new ArrayList<>();
      for (JsonNode t : type) {
        if (!t.asString().equals("null")) {
          names.add(typeName(t.asString()));
        }
      }
      return String.join(" or ", names);
    }
    return typeName(type.asString());
  }

  /** A schema or Java-ish type name as a YAML author reads it: "an integer", "a string", "a mapping", ... */
  public static String typeName(String type) {
    return switch (type) {
      case "integer", "int", "long", "short", "Integer", "Long", "Short", "BigInteger" -> "an integer";
      case "number", "double", "float", "Double", "Float", "BigDecimal" -> "a number";
      case "boolean", "Boolean" -> "a boolean (true or false)";
      case "string", "String", "char", "Character" -> "a string";
      case "array", "List", "Collection", "Set", "ArrayList" -> "a list";
      case "object", "Map", "LinkedHashMap", "HashMap" -> "a mapping";
      default -> "a " + type;
    };
  }

  /** An enum's values as {@code "A", "B"}. */
  static String list(JsonNode values) {
    List<String> shown = new ArrayList<>();
    for (JsonNode v : values) {
      shown.add(describe(v));
    }
    return String.join(", ", shown);
  }
}
