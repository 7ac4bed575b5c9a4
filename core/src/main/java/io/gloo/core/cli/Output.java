package io.gloo.core.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Renders a JSON tree as pretty JSON or YAML, for the commands that print documents. */
final class Output {

  private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  private Output() {}

  /** {@code -o} of the commands that print documents: json or yaml, checked when parsed. */
  static final class JsonOrYaml implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (!value.equals("json") && !value.equals("yaml")) {
        throw new TypeConversionException("'" + value + "' is not an output format (json or yaml)");
      }
      return value;
    }
  }

  /** {@code -o} of the commands that also print a table: table, json or yaml, checked when parsed. */
  static final class TableJsonOrYaml implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (!value.equals("table") && !value.equals("json") && !value.equals("yaml")) {
        throw new TypeConversionException("'" + value + "' is not an output format (table, json or yaml)");
      }
      return value;
    }
  }

  static String render(JsonNode tree, String format) {
    return switch (format) {
      case "json" -> JSON.writeValueAsString(tree) + "\n";
      case "yaml" -> YAML.writeValueAsString(tree);
      default -> throw new IllegalArgumentException("unknown output format " + format + " (json or yaml)");
    };
  }
}
