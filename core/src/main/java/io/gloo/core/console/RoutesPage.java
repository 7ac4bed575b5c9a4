package io.gloo.core.console;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.core.evaluate.QueryString;
import io.gloo.core.ir.RouteSource;
import io.gloo.core.server.GlooServer;
import io.gloo.core.snapshot.PublishedSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A Gateway's routes per route configuration and virtual host, in Envoy's order (first match wins), each with its
 * match, destination, source resource and the policies applied to it.
 */
final class RoutesPage {

  private final GlooServer server;

  RoutesPage(GlooServer server) {
    this.server = server;
  }

  Html render(QueryString query) {
    Html h = new Html();
    Optional<PublishedSnapshot> picked = ServedGateways.pick(server, query.first("gateway"));
    h.open("form", "method", "get", "action", "/ui/routes");
    ServedGateways.select(h, server, picked.orElse(null));
    h.raw(" <button type=\"submit\">Show</button>").close("form");
    if (picked.isEmpty()) {
      h.element("p", query.first("gateway") == null ? "No Gateway is served yet."
          : "No Gateway " + query.first("gateway") + " is served.");
      return h;
    }
    PublishedSnapshot s = picked.get();
    PolicyPlaces places = PolicyPlaces.of(server);
    String gatewayId = ServedGateways.id(s.gateway());
    for (RouteConfiguration rc : s.resources().routes()) {
      h.heading(2, "Route configuration " + rc.getName(), null);
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        h.open("table").element("caption", "Virtual host " + vh.getName() + ": " + String.join(", ",
            vh.getDomainsList()));
        h.headerRow("#", "Route", "Match", "Destination", "Source", "Policies");
        h.open("tbody");
        int i = 0;
        for (Route r : vh.getRoutesList()) {
          RouteSource source = RouteView.source(r);
          h.open("tr").cell(i++).open("th", "scope", "row");
          h.link("/ui/policies?gateway=" + Html.url(gatewayId) + "&route=" + Html.url(r.getName()), r.getName());
          h.close("th").cell(RouteView.match(r)).cell(RouteView.destination(r));
          h.open("td");
          if (source != null) {
            h.link("/ui/resource?key=" + Html.url(source.route().toString()), RouteView.describe(source));
          }
          h.close("td").cell(String.join(", ", policies(places, r, vh, source))).close("tr");
        }
        h.close("tbody").close("table");
      }
    }
    return h;
  }

  /** The policies attached where the route came from, then the per-filter configs Envoy runs for it. */
  static List<String> policies(PolicyPlaces places, Route r, VirtualHost vh, RouteSource source) {
    List<String> result = new ArrayList<>();
    if (source != null) {
      result.addAll(places.at(RouteView.policyPlace(source)));
    }
    TreeSet<String> filters = new TreeSet<>(r.getTypedPerFilterConfigMap().keySet());
    filters.addAll(vh.getTypedPerFilterConfigMap().keySet());
    filters.forEach(f -> result.add("filter config " + f));
    return result;
  }
}
