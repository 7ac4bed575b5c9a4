package io.gloo.core.translate.edge;

import io.gloo.core.ir.HeaderEditsIR;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The {@code options} of one weighted destination ({@code multi.destinations[]} of a route or an UpstreamGroup,
 * Gloo's {@code WeightedDestinationOptions}). {@code headerManipulation} becomes the weighted cluster's own header
 * edits (Envoy applies them only when that destination is picked); Gloo's {@code append} (default true) adds, false
 * sets. Every other field is named in a warning and ignored, except fields that guard traffic ({@code extauth}):
 * then the destination keeps its weight with no cluster, so its share answers 500 (fail closed). Stateless.
 */
final class EdgeDestinationOptions {

  /** Header edits for the destination, what to say about the rest, and whether it must answer 500. */
  record Parsed(HeaderEditsIR request, HeaderEditsIR response, List<String> warnings, boolean failClosed) {
    static final Parsed NONE = new Parsed(HeaderEditsIR.NONE, HeaderEditsIR.NONE, List.of(), false);
  }

  private static final Set<String> HEADER_FIELDS = Set.of("requestHeadersToAdd", "requestHeadersToRemove",
      "responseHeadersToAdd", "responseHeadersToRemove");

  private EdgeDestinationOptions() {}

  /** @param where how the warnings name the options, e.g. {@code multi.destinations[1].options} */
  static Parsed of(JsonNode options, String where) {
    if (options == null || !options.isObject() || options.isEmpty()) {
      return Parsed.NONE;
    }
    List<String> warnings = new ArrayList<>();
    boolean failClosed = false;
    for (Map.Entry<String, JsonNode> e : options.properties()) {
      if (e.getKey().equals("headerManipulation") || e.getValue().isNull()) {
        continue;
      }
      if (EdgeOptions.GUARDS.contains(e.getKey())) {
        failClosed = true;
        warnings.add(where + "." + e.getKey() + " is not supported on a destination: it answers 500 (fail closed)");
      } else {
        warnings.add(where + "." + e.getKey() + " is not supported and is ignored");
      }
    }
    JsonNode h = options.path("headerManipulation");
    for (Map.Entry<String, JsonNode> e : h.properties()) {
      if (!HEADER_FIELDS.contains(e.getKey())) {
        warnings.add(where + ".headerManipulation." + e.getKey() + " is not supported and is ignored");
      }
    }
    return new Parsed(edits(h, "request", where, warnings), edits(h, "response", where, warnings), warnings,
        failClosed);
  }

  private static HeaderEditsIR edits(JsonNode h, String direction, String where, List<String> warnings) {
    List<HeaderEditsIR.Header> set = new ArrayList<>();
    List<HeaderEditsIR.Header> add = new ArrayList<>();
    List<String> remove = new ArrayList<>();
    int i = -1;
    for (JsonNode option : h.path(direction + "HeadersToAdd")) {
      i++;
      JsonNode header = option.path("header");
      String key = EdgeApi.str(header, "key");
      if (key == null || key.isEmpty()) {
        warnings.add(where + ".headerManipulation." + direction + "HeadersToAdd[" + i + "]: only header {key, value}"
            + " is supported (not headerSecretRef); ignored");
        continue;
      }
      HeaderEditsIR.Header edit = new HeaderEditsIR.Header(key, header.path("value").asString(""));
      (option.path("append").asBoolean(true) ? add : set).add(edit);
    }
    h.path(direction + "HeadersToRemove").forEach(n -> remove.add(n.asString()));
    return set.isEmpty() && add.isEmpty() && remove.isEmpty() ? HeaderEditsIR.NONE
        : new HeaderEditsIR(set, add, remove);
  }
}
