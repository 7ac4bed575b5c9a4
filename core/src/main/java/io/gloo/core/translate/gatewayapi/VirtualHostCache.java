package io.gloo.core.translate.gatewayapi;

import io.gloo.core.ir.RouteActionIR;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.VirtualHostIR;
import io.gloo.core.store.Instances;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.policy.AppliedPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The routes of each virtual host in precedence order, and its IR, carried from one translation to the next, so
 * that a virtual host whose routes did not change is not sorted again and keeps its {@link VirtualHostIR} instance
 * (which the xDS stage caches its proto by), and one whose routes changed a little is re-sorted by inserting the new
 * routes into the previous order (binary search: a few comparisons, where a full sort of thousands of routes visits
 * them all). What changed is found by position (the routes come in attachment order, which is stable) and, when the
 * changes are many or scattered, by instance.
 *
 * <p>The result is always what a stable sort of the routes (in attachment order) by {@link RoutePrecedence#ORDER}
 * gives: the merge is used only while no two routes compare equal (then the sorted order is unique); a tie anywhere
 * falls back to the full sort.
 *
 * <p>Keeps the virtual hosts of the last translation only. Not thread-safe: one translation at a time.
 */
final class VirtualHostCache {

  /** Above this many routes changed by position, the changes are found by instance instead. */
  private static final int POSITIONAL_LIMIT = 64;

  /** A virtual host's routes (sorted, and as served on its listener) and the clusters they use. */
  static final class Sorted {
    /** The routes in attachment order, as given. */
    private final List<RoutePrecedence.Entry> input;
    /** Sorted position of each input position, and the reverse. */
    private final int[] sortedOfInput;
    private final int[] inputOfSorted;
    /** The routes as served (redirects take the listener's port and scheme), in precedence order. */
    final List<RouteIR> routes;
    /** Routes using each cluster they forward or mirror to. */
    private final Map<String, Integer> clusterUses;
    /** Every cluster the routes forward or mirror to, each once. */
    final List<String> clusters;
    /** No two routes compare equal: the order is the only sorted one. */
    private final boolean strict;
    private IdentityHashMap<RouteIR, Integer> index;
    private VirtualHostIR virtualHost;
    /** The IR of the virtual host this one follows (its routes changed), or null. */
    private VirtualHostIR replaces;

    private Sorted(List<RoutePrecedence.Entry> input, int[] inputOfSorted, List<RouteIR> routes,
        Map<String, Integer> clusterUses, boolean strict) {
      this.input = input;
      this.inputOfSorted = inputOfSorted;
      this.sortedOfInput = new int[inputOfSorted.length];
      for (int s = 0; s < inputOfSorted.length; s++) {
        sortedOfInput[inputOfSorted[s]] = s;
      }
      this.routes = routes;
      this.clusterUses = clusterUses;
      this.clusters = List.copyOf(clusterUses.keySet());
      this.strict = strict;
    }

    private RoutePrecedence.Entry sortedEntry(int s) {
      return input.get(inputOfSorted[s]);
    }

    /** Input position of each (unlocalized) route, built on first use. */
    private IdentityHashMap<RouteIR, Integer> index() {
      if (index == null) {
        index = new IdentityHashMap<>(input.size() * 2);
        for (int i = 0; i < input.size(); i++) {
          index.put(input.get(i).route(), i);
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
    Sorted sorted = null;
    if (before != null && before.strict) {
      sorted = mergeByPosition(before, entries, port, scheme);
      if (sorted == null) {
        sorted = mergeByInstance(before, entries, port, scheme);
      }
    }
    if (sorted == null) {
      sorted = fullSort(before, entries, port, scheme);
    }
    if (sorted != before && before != null) {
      sorted.replaces = before.virtualHost;
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
    if (vh != null && vh.name().equals(name) && vh.domain().equals(domain) && vh.sources().equals(sources)
        && vh.gatewayListeners().equals(gatewayListeners) && Instances.sameElements(vh.policies(), policies)) {
      return vh;
    }
    // Parts equal to the previous virtual host's keep their (immutable) instances, which later stages cache by.
    VirtualHostIR before = vh != null ? vh : sorted.replaces;
    if (before != null) {
      sources = before.sources().equals(sources) ? before.sources() : sources;
      gatewayListeners = before.gatewayListeners().equals(gatewayListeners) ? before.gatewayListeners()
          : gatewayListeners;
    }
    vh = new VirtualHostIR(name, domain, sorted.routes, sources, gatewayListeners, policies);
    sorted.virtualHost = vh;
    sorted.replaces = null;
    return vh;
  }

  /** Ends a translation: only its virtual hosts are kept for the next one. */
  void finish() {
    previous = current;
    current = new HashMap<>();
  }

  private static boolean same(RoutePrecedence.Entry a, RoutePrecedence.Entry b) {
    return a.route() == b.route() && Objects.equals(a.creationTimestamp(), b.creationTimestamp());
  }

  /**
   * When the routes differ from the previous ones only in one stretch (a common prefix and suffix by position):
   * the previous instance if they do not differ at all, else the merge; null when the stretch is long or a tie
   * makes the merge unsafe.
   */
  private static Sorted mergeByPosition(Sorted before, List<RoutePrecedence.Entry> entries, int port,
      String scheme) {
    List<RoutePrecedence.Entry> old = before.input;
    int n = old.size();
    int m = entries.size();
    int prefix = 0;
    while (prefix < n && prefix < m && same(old.get(prefix), entries.get(prefix))) {
      prefix++;
    }
    if (prefix == n && prefix == m) {
      return before;
    }
    int suffix = 0;
    while (suffix < n - prefix && suffix < m - prefix && same(old.get(n - 1 - suffix), entries.get(m - 1 - suffix))) {
      suffix++;
    }
    int removedCount = n - prefix - suffix;
    int addedCount = m - prefix - suffix;
    if (removedCount + addedCount > POSITIONAL_LIMIT) {
      return null;
    }
    boolean[] removed = new boolean[n];
    for (int q = prefix; q < n - suffix; q++) {
      removed[before.sortedOfInput[q]] = true;
    }
    int shift = m - n;
    int[] newInputOfOld = new int[n];
    for (int q = 0; q < n; q++) {
      newInputOfOld[q] = q < prefix ? q : q + shift;
    }
    int[] added = new int[addedCount];
    for (int i = 0; i < addedCount; i++) {
      added[i] = prefix + i;
    }
    return merge(before, entries, removed, newInputOfOld, added, port, scheme);
  }

  /** The changes found by route instance (the routes of the previous order found again are kept). */
  private static Sorted mergeByInstance(Sorted before, List<RoutePrecedence.Entry> entries, int port,
      String scheme) {
    IdentityHashMap<RouteIR, Integer> index = before.index();
    int n = before.input.size();
    boolean[] found = new boolean[n];
    int[] newInputOfOld = new int[n];
    int[] added = new int[entries.size()];
    int addedCount = 0;
    for (int i = 0; i < entries.size(); i++) {
      RoutePrecedence.Entry e = entries.get(i);
      Integer q = index.get(e.route());
      if (q != null && !found[q] && same(before.input.get(q), e)) {
        found[q] = true;
        newInputOfOld[q] = i;
      } else {
        added[addedCount++] = i;
      }
    }
    boolean[] removed = new boolean[n];
    for (int q = 0; q < n; q++) {
      removed[before.sortedOfInput[q]] = !found[q];
    }
    return merge(before, entries, removed, newInputOfOld, java.util.Arrays.copyOf(added, addedCount), port,
        scheme);
  }

  /**
   * The previous order without the removed routes, with the added ones inserted where a binary search puts them.
   * Null when some comparison ties (the order would depend on attachment order: the caller sorts in full).
   *
   * @param removed by previous sorted position
   * @param newInputOfOld the new input position of each previous input position that is kept
   * @param added input positions of the routes that are new, in input order
   */
  private static Sorted merge(Sorted before, List<RoutePrecedence.Entry> entries, boolean[] removed,
      int[] newInputOfOld, int[] added, int port, String scheme) {
    int n = removed.length;
    int[] kept = new int[n]; // previous sorted positions that stay, in order
    int keptCount = 0;
    for (int s = 0; s < n; s++) {
      if (!removed[s]) {
        kept[keptCount++] = s;
      }
    }
    // the added routes in precedence order (stable, and strictly ordered among themselves)
    List<Integer> order = new ArrayList<>(added.length);
    for (int a : added) {
      order.add(a);
    }
    order.sort((a, b) -> RoutePrecedence.ORDER.compare(entries.get(a), entries.get(b)));
    for (int j = 1; j < order.size(); j++) {
      if (RoutePrecedence.ORDER.compare(entries.get(order.get(j - 1)), entries.get(order.get(j))) >= 0) {
        return null;
      }
    }
    int[] inputOfSorted = new int[keptCount + added.length];
    List<RouteIR> routes = new ArrayList<>(inputOfSorted.length);
    int out = 0;
    int from = 0; // next kept position to copy
    for (int a : order) {
      RoutePrecedence.Entry entry = entries.get(a);
      int lo = from;
      int hi = keptCount;
      while (lo < hi) { // the first kept route after the added one; its neighbours get compared on the way
        int mid = (lo + hi) >>> 1;
        int c = RoutePrecedence.ORDER.compare(before.sortedEntry(kept[mid]), entry);
        if (c == 0) {
          return null;
        }
        if (c < 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      for (; from < lo; from++) {
        inputOfSorted[out++] = newInputOfOld[before.inputOfSorted[kept[from]]];
        routes.add(before.routes.get(kept[from]));
      }
      inputOfSorted[out++] = a;
      routes.add(localize(entry.route(), port, scheme));
    }
    for (; from < keptCount; from++) {
      inputOfSorted[out++] = newInputOfOld[before.inputOfSorted[kept[from]]];
      routes.add(before.routes.get(kept[from]));
    }
    Map<String, Integer> uses = new HashMap<>(before.clusterUses);
    for (int s = 0; s < n; s++) {
      if (removed[s]) {
        count(before.sortedEntry(s).route(), uses, -1);
      }
    }
    for (int a : added) {
      count(entries.get(a).route(), uses, 1);
    }
    return new Sorted(List.copyOf(entries), inputOfSorted, routes, uses, true);
  }

  private static Sorted fullSort(Sorted before, List<RoutePrecedence.Entry> entries, int port, String scheme) {
    List<Integer> order = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      order.add(i);
    }
    order.sort((a, b) -> RoutePrecedence.ORDER.compare(entries.get(a), entries.get(b))); // stable
    boolean strict = true;
    for (int j = 1; j < order.size() && strict; j++) {
      strict = RoutePrecedence.ORDER.compare(entries.get(order.get(j - 1)), entries.get(order.get(j))) < 0;
    }
    int[] inputOfSorted = new int[order.size()];
    List<RouteIR> routes = new ArrayList<>(order.size());
    IdentityHashMap<RouteIR, Integer> index = before == null ? null : before.index();
    Map<String, Integer> uses = new HashMap<>();
    for (int s = 0; s < order.size(); s++) {
      RouteIR route = entries.get(order.get(s)).route();
      inputOfSorted[s] = order.get(s);
      // a redirect localized before keeps its instance
      Integer q = index == null ? null : index.get(route);
      routes.add(q != null ? before.routes.get(before.sortedOfInput[q]) : localize(route, port, scheme));
      count(route, uses, 1);
    }
    return new Sorted(List.copyOf(entries), inputOfSorted, routes, uses, strict);
  }

  /** Adds {@code delta} to the uses of each cluster the route forwards or mirrors to. */
  private static void count(RouteIR route, Map<String, Integer> uses, int delta) {
    if (route.action() instanceof RouteActionIR.Forward forward) {
      for (RouteActionIR.WeightedBackend b : forward.backends()) {
        if (b.cluster() != null) {
          uses.merge(b.cluster(), delta, (x, y) -> x + y == 0 ? null : x + y);
        }
      }
      for (RouteActionIR.Mirror m : forward.mirrors()) {
        uses.merge(m.cluster(), delta, (x, y) -> x + y == 0 ? null : x + y);
      }
    }
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
