package io.gloo.core.console;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.XdsResources;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The last {@link #DEPTH} versions published per Gateway, oldest first, for the Changes page, each with the names of
 * the listeners, clusters and routes (named {@code route configuration / virtual host / route}) it added, removed or
 * changed against the version before it. Fed by the publisher's listener (one thread) and read by page renders (any
 * thread).
 *
 * <p>Only names are kept, at most {@link #MAX_NAMES} per kind and version, and only the newest version's resources
 * (the publisher serves those anyway): keeping whole snapshots kept the resources of ten versions alive, so after
 * scaling 10,000 routes down to 10 the 10,000 routes stayed on the heap until ten more publishes (issue #19). The
 * names are found when a version is added; unchanged route configurations and virtual hosts are the same objects
 * from one translation to the next, so a one-route change compares one virtual host's routes.
 */
@ThreadSafe
final class SnapshotHistory {

  static final int DEPTH = 10;
  /** Names listed per kind and version; more are counted only. */
  static final int MAX_NAMES = 200;

  /** One published version: its xDS versions, and what changed against the one before (null for the first). */
  record Version(Map<String, String> versions, Instant publishedAt, boolean removed, List<KindChanges> changes) {}

  /** The changes of one kind ("Listeners", "Clusters", "Routes"): the first names listed, and how many in all. */
  record KindChanges(String kind, List<Change> listed, int total) {}

  /** {@code what}: added, changed or removed. */
  record Change(String what, String name) {}

  private final Map<ResourceKey, Deque<Version>> byGateway = new HashMap<>();
  /** The newest version's resources per Gateway: what the next version is compared with. */
  private final Map<ResourceKey, XdsResources> newest = new HashMap<>();

  synchronized void add(PublishedSnapshot snapshot) {
    Deque<Version> versions = byGateway.computeIfAbsent(snapshot.gateway(), g -> new ArrayDeque<>());
    Version last = versions.peekLast();
    if (last != null && last.versions().equals(snapshot.versions()) && last.removed() == snapshot.removed()) {
      return; // seeded from the current state and then told about the same publish
    }
    XdsResources before = newest.put(snapshot.gateway(), snapshot.resources());
    versions.addLast(new Version(snapshot.versions(), snapshot.publishedAt(), snapshot.removed(),
        before == null ? null : changes(before, snapshot.resources())));
    while (versions.size() > DEPTH) {
      versions.removeFirst();
    }
  }

  synchronized List<Version> of(ResourceKey gateway) {
    Deque<Version> versions = byGateway.get(gateway);
    return versions == null ? List.of() : new ArrayList<>(versions);
  }

  static List<KindChanges> changes(XdsResources a, XdsResources b) {
    Changes listeners = new Changes("Listeners");
    listeners.compare(byName(a.listeners(), Listener::getName), byName(b.listeners(), Listener::getName), "");
    Changes clusters = new Changes("Clusters");
    clusters.compare(byName(a.clusters(), Cluster::getName), byName(b.clusters(), Cluster::getName), "");
    Changes routes = new Changes("Routes");
    Map<String, RouteConfiguration> configsBefore = byName(a.routes(), RouteConfiguration::getName);
    for (RouteConfiguration config : b.routes()) {
      RouteConfiguration old = configsBefore.remove(config.getName());
      if (old != config) { // the same object when nothing in it changed
        Map<String, VirtualHost> hostsBefore = old == null ? Map.of()
            : byName(old.getVirtualHostsList(), VirtualHost::getName);
        for (VirtualHost host : config.getVirtualHostsList()) {
          VirtualHost oldHost = hostsBefore.remove(host.getName());
          if (oldHost != host) {
            routes.compare(oldHost == null ? Map.of() : routesByName(oldHost), routesByName(host),
                config.getName() + " / " + host.getName() + " / ");
          }
        }
        hostsBefore.values().forEach(host -> routes.compare(routesByName(host), Map.of(),
            config.getName() + " / " + host.getName() + " / "));
      }
    }
    configsBefore.values().forEach(config -> config.getVirtualHostsList().forEach(host -> routes.compare(
        routesByName(host), Map.of(), config.getName() + " / " + host.getName() + " / ")));
    return List.of(listeners.done(), clusters.done(), routes.done());
  }

  private static <M extends Message> Map<String, M> byName(List<M> messages, Function<M, String> name) {
    Map<String, M> result = new LinkedHashMap<>();
    for (M m : messages) {
      result.put(name.apply(m), m);
    }
    return result;
  }

  private static Map<String, Route> routesByName(VirtualHost host) {
    Map<String, Route> result = new LinkedHashMap<>();
    int i = 0;
    for (Route r : host.getRoutesList()) {
      result.put(r.getName().isEmpty() ? "#" + i : r.getName(), r);
      i++;
    }
    return result;
  }

  /** Collects one kind's changes: the first {@link #MAX_NAMES} names, and the count of all. */
  private static final class Changes {
    private final String kind;
    private final List<Change> listed = new ArrayList<>();
    private int total;

    Changes(String kind) {
      this.kind = kind;
    }

    <M extends Message> void compare(Map<String, M> before, Map<String, M> after, String prefix) {
      for (Map.Entry<String, M> e : after.entrySet()) {
        M old = before.get(e.getKey());
        if (old == null) {
          note("added", prefix + e.getKey());
        } else if (old != e.getValue() && !old.equals(e.getValue())) {
          note("changed", prefix + e.getKey());
        }
      }
      for (String name : before.keySet()) {
        if (!after.containsKey(name)) {
          note("removed", prefix + name);
        }
      }
    }

    private void note(String what, String name) {
      if (listed.size() < MAX_NAMES) {
        listed.add(new Change(what, name));
      }
      total++;
    }

    KindChanges done() {
      return new KindChanges(kind, List.copyOf(listed), total);
    }
  }
}
