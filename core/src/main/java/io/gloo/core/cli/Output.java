package io.gloo.core.cli;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Renders a JSON tree as pretty JSON or YAML, for the commands that print documents. */
final class Output {

  private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  private Output() {}

  static String render(JsonNode tree, String format) {
    return switch (format) {
      case "json" -> JSON.writeValueAsString(tree) + "\n";
      case "yaml" -> YAML.writeValueAsString(tree);
      default -> throw new IllegalArgumentException("unknown output format " + format + " (json or yaml)");
    };
  }
}
