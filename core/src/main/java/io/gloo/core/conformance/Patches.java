package io.gloo.core.conformance;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The two patch forms an expectation's update step may carry: JSON Patch (RFC 6902: an array of operations; here
 * {@code add}, {@code replace}, {@code remove}) and JSON Merge Patch (RFC 7386: an object; {@code null} removes a
 * field, objects merge, anything else replaces). A malformed patch is an {@link IllegalArgumentException} that says
 * what is wrong, never an index error.
 */
final class Patches {

  private Patches() {}

  static void apply(ObjectNode target, JsonNode patch) {
    if (patch instanceof ArrayNode ops) {
      for (int i = 0; i < ops.size(); i++) {
        JsonNode op = ops.get(i);
        String path = op.path("path").asString("");
        if (!op.isObject() || !path.startsWith("/")) {
          throw new IllegalArgumentException("patch operation " + i + " has no path starting with '/': " + op);
        }
        applyOp(target, op.path("op").asString(""), path, op.get("value"));
      }
    } else if (patch instanceof ObjectNode merge) {
      merge(target, merge);
    } else {
      throw new IllegalArgumentException("a patch is a JSON Patch array or a JSON Merge Patch object, not " + patch);
    }
  }

  /** RFC 7386 merge of {@code patch} into {@code target}. */
  static void merge(ObjectNode target, ObjectNode patch) {
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      JsonNode value = e.getValue();
      if (value == null || value.isNull()) {
        target.remove(e.getKey());
      } else if (value instanceof ObjectNode patchObject && target.get(e.getKey()) instanceof ObjectNode existing) {
        merge(existing, patchObject);
      } else if (value instanceof ObjectNode patchObject) {
        ObjectNode fresh = target.putObject(e.getKey());
        merge(fresh, patchObject);
      } else {
        target.set(e.getKey(), value.deepCopy());
      }
    }
  }

  static void applyOp(ObjectNode root, String op, String path, JsonNode value) {
    if (!path.startsWith("/") || path.length() < 2) {
      throw new IllegalArgumentException("patch path '" + path + "' does not name a field");
    }
    if ((op.equals("add") || op.equals("replace")) && value == null) {
      throw new IllegalArgumentException("patch " + op + " " + path + " has no value");
    }
    String[] parts = path.substring(1).split("/", -1);
    JsonNode parent = root;
    for (int i = 0; i < parts.length - 1; i++) {
      String p = unescape(parts[i]);
      parent = parent.isArray() ? parent.get(index(p, path)) : parent.get(p);
      if (parent == null) {
        throw new IllegalArgumentException("patch path " + path + " does not exist");
      }
    }
    String last = unescape(parts[parts.length - 1]);
    if (parent instanceof ArrayNode array) {
      switch (op) {
        case "add" -> {
          if (last.equals("-")) {
            array.add(value.deepCopy());
          } else {
            array.insert(index(last, path), value.deepCopy());
          }
        }
        case "replace" -> array.set(index(last, path), value.deepCopy());
        case "remove" -> array.remove(index(last, path));
        default -> throw new IllegalArgumentException("unsupported patch op '" + op + "'");
      }
    } else if (parent instanceof ObjectNode object) {
      switch (op) {
        case "add", "replace" -> object.set(last, value.deepCopy());
        case "remove" -> object.remove(last);
        default -> throw new IllegalArgumentException("unsupported patch op '" + op + "'");
      }
    } else {
      throw new IllegalArgumentException("patch path " + path + " is not inside an object or array");
    }
  }

  private static int index(String part, String path) {
    try {
      return Integer.parseInt(part);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("patch path " + path + ": '" + part + "' is not an array index", e);
    }
  }

  private static String unescape(String s) {
    return s.replace("~1", "/").replace("~0", "~");
  }
}
