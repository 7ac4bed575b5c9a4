package io.gloo.core.report;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.TranslationJson;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * {@code gloo_resources{kind, status}}: how many resources of each kind the {@link Reporter} currently holds as
 * {@code accepted}, {@code warning} or {@code rejected}, for alerts such as "a rejected HTTPRoute for 10 minutes".
 * A status is rejected when any of its {@code Accepted} conditions is {@code False} (Gateway API kinds, per parent
 * for routes) or its Gloo {@code state} is {@code Rejected}; warning when its Gloo state is {@code Warning}; accepted
 * when it has an {@code Accepted=True} condition or Gloo state; a status with neither is not counted. Kinds are label
 * values (a bounded set), never names.
 *
 * <p>Work is O(changed): the reporter's change events mark resources dirty, and only those are classified again,
 * at the next scrape. Thread-safe: the counts are guarded by this object's lock, taken after the reporter's is
 * released (the reporter calls listeners outside its lock).
 */
@ThreadSafe
public final class StatusMetrics {

  static final List<String> VERDICTS = List.of("accepted", "warning", "rejected");

  private final Reporter reporter;
  private final MeterRegistry registry;

  @GuardedBy("this")
  private final Set<ResourceKey> dirty = new HashSet<>();
  @GuardedBy("this")
  private final Map<ResourceKey, String> verdicts = new HashMap<>();
  @GuardedBy("this")
  private final Map<String, Map<String, Integer>> counts = new HashMap<>();
  @GuardedBy("this")
  private final Set<String> kinds = new HashSet<>();

  public StatusMetrics(Reporter reporter, MeterRegistry registry) {
    this.reporter = reporter;
    this.registry = registry;
    reporter.onChange(this::changed);
  }

  private void changed(Set<ResourceKey> keys) {
    List<String> newKinds = new ArrayList<>();
    synchronized (this) {
      dirty.addAll(keys);
      for (ResourceKey key : keys) {
        if (kinds.add(key.kind())) {
          newKinds.add(key.kind());
        }
      }
    }
    for (String kind : newKinds) {
      for (String verdict : VERDICTS) {
        Gauge.builder("gloo.resources", this, m -> m.count(kind, verdict))
            .description("resources by kind and by what their status says (accepted, warning, rejected)")
            .tag("kind", kind).tag("status", verdict)
            .strongReference(true)
            .register(registry);
      }
    }
  }

  /** How many resources of {@code kind} are {@code verdict} now. */
  synchronized int count(String kind, String verdict) {
    if (!dirty.isEmpty()) {
      Map<ResourceKey, Object> statuses = reporter.statuses();
      for (ResourceKey key : dirty) {
        String old = verdicts.remove(key);
        if (old != null) {
          counts.get(key.kind()).merge(old, -1, Integer::sum);
        }
        Object status = statuses.get(key);
        String now = status == null ? null : classify(status);
        if (now != null) {
          verdicts.put(key, now);
          counts.computeIfAbsent(key.kind(), k -> new HashMap<>()).merge(now, 1, Integer::sum);
        }
      }
      dirty.clear();
    }
    return counts.getOrDefault(kind, Map.of()).getOrDefault(verdict, 0);
  }

  /** accepted, warning, rejected, or null when the status says neither. */
  static String classify(Object status) {
    JsonNode tree = TranslationJson.mapper().valueToTree(status);
    boolean[] seen = new boolean[3];
    walk(tree, seen);
    return seen[2] ? "rejected" : seen[1] ? "warning" : seen[0] ? "accepted" : null;
  }

  private static void walk(JsonNode node, boolean[] seen) {
    if (node.isObject()) {
      JsonNode type = node.get("type");
      JsonNode conditionStatus = node.get("status");
      if (type != null && type.isString() && type.asString().equals("Accepted") && conditionStatus != null
          && conditionStatus.isString()) {
        seen[conditionStatus.asString().equals("False") ? 2 : 0] = true;
      }
      JsonNode state = node.get("state");
      if (state != null && state.isString()) {
        switch (state.asString().toLowerCase(Locale.ROOT)) {
          case "rejected" -> seen[2] = true;
          case "warning" -> seen[1] = true;
          case "accepted" -> seen[0] = true;
          default -> { }
        }
      }
    }
    for (JsonNode child : node) {
      walk(child, seen);
    }
  }
}
