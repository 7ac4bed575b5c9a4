package io.gloo.core.admission;

import com.google.errorprone.annotations.ThreadSafe;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a structural schema says beyond JSON Schema, compiled once per CRD version: the {@code default}s (applied
 * before validation, as the API server does), the {@code x-kubernetes-list-type} uniqueness of {@code set} and
 * {@code map} lists, and the {@code x-kubernetes-validations} CEL rules, each evaluated with {@code self} bound to the
 * value at its place in the object.
 *
 * <p>Transition rules (those that read {@code oldSelf}) need the object's previous version, which a file does not
 * have (every object is a create): they are skipped, as the API server skips them on create.
 * A rule whose evaluation fails (e.g. a missing key) rejects the object, as the API server does. Immutable and
 * thread-safe.
 */
@ThreadSafe
final class CelRules {

  private static final Pattern OLD_SELF = Pattern.compile("\\boldSelf\\b");

  /**
   * One rule, compiled on first use (issue #21: a run reads a few kinds and few of their fields, and compiling all
   * 106 rules of HTTPRoute cost more than the rest of a quick-start translate); {@link #compileAll()} compiles
   * every rule now. Programs are shared by source across CRDs and versions ({@link KubernetesCel#compile}).
   */
  private static final class Rule {
    final String source;
    final String message;
    final String fieldPath;
    private volatile CelRuntime.Program program;

    Rule(String source, String message, String fieldPath) {
      this.source = source;
      this.message = message;
      this.fieldPath = fieldPath;
    }

    /** @throws IllegalArgumentException when the rule does not compile */
    CelRuntime.Program program() {
      CelRuntime.Program p = program;
      if (p == null) {
        p = KubernetesCel.compile(source); // idempotent: a race compiles (or finds) the same program twice
        program = p;
      }
      return p;
    }
  }

  /** The rules, defaults and list type at one place of the schema; null children have nothing below them. */
  private static final class Node {
    final List<Rule> rules = new ArrayList<>();
    final Map<String, JsonNode> defaults = new LinkedHashMap<>();
    final Map<String, Node> properties = new HashMap<>();
    Node items;
    Node additional;
    String listType;
    List<String> mapKeys = List.of();

    boolean isEmpty() {
      return rules.isEmpty() && defaults.isEmpty() && properties.isEmpty() && items == null && additional == null
          && listType == null;
    }
  }

  private final Node root;
  private final int ruleCount;
  private final int skippedTransitionRules;

  CelRules(JsonNode openApiV3Schema) {
    int[] counts = new int[2];
    Node node = build(openApiV3Schema, counts, true);
    this.root = node == null ? new Node() : node;
    this.ruleCount = counts[0];
    this.skippedTransitionRules = counts[1];
  }

  int ruleCount() {
    return ruleCount;
  }

  int skippedTransitionRules() {
    return skippedTransitionRules;
  }

  private static Node build(JsonNode schema, int[] counts, boolean top) {
    Node node = new Node();
    for (JsonNode v : schema.path("x-kubernetes-validations")) {
      String rule = v.path("rule").asString();
      if (OLD_SELF.matcher(rule).find()) {
        counts[1]++;
        continue;
      }
      String message = v.hasNonNull("message") ? v.get("message").asString().strip() : "failed rule: " + rule;
      node.rules.add(new Rule(rule, message, v.path("fieldPath").asString("")));
      counts[0]++;
    }
    for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
      if (top && (p.getKey().equals("status") || p.getKey().equals("metadata"))) {
        continue; // status is not part of a create; metadata is ObjectMeta, validated elsewhere
      }
      if (p.getValue().has("default")) {
        node.defaults.put(p.getKey(), p.getValue().get("default"));
      }
      Node child = build(p.getValue(), counts, false);
      if (child != null) {
        node.properties.put(p.getKey(), child);
      }
    }
    if (schema.get("items") instanceof ObjectNode items) {
      node.items = build(items, counts, false);
    }
    if (schema.get("additionalProperties") instanceof ObjectNode additional) {
      node.additional = build(additional, counts, false);
    }
    String listType = schema.path("x-kubernetes-list-type").asString("");
    if (listType.equals("set") || listType.equals("map")) {
      node.listType = listType;
      List<String> keys = new ArrayList<>();
      schema.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asString()));
      node.mapKeys = List.copyOf(keys);
    }
    return node.isEmpty() ? null : node;
  }

  /**
   * Compiles every rule now; returns how many. A rule that does not compile throws, naming it (the shipped CRDs'
   * rules all compile: CrdCatalogTest compiles them).
   */
  int compileAll() {
    List<Rule> all = new ArrayList<>();
    collect(root, all);
    for (Rule rule : all) {
      try {
        rule.program();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("rule " + rule.source + " does not compile: " + e.getMessage(), e);
      }
    }
    return all.size();
  }

  /** The source of every rule compiled (transition rules left out), in schema order. */
  List<String> ruleSources() {
    List<Rule> all = new ArrayList<>();
    collect(root, all);
    return all.stream().map(rule -> rule.source).toList();
  }

  private static void collect(Node node, List<Rule> out) {
    if (node == null) {
      return;
    }
    out.addAll(node.rules);
    node.properties.values().forEach(child -> collect(child, out));
    collect(node.items, out);
    collect(node.additional, out);
  }

  /** Fills in the schema's defaults where a field is absent, in place (the caller passes a copy). */
  void applyDefaults(JsonNode object) {
    applyDefaults(root, object);
  }

  private static void applyDefaults(Node node, JsonNode value) {
    if (node == null || value == null) {
      return;
    }
    if (value instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> d : node.defaults.entrySet()) {
        if (!object.has(d.getKey())) {
          object.set(d.getKey(), d.getValue().deepCopy());
        }
      }
      for (Map.Entry<String, Node> p : node.properties.entrySet()) {
        applyDefaults(p.getValue(), object.get(p.getKey()));
      }
      if (node.additional != null) {
        for (Map.Entry<String, JsonNode> e : object.properties()) {
          applyDefaults(node.additional, e.getValue());
        }
      }
    } else if (value instanceof ArrayNode array && node.items != null) {
      for (JsonNode item : array) {
        applyDefaults(node.items, item);
      }
    }
  }

  /** The list-type and CEL violations of {@code object} (defaulted, schema-valid), in document order. */
  List<Violation> validate(JsonNode object) {
    List<Violation> out = new ArrayList<>();
    walk(root, object, KubernetesCel.value(object), "", out);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void walk(Node node, JsonNode json, Object value, String path, List<Violation> out) {
    if (json == null || json.isNull()) {
      return; // rules do not apply to absent or null values
    }
    if (json.isObject()) {
      Map<String, Object> map = (Map<String, Object>) value;
      for (Map.Entry<String, Node> p : node.properties.entrySet()) {
        JsonNode child = json.get(p.getKey());
        if (child != null) {
          walk(p.getValue(), child, map.get(p.getKey()), StructuralSchema.join(path, p.getKey()), out);
        }
      }
      if (node.additional != null) {
        for (Map.Entry<String, JsonNode> e : json.properties()) {
          walk(node.additional, e.getValue(), map.get(e.getKey()), StructuralSchema.join(path, e.getKey()), out);
        }
      }
    } else if (json.isArray()) {
      List<Object> list = (List<Object>) value;
      if (node.items != null) {
        for (int i = 0; i < list.size(); i++) {
          walk(node.items, json.get(i), list.get(i), path + "[" + i + "]", out);
        }
      }
      if (node.listType != null) {
        unique(node, json, list, path, out);
      }
    }
    for (Rule rule : node.rules) {
      String at = rule.fieldPath.isEmpty() ? path : path + rule.fieldPath;
      try {
        if (!KubernetesCel.holds(rule.program(), value)) {
          out.add(new Violation(at, rule.message));
        }
      } catch (CelEvaluationException e) {
        out.add(new Violation(at, "rule could not be evaluated (" + e.getMessage() + "): " + rule.source));
      } catch (IllegalArgumentException e) {
        out.add(new Violation(at, "rule could not be compiled (" + e.getMessage() + "): " + rule.source));
      }
    }
  }

  /** {@code set}: no two equal items; {@code map}: no two items with the same keys. */
  @SuppressWarnings("unchecked")
  private static void unique(Node node, JsonNode json, List<Object> list, String path, List<Violation> out) {
    Set<Object> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      Object key;
      String shown;
      if (node.listType.equals("map") && list.get(i) instanceof Map<?, ?> item) {
        Map<String, Object> keys = new LinkedHashMap<>();
        StringBuilder text = new StringBuilder("{");
        for (String k : node.mapKeys) {
          keys.put(k, ((Map<String, Object>) item).get(k));
          text.append(text.length() > 1 ? ", " : "").append('"').append(k).append("\": ")
              .append(Yaml.describe(json.get(i).get(k)));
        }
        key = keys;
        shown = text.append('}').toString();
      } else {
        key = list.get(i);
        shown = Yaml.describe(json.get(i));
      }
      if (!seen.add(key)) {
        out.add(new Violation(path + "[" + i + "]", "Duplicate value: " + shown));
      }
    }
  }
}
