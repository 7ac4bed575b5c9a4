package io.gloo.core.conformance;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Validates a ConformanceReport tree against {@code conformance/conformance-report.schema.json} (networknt). */
final class ReportSchema {

  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  private ReportSchema() {}

  /** Each violation as "instance location: message"; empty when the report conforms. */
  static List<String> violations(Path schemaFile, JsonNode report) throws IOException {
    JsonNode schemaJson = JsonMapper.builder().build().readTree(Files.readString(schemaFile, StandardCharsets.UTF_8));
    Schema schema = REGISTRY.getSchema(schemaJson.toString());
    // YAML and JSON trees differ only in their factory: validate the JSON form of what is written
    JsonNode json = JsonMapper.builder().build().readTree(report.toString());
    return schema.validate(json).stream().map(Error::toString).toList();
  }
}
