package io.gloo.core.translate;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.gloo.core.validate.Violation;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Names the field of an HTTPRoute/GRPCRoute behind a violation found in the Envoy route built from it, as a YAML
 * path ({@code spec.rules[0].matches[0].path.value}): the offending value is read from the Envoy route and looked
 * for in the rule (in the match the route came from first). When the value cannot be found (it was transformed on
 * the way) the rule, or its match, is named. Stateless.
 */
final class RuleFields {

  private static final Pattern SEGMENT = Pattern.compile("^([a-z0-9_]+)(?:\\[(\\d+)])?$");
  private static final Pattern WEIGHTED = Pattern.compile("weighted_clusters\\.clusters\\[(\\d+)]");

  private RuleFields() {}

  /**
   * @param spec the route's {@code spec} as JSON
   * @param rule the rule index
   * @param match the match index within the rule
   * @param built the Envoy route the violation was found in
   * @param violation its path is relative to {@code built}
   */
  static String locate(JsonNode spec, int rule, int match, Route built, Violation violation) {
    String rulePath = "spec.rules[" + rule + "]";
    String matchPath = rulePath + ".matches[" + match + "]";
    String path = violation.path();
    boolean inMatch = path.startsWith("match.") || path.equals("match");
    if (violation.rule().equals("cluster.missing")) {
      Matcher weighted = WEIGHTED.matcher(path);
      return weighted.find() ? rulePath + ".backendRefs[" + weighted.group(1) + "]"
          : path.contains("request_mirror_policies") ? rulePath + ".filters" : rulePath + ".backendRefs";
    }
    String value = stringAt(built, path);
    JsonNode ruleNode = spec == null ? null : spec.path("rules").path(rule);
    if (value != null && ruleNode != null && !ruleNode.isMissingNode()) {
      boolean ignoreCase = path.endsWith(".key") || path.contains("headers_to_remove");
      String found = inMatch ? find(ruleNode.path("matches").path(match), matchPath, value, ignoreCase) : null;
      if (found == null) {
        found = find(ruleNode, rulePath, value, ignoreCase);
      }
      if (found != null) {
        return found;
      }
    }
    return inMatch ? matchPath : rulePath;
  }

  /** The first string leaf under {@code node} equal to {@code value}, as a path below {@code at}; or null. */
  private static String find(JsonNode node, String at, String value, boolean ignoreCase) {
    if (node == null || node.isMissingNode()) {
      return null;
    }
    if (node.isString()) {
      String text = node.asString();
      return (ignoreCase ? text.equalsIgnoreCase(value) : text.equals(value)) ? at : null;
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String found = find(node.get(i), at + "[" + i + "]", value, ignoreCase);
        if (found != null) {
          return found;
        }
      }
      return null;
    }
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        String found = find(e.getValue(), at + "." + e.getKey(), value, ignoreCase);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /** The string at a violation path ({@code a.b[2].c}) of {@code message}, or null (not a string, or not found). */
  static String stringAt(Message message, String path) {
    if (path.isEmpty()) {
      return null;
    }
    Object current = message;
    for (String part : path.split("\\.")) {
      Matcher m = SEGMENT.matcher(part);
      if (!m.matches() || !(current instanceof Message msg)) {
        return null;
      }
      FieldDescriptor fd = msg.getDescriptorForType().findFieldByName(m.group(1));
      if (fd == null || fd.isMapField()) {
        return null;
      }
      if (fd.isRepeated()) {
        if (m.group(2) == null) {
          return null;
        }
        int i = Integer.parseInt(m.group(2));
        if (i >= msg.getRepeatedFieldCount(fd)) {
          return null;
        }
        current = msg.getRepeatedField(fd, i);
      } else {
        current = msg.getField(fd);
      }
    }
    return current instanceof String s ? s : null;
  }
}
