package io.gloo.core.translate.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.validate.Finding;
import io.gloo.core.validate.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole-Gateway pass after translation: runs the snapshot validator over one Gateway's resources and takes out
 * what it finds, element by element, so that the rest can be published. A route is replaced or dropped
 * ({@link RouteGuard}; one whose only problem is a missing cluster keeps being served, that cluster's share answering
 * 500); a virtual host, route configuration, cluster or endpoint assignment with a finding of its own
 * is dropped, and so is a listener (the Gateway's listeners on that port report it). Dropping can leave a dangling
 * reference (a route to a dropped cluster, a listener to a dropped route configuration), which the next round finds
 * and repairs the same way. Secrets are not repaired (the Gateway API stage checks certificates before they get
 * here); what is left after {@value #MAX_ROUNDS} rounds is for the publisher's last-line check.
 *
 * <p>Routes were already validated one by one as they were built, so on valid input this costs one validation of
 * the snapshot (memoized per instance by the validator) and changes nothing. Stateless.
 */
public final class SnapshotRepair {

  static final int MAX_ROUNDS = 4;

  private static final Pattern ROUTE_PATH = Pattern.compile("^virtual_hosts\\[(\\d+)]\\.routes\\[(\\d+)](?:\\.(.*))?$");
  private static final Pattern VHOST_PATH = Pattern.compile("^virtual_hosts\\[(\\d+)]");

  private SnapshotRepair() {}

  /** {@code resources} without what Envoy would reject (same instance when nothing is), told to {@code sink}. */
  public static XdsResources repair(XdsResources resources, RouteGuard guard, InvalidElements sink) {
    XdsResources current = resources;
    Map<String, String> droppedClusters = new HashMap<>();
    for (int round = 0; round < MAX_ROUNDS; round++) {
      List<Finding> findings = guard.validator().validate(current);
      if (findings.isEmpty()) {
        return current;
      }
      current = once(current, findings, guard, sink, droppedClusters);
    }
    return current;
  }

  private static XdsResources once(XdsResources in, List<Finding> findings, RouteGuard guard, InvalidElements sink,
      Map<String, String> droppedClusters) {
    Set<String> dropListeners = new HashSet<>();
    Set<String> dropConfigs = new HashSet<>();
    Set<String> dropClusters = new HashSet<>();
    Set<String> dropEndpoints = new HashSet<>();
    Set<String> dedupe = new HashSet<>(); // types with duplicate names: the first of each name stays
    // route configuration → virtual host index → route index → violations (paths relative to the route)
    Map<String, Map<Integer, Map<Integer, List<Violation>>>> routeFixes = new HashMap<>();
    Map<String, Set<Integer>> dropVhosts = new HashMap<>();
    for (Finding f : findings) {
      String name = f.resourceName();
      Violation v = f.violation();
      if (v.rule().equals("name.duplicate")) {
        dedupe.add(f.type());
        report(f, sink);
        continue;
      }
      switch (f.type()) {
        case "Listener" -> {
          dropListeners.add(name);
          sink.listener(name, f);
        }
        case "Cluster" -> {
          dropClusters.add(name);
          droppedClusters.putIfAbsent(name, v.toString());
          sink.other(f);
        }
        case "ClusterLoadAssignment" -> {
          dropEndpoints.add(name);
          sink.other(f);
        }
        case "RouteConfiguration" -> {
          Matcher route = ROUTE_PATH.matcher(v.path());
          Matcher vhost = VHOST_PATH.matcher(v.path());
          if (route.matches()) {
            routeFixes.computeIfAbsent(name, k -> new TreeMap<>())
                .computeIfAbsent(Integer.parseInt(route.group(1)), k -> new TreeMap<>())
                .computeIfAbsent(Integer.parseInt(route.group(2)), k -> new ArrayList<>())
                .add(new Violation(route.group(3) == null ? "" : route.group(3), v.rule(),
                    withCause(v, droppedClusters)));
          } else if (vhost.lookingAt()) {
            dropVhosts.computeIfAbsent(name, k -> new HashSet<>()).add(Integer.parseInt(vhost.group(1)));
            sink.other(f);
          } else {
            dropConfigs.add(name);
            sink.other(f);
          }
        }
        default -> sink.other(f); // secrets: not repaired, see the class comment
      }
    }
    List<RouteConfiguration> configs = new ArrayList<>();
    for (RouteConfiguration config : keep(in.routes(), dropConfigs, dedupe.contains("RouteConfiguration"))) {
      Map<Integer, Map<Integer, List<Violation>>> fixes = routeFixes.getOrDefault(config.getName(), Map.of());
      Set<Integer> vhosts = dropVhosts.getOrDefault(config.getName(), Set.of());
      configs.add(fixes.isEmpty() && vhosts.isEmpty() ? config : repaired(config, fixes, vhosts, guard, sink));
    }
    return new XdsResources(
        keep(in.listeners(), dropListeners, dedupe.contains("Listener")),
        configs,
        keep(in.clusters(), dropClusters, dedupe.contains("Cluster")),
        keep(in.endpoints(), dropEndpoints, dedupe.contains("ClusterLoadAssignment")),
        keep(in.secrets(), Set.of(), dedupe.contains("Secret")));
  }

  private static void report(Finding f, InvalidElements sink) {
    if (f.type().equals("Listener")) {
      sink.listener(f.resourceName(), f);
    } else {
      sink.other(f);
    }
  }

  /** A missing cluster that an earlier round dropped says why it was dropped. */
  private static String withCause(Violation v, Map<String, String> droppedClusters) {
    if (!v.rule().equals("cluster.missing")) {
      return v.message();
    }
    for (Map.Entry<String, String> dropped : droppedClusters.entrySet()) {
      if (v.message().contains("'" + dropped.getKey() + "'")) {
        return v.message() + " (it was dropped: " + dropped.getValue() + ")";
      }
    }
    return v.message();
  }

  private static RouteConfiguration repaired(RouteConfiguration config,
      Map<Integer, Map<Integer, List<Violation>>> fixes, Set<Integer> dropVhosts, RouteGuard guard,
      InvalidElements sink) {
    RouteConfiguration.Builder out = config.toBuilder().clearVirtualHosts();
    for (int v = 0; v < config.getVirtualHostsCount(); v++) {
      VirtualHost vhost = config.getVirtualHosts(v);
      if (dropVhosts.contains(v)) {
        continue;
      }
      Map<Integer, List<Violation>> routeFixes = fixes.get(v);
      if (routeFixes == null) {
        out.addVirtualHosts(vhost);
        continue;
      }
      VirtualHost.Builder fixed = vhost.toBuilder().clearRoutes();
      for (int r = 0; r < vhost.getRoutesCount(); r++) {
        Route route = vhost.getRoutes(r);
        List<Violation> violations = routeFixes.get(r);
        if (violations == null) {
          fixed.addRoutes(route);
          continue;
        }
        RouteGuard.Checked checked = guard.unresolve(route, violations);
        if (checked == null) {
          checked = guard.handle(route, violations);
        }
        sink.route(checked.problem());
        if (checked.route() != null) {
          fixed.addRoutes(checked.route());
        }
      }
      out.addVirtualHosts(fixed);
    }
    return out.build();
  }

  /** {@code resources} without the named ones, and (when {@code dedupe}) without later ones of a name seen. */
  private static <T extends Message> List<T> keep(List<T> resources, Set<String> drop, boolean dedupe) {
    if (drop.isEmpty() && !dedupe) {
      return resources;
    }
    List<T> out = new ArrayList<>(resources.size());
    Set<String> seen = new HashSet<>();
    for (T r : resources) {
      String name = Resources.getResourceName(r);
      if (!drop.contains(name) && (!dedupe || seen.add(name))) {
        out.add(r);
      }
    }
    return out;
  }
}
