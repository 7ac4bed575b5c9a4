package io.gloo.core.translate.policy;

import io.gloo.core.store.ResourceKey;
import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.policy.StatusStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Collects, during one translation, everything to say about each policy resource, and renders it in Gloo's status
 * shape: {@code status.statuses[<controller namespace>] = {state, reason, reportedBy, observedGeneration, details}}.
 * Unlike Gloo, it reports everything: where the policy attached, fields it lost and to whom, dangling targetRefs,
 * unsupported fields, plugin failures. Thread-safe (plugin calls report from worker threads).
 */
public final class PolicyReports {

  /** The key of our entry in Gloo's namespaced statuses: where Gloo's controller runs. */
  public static final String CONTROLLER_NAMESPACE = "gloo-system";
  public static final String REPORTED_BY = "gloo-kube-gateway";

  private final Map<PolicyRef, Report> reports = new LinkedHashMap<>();

  private static final class Report {
    long generation;
    StatusStyle style = StatusStyle.GLOO_NAMESPACED;
    /** False for kinds only ever referenced from other policies: being unattached is normal for them. */
    boolean attachable = true;
    final List<String> rejected = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    final TreeSet<String> attachedTo = new TreeSet<>();
    /** Places that answer 500 because this guarding policy cannot be applied (fail-closed). */
    final TreeSet<String> closed = new TreeSet<>();
    final Map<String, String> lostFields = new TreeMap<>();
    boolean lostEverywhere = true;
    boolean applied;
  }

  private synchronized Report report(PolicyRef ref) {
    return reports.computeIfAbsent(ref, r -> new Report());
  }

  /** Every policy resource is registered, so that even one nothing refers to gets a status. */
  public synchronized void seen(PolicyRef ref, long generation, StatusStyle style, boolean attachable) {
    Report r = report(ref);
    r.generation = generation;
    r.style = style;
    r.attachable = attachable;
  }

  public synchronized void rejected(PolicyRef ref, String message) {
    report(ref).rejected.add(message);
  }

  public synchronized void error(PolicyRef ref, String message) {
    report(ref).errors.add(message);
  }

  public synchronized void warning(PolicyRef ref, String message) {
    report(ref).warnings.add(message);
  }

  /** The policy applies at {@code where} (e.g. "HTTPRoute default/r rule 0"). */
  public synchronized void attached(PolicyRef ref, String where, boolean contributed) {
    Report r = report(ref);
    r.attachedTo.add(where);
    r.applied = true;
    if (contributed) {
      r.lostEverywhere = false;
    }
  }

  /**
   * The policy guards traffic and cannot be applied (rejected, or its plugin is gone), so {@code where} answers 500
   * instead of serving without it.
   */
  public synchronized void closed(PolicyRef ref, String where) {
    report(ref).closed.add(where);
  }

  /** A field the policy set lost to a higher-priority policy at {@code where}. */
  public synchronized void lost(PolicyRef ref, String field, PolicyRef winner, String where) {
    report(ref).lostFields.merge(field, winner + " at " + where, (a, b) -> a.contains(b) ? a : a + "; " + b);
  }

  /** Renders every collected report as a Gloo status object, keyed by the policy resource. */
  public synchronized Map<ResourceKey, Object> statuses() {
    Map<ResourceKey, Object> result = new TreeMap<>();
    reports.forEach((ref, r) -> result.put(new ResourceKey(ref.groupKind().kind(), ref.namespace(), ref.name()),
        render(r)));
    return result;
  }

  private static Map<String, Object> render(Report r) {
    // Gloo's RateLimitConfig status is {state, message, observedGeneration}; every other Gloo kind's is namespaced.
    List<String> notes = new ArrayList<>();
    String state;
    if (!r.rejected.isEmpty() || !r.errors.isEmpty()) {
      state = "Rejected";
    } else if (!r.warnings.isEmpty() || (r.applied && r.lostEverywhere)) {
      state = "Warning";
    } else {
      state = "Accepted";
    }
    notes.addAll(r.rejected);
    notes.addAll(r.errors);
    notes.addAll(r.warnings);
    if (!r.closed.isEmpty()) {
      notes.add("these answer 500 until it is fixed (fail-closed): " + String.join(", ", r.closed));
    }
    if (!r.applied && r.rejected.isEmpty() && r.attachable) {
      notes.add("not attached to any route or virtual host");
    } else if (r.applied && r.lostEverywhere) {
      notes.add("not applied: every field it sets is already set by a higher-priority policy (conflict)");
    }
    if (r.style == StatusStyle.STATE_MESSAGE) {
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("state", state.toUpperCase(java.util.Locale.ROOT).equals("WARNING") ? "ACCEPTED"
          : state.toUpperCase(java.util.Locale.ROOT));
      if (!notes.isEmpty()) {
        status.put("message", String.join("; ", notes));
      }
      status.put("observedGeneration", r.generation);
      return status;
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("attachedTo", List.copyOf(r.attachedTo));
    if (!r.closed.isEmpty()) {
      details.put("failClosed", List.copyOf(r.closed));
    }
    if (!r.lostFields.isEmpty()) {
      details.put("lostFields", new TreeMap<>(r.lostFields));
    }
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("state", state);
    if (!notes.isEmpty()) {
      entry.put("reason", String.join("; ", notes));
    }
    entry.put("reportedBy", REPORTED_BY);
    entry.put("observedGeneration", r.generation);
    entry.put("details", details);
    return Map.of("statuses", Map.of(CONTROLLER_NAMESPACE, entry));
  }
}
