package io.gloo.core.console;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Redacts values in resource specs (policy options, statuses) whose field names say they hold a secret
 * (passwords, client secrets, tokens, private or API keys, HMAC or session keys), so that a policy written with
 * an inline secret never shows it. References to secrets ({@code ...Ref}, {@code ...Refs}, {@code secretName})
 * name a Secret and stay. Stateless.
 */
final class SecretValues {

  static final String REDACTED = "[redacted]";

  private static final Pattern SENSITIVE = Pattern.compile(
      ".*(password|passwd|secret|token|privatekey|private_key|apikey|api_key|hmac|signingkey|sessionkey|credential"
          + "|clientkey|bearer|authorization|cookie).*");

  private SecretValues() {}

  static boolean sensitive(String field) {
    String f = field.toLowerCase(Locale.ROOT);
    if (f.endsWith("ref") || f.endsWith("refs") || f.endsWith("name")) {
      return false;
    }
    return f.equals("key") || SENSITIVE.matcher(f).matches();
  }

  /** A copy of {@code node} with every sensitive field's value replaced. */
  static JsonNode redact(JsonNode node) {
    if (node == null) {
      return JsonNodeFactory.instance.nullNode();
    }
    if (node.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        copy.set(e.getKey(), sensitive(e.getKey()) && !e.getValue().isNull()
            ? JsonNodeFactory.instance.stringNode(REDACTED) : redact(e.getValue()));
      }
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(v -> copy.add(redact(v)));
      return copy;
    }
    return node;
  }
}
