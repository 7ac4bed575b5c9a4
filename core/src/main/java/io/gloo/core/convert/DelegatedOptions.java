package io.gloo.core.convert;

import static io.gloo.core.convert.EdgeConversion.MAPPER;
import static io.gloo.core.convert.EdgeConversion.present;
import static io.gloo.core.convert.EdgeConversion.text;

import java.util.HashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code optionsConfigRefs.delegateOptions} (a route's RouteOptions, a virtual host's VirtualHostOptions) merged into
 * the resource's own {@code options} as Gloo Edge merges them: the inline options win, then the first reference that
 * sets a field; a reference the input does not hold is ignored, as Gloo ignores one it does not find (with a
 * warning), and noted. The result becomes the one RouteOption / VirtualHostOption the conversion writes, so the
 * Gateway API side applies the same option set (its ExtensionRef-over-targetRef precedence would invert Gloo's, and an
 * ExtensionRef cannot name another namespace). The referenced resources still pass through unchanged. Not
 * thread-safe.
 */
final class DelegatedOptions {

  /** The input's RouteOptions and VirtualHostOptions by {@code Kind ns/name}. */
  private final Map<String, JsonNode> resources = new HashMap<>();
  private final ConversionNotes notes;

  DelegatedOptions(ConversionNotes notes) {
    this.notes = notes;
  }

  /** Remembers a document if it is a RouteOption or VirtualHostOption. */
  void offer(JsonNode document) {
    String kind = text(document, "kind");
    if (EdgeConversion.EDGE_GATEWAY_API.equals(text(document, "apiVersion"))
        && ("RouteOption".equals(kind) || "VirtualHostOption".equals(kind))) {
      resources.put(kind + " " + EdgeConversion.key(document), document);
    }
  }

  /**
   * The merged options (empty when there are none).
   *
   * @param kind {@code RouteOption} or {@code VirtualHostOption}
   * @param ns the namespace of the referencing resource (a reference without one names it)
   * @param out the output resource the notes go to; null for none
   */
  ObjectNode merged(String where, String out, String kind, String ns, JsonNode options, JsonNode configRefs) {
    ObjectNode merged = options != null && options.isObject() ? ((ObjectNode) options).deepCopy()
        : MAPPER.createObjectNode();
    for (JsonNode ref : configRefs == null ? MAPPER.createArrayNode() : configRefs.path("delegateOptions")) {
      String name = text(ref, "name");
      String key = (text(ref, "namespace") == null ? ns : text(ref, "namespace")) + "/" + name;
      JsonNode found = name == null ? null : resources.get(kind + " " + key);
      if (found == null) {
        note(out, where + ": optionsConfigRefs names " + kind + " " + key + ", which the input does not hold;"
            + " Gloo ignores a reference it does not find, so does the conversion");
        continue;
      }
      found.path("spec").path("options").properties().forEach(e -> {
        if (!present(merged, e.getKey())) {
          merged.set(e.getKey(), e.getValue().deepCopy());
        }
      });
      note(out, where + ": optionsConfigRefs " + kind + " " + key + " merged into its options (inline options"
          + " first, then each reference's other fields, as Gloo merges them)");
    }
    return merged;
  }

  private void note(String out, String message) {
    if (out != null) {
      notes.add(out, message);
    }
  }
}
