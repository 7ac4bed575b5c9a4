package io.gloo.core.translate.edge;

import io.gloo.core.ir.HeaderEditsIR;
import io.gloo.core.ir.RouteActionIR;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.RouteSource;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.policy.PolicyResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A VirtualService's routes → IR routes, depth first and in order as Gloo's route visitor: each matcher of a simple
 * route is one route; a {@code delegateAction} is replaced by the routes of the RouteTables it selects (by weight,
 * see {@link EdgeRouteTables}), each child route checked to be within the delegating matcher (else a warning on the
 * RouteTable and the route is left out, as Gloo does), with {@code inheritableMatchers} /
 * {@code inheritablePathMatchers} and option inheritance (the child's own options win, a parent fills what it
 * leaves unset). Cycles are an error on the RouteTable that would close them. Problems of a RouteTable are also
 * reported on the VirtualService at the top, prefixed {@code on sub route table ns.name}. One instance per
 * translation.
 */
final class EdgeRoutes {

  /** What a delegating route hands its children. */
  private record Parent(EdgeMatcher matcher, List<PolicyResource> options, boolean failClosed, String name,
      boolean hasName, boolean inheritableMatchers, boolean inheritablePathMatchers, List<ResourceKey> visited) {}

  /** A translated route and the matcher it came from (for Gloo's ordering of equal-weight tables). */
  private record Built(RouteIR ir, EdgeMatcher matcher) {}

  private final EdgeActions actions;
  private final EdgeRouteTables tables;
  private final EdgeOptions options;
  private final EdgeStatuses statuses;
  private final EdgeIrCache cache;
  private final EdgePlans.Tap tap;

  EdgeRoutes(EdgeActions actions, EdgeRouteTables tables, EdgeOptions options, EdgeStatuses statuses,
      EdgeIrCache cache, EdgePlans.Tap tap) {
    this.cache = cache;
    this.tap = tap;
    this.actions = actions;
    this.tables = tables;
    this.options = options;
    this.statuses = statuses;
  }

  /**
   * The routes of one VirtualService as served on one proxy.
   *
   * @param namePrefix Gloo's route name prefix for it: {@code vs:<gateway>_<proxy>_<ns>_<name>}
   * @param sources receives every RouteTable visited
   * @param proxy the proxy it is served on (for the RouteTables' subresource statuses)
   * @param failClosed every route answers 500 (its virtual host has options that guard and cannot be served)
   */
  List<RouteIR> virtualService(ResourceKey vs, JsonNode routes, String namePrefix, Set<ResourceKey> sources,
      ResourceKey proxy, boolean failClosed) {
    List<RouteIR> out = new ArrayList<>();
    for (Built b : visit(vs, vs, routes, namePrefix, null, failClosed, sources, proxy)) {
      out.add(b.ir());
    }
    return out;
  }

  /** @param topClosed without a parent: the routes answer 500 (their virtual host's options guard, unserved) */
  private List<Built> visit(ResourceKey top, ResourceKey owner, JsonNode routes, String namePrefix, Parent parent,
      boolean topClosed, Set<ResourceKey> sources, ResourceKey proxy) {
    List<Built> out = new ArrayList<>();
    int index = -1;
    for (JsonNode route : routes) {
      index++;
      String own = EdgeApi.str(route, "name");
      String name = (parent == null ? "" : parent.name + "_") + namePrefix + "_route:"
          + (own == null || own.isEmpty() ? "<unnamed-" + index + ">" : own);
      boolean hasName = (own != null && !own.isEmpty()) || (parent != null && parent.hasName);
      List<EdgeMatcher> matchers = new ArrayList<>(cache.matchers(route.path("matchers")));
      boolean inheritMatchers = EdgeApi.present(route, "inheritableMatchers")
          ? route.get("inheritableMatchers").asBoolean() : parent != null && parent.inheritableMatchers;
      boolean inheritPaths = EdgeApi.present(route, "inheritablePathMatchers")
          ? route.get("inheritablePathMatchers").asBoolean() : parent != null && parent.inheritablePathMatchers;
      if (EdgeApi.present(route, "options") || EdgeApi.present(route, "optionsConfigRefs")) {
        tap.notReplayable(); // plugin policies: resolved and merged again every time
      }
      List<PolicyResource> chain = new ArrayList<>();
      boolean closed = parent != null ? parent.failClosed : topClosed;
      String unserved = options.unserved(route.get("options"), false);
      if (unserved != null) {
        warn(top, owner, "route " + index + ": " + unserved);
        closed |= EdgeOptions.guards(route.get("options"));
      }
      PolicyResource mine = options.route(owner, index, route.get("options"));
      if (mine != null && !mine.valid()) {
        error(top, owner, "route " + index + ": " + EdgeOptions.violations(mine));
        continue;
      }
      EdgeOptions.Delegated refs = options.delegated(route.get("optionsConfigRefs"), owner.namespace(), false);
      for (String w : refs.warnings()) {
        warn(top, owner, "route " + index + ": " + w);
      }
      if (refs.error() != null) {
        error(top, owner, "route " + index + ": " + refs.error());
        continue;
      }
      closed |= refs.failClosed();
      if (mine != null) {
        chain.add(mine);
      }
      chain.addAll(refs.policies()); // after the inline options: those win, then the first reference setting a field
      if (parent != null) {
        chain.addAll(parent.options);
        if (inheritPaths) {
          List<EdgeMatcher> withPath = new ArrayList<>();
          matchers.forEach(m -> withPath.add(m.withPath(parent.matcher)));
          matchers.clear();
          matchers.addAll(withPath.isEmpty() ? List.of(EdgeMatcher.DEFAULT.withPath(parent.matcher)) : withPath);
        }
      }
      if (matchers.isEmpty()) {
        matchers.add(EdgeMatcher.DEFAULT);
      }
      if (parent != null) {
        if (inheritMatchers) {
          matchers.replaceAll(m -> m.inheriting(parent.matcher));
        }
        String outside = null;
        for (EdgeMatcher m : matchers) {
          outside = outside != null ? outside : m.notWithin(parent.matcher);
        }
        if (outside != null) {
          warn(top, owner, outside);
          continue;
        }
      }
      if (EdgeApi.present(route, "delegateAction")) {
        out.addAll(delegate(top, owner, route, name, hasName, inheritMatchers, inheritPaths, chain, closed, parent,
            sources, proxy));
        continue;
      }
      EdgeActions.Action action = actions.of(route, owner.namespace());
      action.warnings().forEach(w -> warn(top, owner, w));
      if (action.action() == null) {
        error(top, owner, action.error());
        continue;
      }
      List<io.gloo.core.translate.policy.AppliedPolicy> applied = options.merge(chain, owner.kind() + " "
          + owner.namespacedName() + " route " + index);
      RouteActionIR act = closed ? new RouteActionIR.DirectResponse(500, null) : action.action();
      for (int m = 0; m < matchers.size(); m++) {
        String routeName = hasName ? name + (matchers.size() > 1 ? "-" + m : "") : null;
        RouteIR ir = new RouteIR(routeName != null ? routeName : name + "-" + m, matchers.get(m).toIr(), act,
            HeaderEditsIR.NONE, HeaderEditsIR.NONE, new RouteSource(owner, index, own, m), applied);
        out.add(new Built(ir, matchers.get(m)));
      }
    }
    return out;
  }

  private List<Built> delegate(ResourceKey top, ResourceKey owner, JsonNode route, String name,
      boolean hasName, boolean inheritMatchers, boolean inheritPaths, List<PolicyResource> chain, boolean closed,
      Parent parent, Set<ResourceKey> sources, ResourceKey proxy) {
    JsonNode ms = route.path("matchers");
    if (ms.size() > 1) {
      error(top, owner, "invalid route: routes with delegate actions must omit or specify a single matcher");
      return List.of();
    }
    EdgeMatcher matcher = EdgeMatcher.DEFAULT;
    if (ms.size() == 1 && EdgeMatcher.hasPath(ms.get(0))) {
      matcher = EdgeMatcher.parse(ms.get(0));
      if (!matcher.pathKind().equals("prefix")) {
        error(top, owner, "invalid route: routes with delegate actions must use a prefix matcher");
        return List.of();
      }
    } else if (ms.size() == 1) {
      matcher = EdgeMatcher.parse(ms.get(0)).withPath(EdgeMatcher.DEFAULT);
    }
    if (parent != null && inheritMatchers) {
      matcher = matcher.inheriting(parent.matcher);
    }
    EdgeRouteTables.Selection selection = tables.select(route.get("delegateAction"), owner.namespace());
    selection.warnings().forEach(w -> warn(top, owner, w));
    List<ResourceKey> visited = parent == null ? List.of() : parent.visited;
    List<Built> out = new ArrayList<>();
    for (List<ResourceKey> sameWeight : selection.byWeight()) {
      List<Built> forWeight = new ArrayList<>();
      for (ResourceKey table : sameWeight) {
        if (visited.contains(table) || table.equals(owner)) {
          List<String> cycle = new ArrayList<>();
          visited.forEach(v -> cycle.add("[" + EdgeApi.gloo(v) + "]"));
          if (visited.isEmpty() || !visited.get(visited.size() - 1).equals(owner)) {
            cycle.add("[" + EdgeApi.gloo(owner) + "]");
          }
          cycle.add("[" + EdgeApi.gloo(table) + "]");
          error(top, table, "invalid route: delegation cycle detected: " + String.join(" -> ", cycle));
          continue;
        }
        List<ResourceKey> nextVisited = new ArrayList<>(visited);
        nextVisited.add(table);
        sources.add(table);
        statuses.servedBy(table, proxy);
        Parent next = new Parent(matcher, chain, closed, name, hasName, inheritMatchers, inheritPaths,
            nextVisited);
        forWeight.addAll(visit(top, table, tables.routes(table), "rt:" + table.namespace() + "_" + table.name(),
            next, false, sources, proxy));
      }
      if (sameWeight.size() > 1) {
        forWeight.sort((a, b) -> EdgeMatcher.specificity(a.matcher(), b.matcher()));
      }
      out.addAll(forWeight);
    }
    return out;
  }

  private void error(ResourceKey top, ResourceKey owner, String message) {
    statuses.error(owner, message);
    if (!owner.equals(top)) {
      statuses.warning(top, "on sub route table " + EdgeApi.gloo(owner) + ": " + message);
    }
  }

  private void warn(ResourceKey top, ResourceKey owner, String message) {
    statuses.warning(owner, message);
    if (!owner.equals(top)) {
      statuses.warning(top, "on sub route table " + EdgeApi.gloo(owner) + ": " + message);
    }
  }
}
