package io.gloo.core.translate.gatewayapi;

import io.gloo.core.ir.RouteActionIR;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.VirtualHostIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.policy.AppliedPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The routes of each virtual host in precedence order, and its IR, carried from one translation to the next, so
 * that a virtual host whose routes did not change is not sorted again and keeps its {@link VirtualHostIR} instance
 * (which the xDS stage caches its proto by), and one whose routes changed a little is re-sorted by merging.
 *
 * <p>The result is always what a stable sort of the routes (in attachment order) by {@link RoutePrecedence#ORDER}
 * gives: the merge is used only while every pair of neighbours compares strictly (no ties), in which case the
 * sorted order is unique; a tie anywhere falls back to the full sort.
 *
 * <p>Keeps the virtual hosts of the last translation only. Not thread-safe: one translation at a time.
 */
final class VirtualHostCache {

  /** A virtual host's routes (sorted, and as served on its listener) and the clusters they use. */
  static final class Sorted {
    private final List<RoutePrecedence.Entry> entries;
    /** The routes as served: redirects take the listener's port and scheme. */
    final List<RouteIR> routes;
    /** Every cluster the routes forward or mirror to, each once. */
    final List<String> clusters;
    /** No two neighbours compare equal: the order is the only sorted one. */
    private final boolean strict;
    private IdentityHashMap<RouteIR, Integer> index;
    private VirtualHostIR virtualHost;

    private Sorted(List<RoutePrecedence.Entry> entries, List<RouteIR> routes, boolean strict) {
      this.entries = entries;
      this.routes = routes;
      this.strict = strict;
      Set<String> used = new LinkedHashSet<>();
      for (RouteIR route : routes) {
        if (route.action() instanceof RouteActionIR.Forward forward) {
          for (RouteActionIR.WeightedBackend b : forward.backends()) {
            if (b.cluster() != null) {
              used.add(b.cluster());
            }
          }
          for (RouteActionIR.Mirror m : forward.mirrors()) {
            used.add(m.cluster());
          }
        }
      }
      this.clusters = List.copyOf(used);
    }

    /** Position of each (unlocalized) route, built on first use. */
    private IdentityHashMap<RouteIR, Integer> index() {
      if (index == null) {
        index = new IdentityHashMap<>(entries.size() * 2);
        for (int i = 0; i < entries.size(); i++) {
          index.put(entries.get(i).route(), i);
        }
      }
      return index;
    }
  }

  private Map<String, Sorted> previous = new HashMap<>();
  private Map<String, Sorted> current = new HashMap<>();

  /**
   * The routes of the virtual host {@code key} (unique per Gateway, listener and domain) in precedence order.
   *
   * @param entries the routes in attachment order
   */
  Sorted sort(String key, List<RoutePrecedence.Entry> entries, int port, String scheme) {
    Sorted before = previous.get(key);
    Sorted sorted = before == null || !before.strict ? null : merge(before, entries, port, scheme);
    if (sorted == null) {
      sorted = fullSort(before, entries, port, scheme);
    }
    current.put(key, sorted);
    return sorted;
  }

  /**
   * The IR of a sorted virtual host: the previous instance when nothing in it changed (policies are compared by
   * instance, as the resolver hands them out per translation, so a virtual host with policies is always new).
   */
  VirtualHostIR virtualHost(Sorted sorted, String name, String domain, List<ResourceKey> sources,
      List<String> gatewayListeners, List<AppliedPolicy> policies) {
    VirtualHostIR vh = sorted.virtualHost;
    if (vh == null || !vh.name().equals(name) || !vh.domain().equals(domain) || !vh.sources().equals(sources)
        || !vh.gatewayListeners().equals(gatewayListeners) || !samePolicies(vh.policies(), policies)) {
      vh = new VirtualHostIR(name, domain, sorted.routes, sources, gatewayListeners, policies);
      sorted.virtualHost = vh;
    }
    return vh;
  }

  /** Ends a translation: only its virtual hosts are kept for the next one. */
  void finish() {
    previous = current;
    current = new HashMap<>();
  }

  private static boolean samePolicies(List<AppliedPolicy> a, List<AppliedPolicy> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The previous order with the routes that left removed and the new ones merged in; the previous instance when
   * the routes are the same. Null when a tie makes the merge unsafe.
   */
  private static Sorted merge(Sorted before, List<RoutePrecedence.Entry> entries, int port, String scheme) {
    IdentityHashMap<RouteIR, Integer> index = before.index();
    boolean[] kept = new boolean[before.entries.size()];
    int keptCount = 0;
    List<RoutePrecedence.Entry> added = new ArrayList<>();
    for (RoutePrecedence.Entry e : entries) {
      Integer i = index.get(e.route());
      if (i != null && !kept[i]
          && Objects.equals(before.entries.get(i).creationTimestamp(), e.creationTimestamp())) {
        kept[i] = true;
        keptCount++;
      } else {
        added.add(e);
      }
    }
    if (added.isEmpty() && keptCount == kept.length) {
      return before;
    }
    added.sort(RoutePrecedence.ORDER);
    if (!strictlyOrdered(added)) {
      return null;
    }
    List<RoutePrecedence.Entry> merged = new ArrayList<>(entries.size());
    List<RouteIR> routes = new ArrayList<>(entries.size());
    int i = nextKept(kept, 0);
    int j = 0;
    while (i < kept.length || j < added.size()) {
      boolean takeBefore;
      if (i >= kept.length) {
        takeBefore = false;
      } else if (j >= added.size()) {
        takeBefore = true;
      } else {
        int c = RoutePrecedence.ORDER.compare(before.entries.get(i), added.get(j));
        if (c == 0) {
          return null;
        }
        takeBefore = c < 0;
      }
      if (takeBefore) {
        merged.add(before.entries.get(i));
        routes.add(before.routes.get(i));
        i = nextKept(kept, i + 1);
      } else {
        merged.add(added.get(j));
        routes.add(localize(added.get(j).route(), port, scheme));
        j++;
      }
    }
    return new Sorted(merged, routes, true);
  }

  private static int nextKept(boolean[] kept, int from) {
    int i = from;
    while (i < kept.length && !kept[i]) {
      i++;
    }
    return i;
  }

  private static Sorted fullSort(Sorted before, List<RoutePrecedence.Entry> entries, int port, String scheme) {
    List<RoutePrecedence.Entry> sorted = new ArrayList<>(entries);
    sorted.sort(RoutePrecedence.ORDER);
    List<RouteIR> routes = new ArrayList<>(sorted.size());
    IdentityHashMap<RouteIR, Integer> index = before == null ? null : before.index();
    for (RoutePrecedence.Entry e : sorted) {
      Integer i = index == null ? null : index.get(e.route());
      routes.add(i != null ? before.routes.get(i) : localize(e.route(), port, scheme));
    }
    return new Sorted(sorted, routes, strictlyOrdered(sorted));
  }

  private static boolean strictlyOrdered(List<RoutePrecedence.Entry> sorted) {
    for (int i = 1; i < sorted.size(); i++) {
      if (RoutePrecedence.ORDER.compare(sorted.get(i - 1), sorted.get(i)) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** IR routes are shared by every port; a redirect's default port is this listener's. */
  private static RouteIR localize(RouteIR route, int port, String scheme) {
    if (route.action() instanceof RouteActionIR.Redirect redirect) {
      RouteActionIR.Redirect local = redirect.forListener(port, scheme);
      return local == redirect ? route : route.withAction(local);
    }
    return route;
  }
}
