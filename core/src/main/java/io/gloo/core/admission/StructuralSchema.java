package io.gloo.core.admission;

import com.google.errorprone.annotations.ThreadSafe;
import com.networknt.schema.Error;
import com.networknt.schema.ExecutionConfig;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * One CRD version's structural schema, compiled once ({@link OpenApiSchemas} → networknt), and its violations in
 * YAML terms: {@code spec.listeners[0].port: expected an integer, got "abc"}, {@code Required value},
 * {@code Unsupported value: "Foo": supported values: "A", "B"}, {@code unknown field "spec.foo"}, ...
 * The compiled schema is immutable; validation is thread-safe.
 */
@ThreadSafe
final class StructuralSchema {

  /** No annotations (nothing reads them) and no format assertions (see OpenApiSchemas): the cheap path. */
  private static final ExecutionConfig CONFIG = ExecutionConfig.builder().annotationCollectionEnabled(false)
      .formatAssertionsEnabled(false).build();

  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  private final Schema schema;

  /**
   * Compiled lazily (issue #21): networknt builds a subschema's validators when an object first reaches it, so a run
   * that reads a Gateway and a few routes does not compile every field of every kind's schema. What is reported does
   * not change: a field's validators are built before the field is validated. {@link #compileAll()} compiles all of
   * it now (CrdCatalogTest proves the shipped schemas compile).
   */
  StructuralSchema(JsonNode openApiV3Schema) {
    this.schema = REGISTRY.getSchema(OpenApiSchemas.toJsonSchema(openApiV3Schema));
  }

  /** Builds every subschema's validators now instead of on first use. */
  void compileAll() {
    schema.initializeValidators();
  }

  /** The violations of {@code object} (already defaulted), in document order, without duplicates. */
  List<Violation> validate(JsonNode object) {
    List<Error> errors = schema.validate(object, context -> context.setExecutionConfig(CONFIG));
    if (errors.isEmpty()) {
      return List.of();
    }
    Set<Violation> out = new LinkedHashSet<>();
    for (Error error : errors) {
      out.add(describe(error));
    }
    return new ArrayList<>(out);
  }

  private static Violation describe(Error error) {
    String path = path(error.getInstanceLocation());
    JsonNode value = error.getInstanceNode();
    JsonNode rule = error.getSchemaNode();
    String keyword = error.getKeyword() == null ? "" : error.getKeyword();
    switch (keyword) {
      case "type":
        return new Violation(path, "expected " + Yaml.typeName(rule) + ", got " + Yaml.describe(value));
      case "required":
        return new Violation(join(path, String.valueOf(error.getProperty())), "Required value");
      case "additionalProperties":
        String field = join(path, String.valueOf(error.getProperty()));
        return new Violation(field, "unknown field \"" + field + "\"");
      case "enum":
        return new Violation(path, "Unsupported value: " + Yaml.describe(value) + ": supported values: "
            + Yaml.list(rule));
      case "pattern":
        return new Violation(path, "Invalid value: " + Yaml.describe(value) + ": should match '" + rule.asString()
            + "'");
      case "maxLength":
        return new Violation(path, "Too long: may not be more than " + rule.asLong() + " characters");
      case "minLength":
        return new Violation(path, "Invalid value: " + Yaml.describe(value) + ": should be at least "
            + rule.asLong() + " characters long");
      case "maximum", "exclusiveMaximum":
        return new Violation(path, "Invalid value: " + Yaml.describe(value) + ": should be less than "
            + (keyword.equals("maximum") ? "or equal to " : "") + rule.asString());
      case "minimum", "exclusiveMinimum":
        return new Violation(path, "Invalid value: " + Yaml.describe(value) + ": should be greater than "
            + (keyword.equals("minimum") ? "or equal to " : "") + rule.asString());
      case "maxItems":
        return new Violation(path, "Too many: " + value.size() + ": must have at most " + rule.asLong() + " items");
      case "minItems":
        return new Violation(path, "Invalid value: " + value.size() + " items: should have at least "
            + rule.asLong() + " items");
      case "maxProperties":
        return new Violation(path, "Too many: " + value.size() + ": must have at most " + rule.asLong() + " entries");
      case "minProperties":
        return new Violation(path, "Invalid value: " + value.size() + " entries: should have at least "
            + rule.asLong() + " entries");
      default:
        return new Violation(path, stripLocation(error.getMessage()));
    }
  }

  /** {@code /spec/listeners/0/port} → {@code spec.listeners[0].port}. */
  static String path(NodePath location) {
    StringBuilder out = new StringBuilder();
    if (location == null) {
      return "";
    }
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      if (element instanceof Integer index) {
        out.append('[').append(index).append(']');
      } else {
        if (out.length() > 0) {
          out.append('.');
        }
        out.append(element);
      }
    }
    return out.toString();
  }

  /** {@code path.field}, or {@code field} at the top. */
  static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  /** networknt prefixes its messages with the instance location, which the violation already carries. */
  private static String stripLocation(String message) {
    int colon = message.indexOf(": ");
    return message.startsWith("/") && colon > 0 ? message.substring(colon + 2) : message;
  }
}
