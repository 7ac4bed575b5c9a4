package io.gloo.core.report;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.TranslationJson;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Logs one WARN line when a resource's status turns rejected (and one INFO line when it is accepted again), carrying
 * the resource's {@code kind}, {@code namespace} and {@code name} as key-values: in {@code --log-format json} they
 * are fields of the line, so a log pipeline can find every line about one resource. The reason is the first
 * {@code False} condition's (or Gloo {@code reason}'s) message as the status says it; statuses carry no secret
 * values. Runs on the reporter's listener thread, O(changed resources). Thread-safe.
 */
@ThreadSafe
public final class RejectionLog {

  private static final Logger LOG = LoggerFactory.getLogger(RejectionLog.class);
  private static final int MAX_REASON_CHARS = 300;

  private final Reporter reporter;
  @GuardedBy("this")
  private final Set<ResourceKey> rejected = new java.util.HashSet<>();

  public RejectionLog(Reporter reporter) {
    this.reporter = reporter;
    reporter.onChange(this::changed);
  }

  private void changed(Set<ResourceKey> keys) {
    Map<ResourceKey, Object> statuses = reporter.statuses();
    Map<ResourceKey, String> newlyRejected = new HashMap<>();
    Set<ResourceKey> recovered = new java.util.HashSet<>();
    synchronized (this) {
      for (ResourceKey key : keys) {
        Object status = statuses.get(key);
        JsonNode tree = status == null ? null : TranslationJson.mapper().valueToTree(status);
        boolean isRejected = tree != null && "rejected".equals(StatusMetrics.classify(status));
        if (isRejected && rejected.add(key)) {
          newlyRejected.put(key, reason(tree));
        } else if (!isRejected && rejected.remove(key) && status != null) {
          recovered.add(key);
        }
      }
    }
    newlyRejected.forEach((key, reason) -> LOG.atWarn()
        .addKeyValue("kind", key.kind()).addKeyValue("namespace", key.namespace()).addKeyValue("name", key.name())
        .log("{} rejected: {}", key, reason));
    recovered.forEach(key -> LOG.atInfo()
        .addKeyValue("kind", key.kind()).addKeyValue("namespace", key.namespace()).addKeyValue("name", key.name())
        .log("{} accepted again", key));
  }

  /** The message of the first condition whose status is False, else the first Gloo reason; bounded. */
  static String reason(JsonNode tree) {
    String found = find(tree);
    if (found == null) {
      return "see its status";
    }
    return found.length() > MAX_REASON_CHARS ? found.substring(0, MAX_REASON_CHARS) + "..." : found;
  }

  private static String find(JsonNode node) {
    if (node.isObject()) {
      JsonNode status = node.get("status");
      JsonNode message = node.get("message");
      if (status != null && status.isString() && status.asString().equals("False") && message != null
          && message.isString()) {
        return message.asString();
      }
      JsonNode reason = node.get("reason");
      JsonNode state = node.get("state");
      if (state != null && state.isString() && state.asString().equalsIgnoreCase("rejected") && reason != null
          && reason.isString()) {
        return reason.asString();
      }
    }
    for (JsonNode child : node) {
      String found = find(child);
      if (found != null) {
        return found;
      }
    }
    return null;
  }
}
