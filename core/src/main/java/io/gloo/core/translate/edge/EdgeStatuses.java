package io.gloo.core.translate.edge;

import io.gloo.core.store.ResourceKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one translation says about each Edge resource, rendered in Gloo's shape:
 * {@code status.statuses[gloo-system] = {state: Accepted|Rejected|Warning, reason, reportedBy: gateway,
 * observedGeneration, subresourceStatuses: {"*v1.Proxy.<ns>.<name>": {state, reportedBy: gloo}}}}. Errors reject
 * the resource, warnings (a missing Upstream, RouteTables of equal weight) do not. Not thread-safe: one translation.
 */
final class EdgeStatuses {

  static final String REPORTED_BY = "gateway";

  private static final class Report {
    long generation;
    final Set<String> errors = new LinkedHashSet<>();
    final Set<String> warnings = new LinkedHashSet<>();
    final Set<ResourceKey> proxies = new TreeSet<>();
    Long servingGeneration;
  }

  /** Hashed, not sorted: thousands of resources per translation; sorted where order shows (render, rejected). */
  private final Map<ResourceKey, Report> reports = new java.util.HashMap<>();
  private final EdgePlans.Tap tap;

  EdgeStatuses() {
    this(new EdgePlans.Tap());
  }

  /** @param tap is told every error, warning and proxy served, for the plan being recorded */
  EdgeStatuses(EdgePlans.Tap tap) {
    this.tap = tap;
  }

  void seen(ResourceKey key, long generation) {
    reports.computeIfAbsent(key, k -> new Report()).generation = generation;
  }

  void error(ResourceKey key, String message) {
    tap.status(0, key, message, null);
    reports.computeIfAbsent(key, k -> new Report()).errors.add(message);
  }

  void warning(ResourceKey key, String message) {
    tap.status(1, key, message, null);
    reports.computeIfAbsent(key, k -> new Report()).warnings.add(message);
  }

  /** The resource's routes are served by this proxy. */
  void servedBy(ResourceKey key, ResourceKey proxy) {
    tap.status(2, key, null, proxy);
    reports.computeIfAbsent(key, k -> new Report()).proxies.add(proxy);
  }

  /** Says again, in order, what a replayed plan's translation said. */
  void replay(List<EdgePlans.StatusOp> ops) {
    for (EdgePlans.StatusOp op : ops) {
      switch (op.type()) {
        case 0 -> error(op.key(), op.message());
        case 1 -> warning(op.key(), op.message());
        default -> servedBy(op.key(), op.proxy());
      }
    }
  }

  /** The resource is rejected and its last accepted version, of this generation, keeps serving. */
  void servingLastAccepted(ResourceKey key, long generation) {
    reports.computeIfAbsent(key, k -> new Report()).servingGeneration = generation;
  }

  /** Drops what was said about {@code key} (Gloo's default Gateways: they are not resources). */
  void forget(ResourceKey key) {
    reports.remove(key);
  }

  /** The keys with errors. */
  List<ResourceKey> rejected() {
    List<ResourceKey> out = new ArrayList<>();
    reports.forEach((k, r) -> {
      if (!r.errors.isEmpty()) {
        out.add(k);
      }
    });
    out.sort(null);
    return out;
  }

  /**
   * Takes {@code other}'s (the first pass's) reports of {@code keys}, the resources served from their last accepted
   * version, and the warnings other resources got about them ({@code on sub route table ns.name: ...}).
   */
  void replaceFrom(EdgeStatuses other, Set<ResourceKey> keys) {
    Map<ResourceKey, Report> sorted = new TreeMap<>(other.reports);
    for (ResourceKey key : keys) {
      String about = "on sub route table " + EdgeApi.gloo(key) + ": ";
      sorted.forEach((k, theirs) -> theirs.warnings.stream().filter(w -> w.startsWith(about))
          .forEach(w -> warning(k, w)));
    }
    for (ResourceKey key : keys) {
      Report theirs = other.reports.get(key);
      Report mine = reports.get(key);
      if (theirs != null) {
        if (mine != null) {
          theirs.proxies.addAll(mine.proxies);
        }
        reports.put(key, theirs);
      }
    }
  }

  /** A status rendered by an earlier translation and the report it was rendered from. */
  static final class Rendered {
    private final Report report;
    private final Object status;

    private Rendered(Report report, Object status) {
      this.report = report;
      this.status = status;
    }
  }

  /**
   * The statuses, in key order. {@code memo} holds the previous translation's renderings: a report saying the same as
   * last time gets the same status object (neither built again nor, downstream, written again); it is left holding
   * this translation's.
   */
  Map<ResourceKey, Object> render(Map<ResourceKey, Rendered> memo) {
    List<ResourceKey> keys = new ArrayList<>(reports.keySet());
    keys.sort(null);
    Map<ResourceKey, Object> out = new LinkedHashMap<>(keys.size() * 2);
    Map<ResourceKey, Rendered> next = new java.util.HashMap<>(keys.size() * 2);
    for (ResourceKey key : keys) {
      Report r = reports.get(key);
      Rendered before = memo.get(key);
      Rendered now = before != null && same(before.report, r) ? before : new Rendered(r, render(r));
      next.put(key, now);
      out.put(key, now.status);
    }
    memo.clear();
    memo.putAll(next);
    return out;
  }

  Map<ResourceKey, Object> render() {
    return render(new java.util.HashMap<>());
  }

  private static boolean same(Report a, Report b) {
    return a.generation == b.generation && java.util.Objects.equals(a.servingGeneration, b.servingGeneration)
        && inOrder(a.errors, b.errors) && inOrder(a.warnings, b.warnings) && inOrder(a.proxies, b.proxies);
  }

  private static <T> boolean inOrder(Set<T> a, Set<T> b) {
    if (a.size() != b.size()) {
      return false;
    }
    java.util.Iterator<T> i = b.iterator();
    for (T x : a) {
      if (!x.equals(i.next())) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, Object> render(Report r) {
    String state = !r.errors.isEmpty() ? "Rejected" : !r.warnings.isEmpty() ? "Warning" : "Accepted";
    List<String> notes = new ArrayList<>(r.errors);
    notes.addAll(r.warnings);
    if (r.servingGeneration != null) {
      notes.add("its last accepted version (generation " + r.servingGeneration + ") keeps serving");
    }
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("state", state);
    if (!notes.isEmpty()) {
      entry.put("reason", String.join("; ", notes));
    }
    entry.put("reportedBy", REPORTED_BY);
    entry.put("observedGeneration", r.generation);
    if (!r.proxies.isEmpty()) {
      Map<String, Object> sub = new TreeMap<>();
      for (ResourceKey proxy : r.proxies) {
        sub.put("*v1.Proxy." + proxy.namespace() + "." + proxy.name(),
            Map.of("state", "Accepted", "reportedBy", "gloo"));
      }
      entry.put("subresourceStatuses", sub);
    }
    return Map.of("statuses", Map.of(io.gloo.core.translate.policy.PolicyReports.CONTROLLER_NAMESPACE, entry));
  }
}
