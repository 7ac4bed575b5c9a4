package io.gloo.core.convert;

import static io.gloo.core.convert.EdgeConversion.MAPPER;
import static io.gloo.core.convert.EdgeConversion.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A weighted destination's {@code options} (Gloo's WeightedDestinationOptions) as the backendRef's own filters:
 * {@code headerManipulation} becomes RequestHeaderModifier / ResponseHeaderModifier filters, which Gateway API applies
 * only when that backend is picked, as Envoy applies Gloo's per-destination header edits ({@code append}, default
 * true, adds; false sets; {@code ...HeadersToRemove} removes). What has no backendRef form is noted and dropped:
 * {@code headerSecretRef} (a header value from a Secret), and every other option (a backendRef takes no policy).
 */
final class DestinationHeaders {

  private DestinationHeaders() {}

  /** Adds the filters to {@code ref}; notes what is dropped. */
  static void apply(String where, String out, JsonNode options, ObjectNode ref, ConversionNotes notes) {
    List<String> dropped = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : options.properties()) {
      if (!e.getKey().equals("headerManipulation") && !e.getValue().isNull()) {
        dropped.add(e.getKey());
      }
    }
    JsonNode h = options.path("headerManipulation");
    ArrayNode filters = MAPPER.createArrayNode();
    for (String direction : List.of("request", "response")) {
      ObjectNode modifier = MAPPER.createObjectNode();
      for (JsonNode option : h.path(direction + "HeadersToAdd")) {
        String key = text(option.path("header"), "key");
        if (key == null || key.isEmpty()) {
          notes.add(out, where + ": a per-destination " + direction + " header without header {key, value}"
              + " (headerSecretRef) has no backendRef filter form; dropped");
          continue;
        }
        String list = option.path("append").asBoolean(true) ? "add" : "set";
        ArrayNode headers = modifier.has(list) ? (ArrayNode) modifier.get(list) : modifier.putArray(list);
        headers.addObject().put("name", key).put("value", option.path("header").path("value").asString(""));
      }
      JsonNode remove = h.path(direction + "HeadersToRemove");
      if (!remove.isEmpty()) {
        modifier.set("remove", remove.deepCopy());
      }
      if (!modifier.isEmpty()) {
        String type = direction.equals("request") ? "RequestHeaderModifier" : "ResponseHeaderModifier";
        filters.addObject().put("type", type).set(direction + "HeaderModifier", modifier);
      }
    }
    if (!filters.isEmpty()) {
      ref.set("filters", filters);
    }
    if (!dropped.isEmpty()) {
      notes.add(out, where + ": per-destination options are not converted except headerManipulation (backendRef"
          + " filters): " + dropped + " dropped");
    }
  }
}
