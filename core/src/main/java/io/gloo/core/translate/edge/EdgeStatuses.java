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

  /**
   * Its sets are made on first use: most of thousands of resources get no error or warning, and a one-resource
   * change builds a report for every resource (allocation per change, then collection pauses, showed in the
   * one-RouteTable-change benchmark's tail).
   */
  private static final class Report {
    private static final Set<String> NO_NOTES = Set.of();
    private static final Set<ResourceKey> NO_PROXIES = Set.of();
    long generation;
    Set<String> errors = NO_NOTES;
    Set<String> warnings = NO_NOTES;
    Set<ResourceKey> proxies = NO_PROXIES;
    Long servingGeneration;

    void error(String message) {
      if (errors == NO_NOTES) {
        errors = new LinkedHashSet<>(2);
      }
      errors.add(message);
    }

    void warning(String message) {
      if (warnings == NO_NOTES) {
        warnings = new LinkedHashSet<>(2);
      }
      warnings.add(message);
    }

    void servedBy(ResourceKey proxy) {
      if (proxies == NO_PROXIES) {
        proxies = new TreeSet<>();
      }
      proxies.add(proxy);
    }
  }

  /** Hashed, not sorted: thousands of resources per translation; sorted where order shows (render, rejected). */
  private final Map<ResourceKey, Report> reports = new java.util.HashMap<>();
  /** The keys whose reports have errors, kept as they are said (not found by a pass over all reports). */
  private final Set<ResourceKey> withErrors = new TreeSet<>();
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
    reports.computeIfAbsent(key, k -> new Report()).error(message);
    withErrors.add(key);
  }

  void warning(ResourceKey key, String message) {
    tap.status(1, key, message, null);
    reports.computeIfAbsent(key, k -> new Report()).warning(message);
  }

  /** The resource's routes are served by this proxy. */
  void servedBy(ResourceKey key, ResourceKey proxy) {
    tap.status(2, key, null, proxy);
    reports.computeIfAbsent(key, k -> new Report()).servedBy(proxy);
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
    withErrors.remove(key);
  }

  /** The keys with errors. */
  List<ResourceKey> rejected() {
    return new ArrayList<>(withErrors);
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
          mine.proxies.forEach(theirs::servedBy);
        }
        reports.put(key, theirs);
        if (theirs.errors.isEmpty()) {
          withErrors.remove(key);
        } else {
          withErrors.add(key);
        }
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
   * The statuses, in key order. {@code memo} (insertion-ordered) holds the previous translation's renderings in key
   * order: a report saying the same as last time gets the same status object (neither built again nor, downstream,
   * written again); it is left holding this translation's. When the resources are the same as last time (a change
   * to some of them), their order is the memo's and nothing is sorted or restructured.
   */
  Map<ResourceKey, Object> render(Map<ResourceKey, Rendered> memo) {
    Map<ResourceKey, Object> out = new LinkedHashMap<>(reports.size() * 2);
    if (memo.size() == reports.size()) {
      boolean sameKeys = true;
      for (Map.Entry<ResourceKey, Rendered> e : memo.entrySet()) {
        Report r = reports.get(e.getKey());
        if (r == null) {
          sameKeys = false;
          break;
        }
        if (!same(e.getValue().report, r)) {
          e.setValue(new Rendered(r, render(r)));
        }
        out.put(e.getKey(), e.getValue().status);
      }
      if (sameKeys) {
        return out;
      }
      out.clear();
    }
    List<Map.Entry<ResourceKey, Report>> entries = new ArrayList<>(reports.entrySet());
    entries.sort(Map.Entry.comparingByKey());
    Map<ResourceKey, Rendered> next = new LinkedHashMap<>(entries.size() * 2);
    for (Map.Entry<ResourceKey, Report> e : entries) {
      Report r = e.getValue();
      Rendered before = memo.get(e.getKey());
      Rendered now = before != null && same(before.report, r) ? before : new Rendered(r, render(r));
      next.put(e.getKey(), now);
      out.put(e.getKey(), now.status);
    }
    memo.clear();
    memo.putAll(next);
    return out;
  }

  Map<ResourceKey, Object> render() {
    return render(new LinkedHashMap<>());
  }

  private static boolean same(Report a, Report b) {
    return a.generation == b.generation && java.util.Objects.equals(a.servingGeneration, b.servingGeneration)
        && inOrder(a.errors, b.errors) && inOrder(a.warnings, b.warnings) && inOrder(a.proxies, b.proxies);
  }

  private static <T> boolean inOrder(Set<T> a, Set<T> b) {
    if (a.size() != b.size()) {
      return false;
    }
    // without an iterator where it can: this runs for every resource on every translation
    if (a.isEmpty()) {
      return true;
    }
    if (a.size() == 1 && a instanceof java.util.SortedSet<T> sa && b instanceof java.util.SortedSet<T> sb) {
      return sa.first().equals(sb.first());
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
