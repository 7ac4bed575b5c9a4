package io.gloo.core.admission;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A CRD's structural schema (OpenAPI v3, Kubernetes dialect) as a JSON Schema (2020-12) with the same meaning:
 * <ul>
 *   <li>{@code nullable: true} adds {@code "null"} to the type;</li>
 *   <li>{@code x-kubernetes-int-or-string} becomes "integer or string";</li>
 *   <li>OpenAPI 3.0's boolean {@code exclusiveMinimum}/{@code exclusiveMaximum} become 2020-12's numeric ones;</li>
 *   <li>an object schema with {@code properties} and neither {@code additionalProperties} nor
 *       {@code x-kubernetes-preserve-unknown-fields} rejects other fields, as {@code kubectl apply} (strict field
 *       validation) does; {@code metadata} is left open (the API server validates ObjectMeta itself);</li>
 *   <li>{@code description}, {@code default}, {@code format} (only int32/int64/date-time occur, and the API
 *       server does not enforce them on spec) and the other {@code x-kubernetes-*} extensions are dropped: defaults
 *       and list types are applied by {@link CelRules}, and so are the CEL rules.</li>
 * </ul>
 */
final class OpenApiSchemas {

  private static final Set<String> DROPPED = Set.of("description", "default", "format", "nullable", "example",
      "externalDocs", "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields",
      "x-kubernetes-validations", "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type",
      "x-kubernetes-embedded-resource", "exclusiveMinimum", "exclusiveMaximum");

  private OpenApiSchemas() {}

  /** The JSON Schema for a CRD version's {@code openAPIV3Schema}; {@code status} is left out (see Admission). */
  static ObjectNode toJsonSchema(JsonNode openApi) {
    ObjectNode root = convert(openApi, false);
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    JsonNode properties = root.get("properties");
    if (properties instanceof ObjectNode p) {
      p.remove("status");
      if (p.get("metadata") instanceof ObjectNode) {
        p.set("metadata", JsonNodeFactory.instance.objectNode().put("type", "object"));
      }
    }
    return root;
  }

  private static ObjectNode convert(JsonNode schema, boolean inJunctor) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> e : schema.properties()) {
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (DROPPED.contains(key)) {
        continue;
      }
      switch (key) {
        case "properties" -> {
          ObjectNode props = out.putObject("properties");
          for (Map.Entry<String, JsonNode> p : value.properties()) {
            props.set(p.getKey(), convert(p.getValue(), inJunctor));
          }
        }
        case "items", "additionalProperties" -> out.set(key, value.isObject() ? convert(value, inJunctor) : value);
        case "not" -> out.set(key, convert(value, true));
        case "allOf", "anyOf", "oneOf" -> {
          ArrayNode list = out.putArray(key);
          for (Iterator<JsonNode> it = value.iterator(); it.hasNext(); ) {
            list.add(convert(it.next(), true));
          }
        }
        default -> out.set(key, value);
      }
    }
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      out.remove("type");
      out.set("type", JsonNodeFactory.instance.arrayNode().add("integer").add("string"));
    }
    exclusive(schema, out, "exclusiveMinimum", "minimum");
    exclusive(schema, out, "exclusiveMaximum", "maximum");
    if (schema.path("nullable").asBoolean(false) && out.get("type") != null) {
      JsonNode type = out.get("type");
      ArrayNode types = JsonNodeFactory.instance.arrayNode();
      if (type.isArray()) {
        types.addAll((ArrayNode) type);
      } else {
        types.add(type);
      }
      types.add("null");
      out.set("type", types);
    }
    boolean open = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    // Inside allOf/anyOf/oneOf/not, properties only constrain values; they do not say which fields exist.
    if (!open && !inJunctor && schema.has("properties") && !schema.has("additionalProperties")) {
      out.put("additionalProperties", false);
    }
    return out;
  }

  private static void exclusive(JsonNode schema, ObjectNode out, String flag, String bound) {
    if (schema.path(flag).asBoolean(false) && schema.has(bound)) {
      out.set(flag, schema.get(bound));
      out.remove(bound);
    }
  }
}
