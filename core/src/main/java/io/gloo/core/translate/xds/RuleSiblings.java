package io.gloo.core.translate.xds;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.validate.Violation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A rule is dropped as a whole (the Gateway API's "Dropped Rule"): when one of its matches produced an invalid route,
 * the routes of its other matches are replaced or dropped the same way. Rules are told apart by the route name
 * ({@code httproute/<ns>/<name>/<rule>/<match>}: everything before the last {@code /}). Stateless.
 */
public final class RuleSiblings {

  /** The rule of the violation given to a sibling route (not an Envoy problem of its own). */
  public static final String RULE = "rule.invalid";

  private RuleSiblings() {}

  /** {@code resources} with the siblings of {@code sink}'s invalid routes replaced too (told to {@code sink}). */
  public static XdsResources apply(XdsResources resources, RouteGuard guard, InvalidElements sink) {
    if (sink.routes().isEmpty()) {
      return resources;
    }
    Set<String> rules = new HashSet<>();
    Set<String> handled = new HashSet<>();
    for (InvalidRoute r : sink.routes()) {
      handled.add(r.name());
      if (r.outcome() == InvalidRoute.Outcome.UNRESOLVED) {
        continue; // a reference problem: the rule is served
      }
      String rule = rule(r.name());
      if (rule != null) {
        rules.add(rule);
      }
    }
    if (rules.isEmpty()) {
      return resources;
    }
    List<RouteConfiguration> configs = new ArrayList<>(resources.routes().size());
    boolean changed = false;
    for (RouteConfiguration config : resources.routes()) {
      RouteConfiguration fixed = config(config, rules, handled, guard, sink);
      changed |= fixed != config;
      configs.add(fixed);
    }
    return changed ? new XdsResources(resources.listeners(), configs, resources.clusters(), resources.endpoints(),
        resources.secrets()) : resources;
  }

  private static RouteConfiguration config(RouteConfiguration config, Set<String> rules, Set<String> handled,
      RouteGuard guard, InvalidElements sink) {
    RouteConfiguration.Builder out = null;
    for (int v = 0; v < config.getVirtualHostsCount(); v++) {
      VirtualHost vhost = config.getVirtualHosts(v);
      VirtualHost.Builder fixed = null;
      for (int r = 0; r < vhost.getRoutesCount(); r++) {
        Route route = vhost.getRoutes(r);
        String rule = rule(route.getName());
        if (rule == null || !rules.contains(rule) || handled.contains(route.getName())) {
          if (fixed != null) {
            fixed.addRoutes(route);
          }
          continue;
        }
        if (fixed == null) {
          fixed = vhost.toBuilder().clearRoutes().addAllRoutes(vhost.getRoutesList().subList(0, r));
        }
        RouteGuard.Checked checked = guard.handle(route, List.of(new Violation("", RULE,
            "another match of this rule is invalid")));
        sink.route(checked.problem());
        if (checked.route() != null) {
          fixed.addRoutes(checked.route());
        }
      }
      if (fixed != null) {
        if (out == null) {
          out = config.toBuilder();
        }
        out.setVirtualHosts(v, fixed);
      }
    }
    return out == null ? config : out.build();
  }

  /** {@code httproute/ns/name/1} of {@code httproute/ns/name/1/0}; null for a name without a match segment. */
  private static String rule(String routeName) {
    int slash = routeName.lastIndexOf('/');
    return slash <= 0 ? null : routeName.substring(0, slash);
  }
}
