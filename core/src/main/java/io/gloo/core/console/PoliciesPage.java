package io.gloo.core.console;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.core.evaluate.QueryString;
import io.gloo.core.ir.RouteSource;
import io.gloo.core.server.GlooServer;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.translate.TranslationJson;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Policies explained. Without a route: every policy with its state, where it applies, the fields it lost, and the
 * rejected or unattached ones first. For a route ({@code ?gateway=...&route=NAME}): the Envoy route as served
 * (sensitive fields redacted), then each policy attached where the route came from, field by field: the value it
 * sets and whether it won that field there or lost it to a higher-priority policy.
 */
final class PoliciesPage {

  private final GlooServer server;

  PoliciesPage(GlooServer server) {
    this.server = server;
  }

  Html render(QueryString query) {
    Html h = new Html();
    PolicyPlaces places = PolicyPlaces.of(server);
    String routeName = query.first("route");
    if (routeName != null) {
      Optional<PublishedSnapshot> s = ServedGateways.pick(server, query.first("gateway"));
      Optional<Found> found = s.flatMap(snapshot -> find(snapshot, routeName));
      if (found.isEmpty()) {
        h.element("p", "No route " + routeName + " is served" + (s.isPresent() ? " by "
            + ServedGateways.label(s.get().gateway()) : "") + ".");
      } else {
        route(h, s.get(), found.get(), places);
      }
    }
    all(h, places);
    return h;
  }

  private record Found(VirtualHost virtualHost, Route route) {}

  private static Optional<Found> find(PublishedSnapshot s, String name) {
    for (RouteConfiguration rc : s.resources().routes()) {
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        for (Route r : vh.getRoutesList()) {
          if (r.getName().equals(name)) {
            return Optional.of(new Found(vh, r));
          }
        }
      }
    }
    return Optional.empty();
  }

  private void route(Html h, PublishedSnapshot s, Found found, PolicyPlaces places) {
    Route r = found.route();
    RouteSource source = RouteView.source(r);
    h.heading(2, "Route " + r.getName(), "route");
    h.open("dl").element("dt", "Gateway").element("dd", ServedGateways.label(s.gateway()))
        .element("dt", "Virtual host").element("dd", found.virtualHost().getName())
        .element("dt", "Match").element("dd", RouteView.match(r))
        .element("dt", "Destination").element("dd", RouteView.destination(r))
        .element("dt", "Source").element("dd", source == null ? "(none)" : RouteView.describe(source))
        .close("dl");
    if (source != null) {
      String place = RouteView.policyPlace(source);
      var attached = places.policiesAt(place);
      h.heading(3, "Policies at " + place, "effective");
      if (attached.isEmpty()) {
        h.element("p", "No policy applies here.");
      }
      for (PolicyPlaces.Policy p : attached) {
        fields(h, p, place);
      }
    }
    String vhPrefix = "Gateway " + s.gateway().namespacedName() + " listener";
    for (PolicyPlaces.Policy p : places.all()) {
      for (JsonNode where : p.details().path("attachedTo")) {
        if (where.asString("").startsWith(vhPrefix)) {
          h.heading(3, "Virtual host policy at " + where.asString(""), null);
          fields(h, p, where.asString(""));
        }
      }
    }
    h.open("details").element("summary", "The route as Envoy receives it (JSON, sensitive fields redacted)")
        .element("pre", TranslationJson.message(r).toPrettyString()).close("details");
  }

  /** One policy's fields at one place: each value, and whether it set it or lost it (and to whom). */
  private void fields(Html h, PolicyPlaces.Policy p, String place) {
    Html.Tone tone = Html.Tone.ofState(p.state());
    h.open("p").link("/ui/resource?key=" + Html.url(p.key()), p.key()).text(" ").badge(p.state(), tone);
    if (!p.reason().isEmpty()) {
      h.text(" " + p.reason());
    }
    h.close("p");
    JsonNode spec = spec(p.key());
    if (spec == null) {
      return;
    }
    String mergeField = spec.has("options") ? "options" : null;
    JsonNode fields = mergeField == null ? spec : spec.path(mergeField);
    h.open("table").element("caption", "Fields of " + p.key()).headerRow("Field", "Value", "Effect here");
    h.open("tbody");
    for (Map.Entry<String, JsonNode> f : fields.properties()) {
      if (mergeField == null && (f.getKey().equals("targetRefs") || f.getKey().equals("targetRef")
          || f.getKey().equals("targetSelectors"))) {
        continue;
      }
      String name = mergeField == null ? f.getKey() : mergeField + "." + f.getKey();
      String lostTo = p.lostAt(name, place);
      h.open("tr").element("th", name, "scope", "row")
          .open("td").element("code", SecretValues.redact(f.getValue()).toString()).close("td")
          .open("td");
      if (lostTo != null) {
        h.badge("lost", Html.Tone.WARN).text(" to " + lostTo);
      } else {
        h.badge("set", Html.Tone.OK);
      }
      h.close("td").close("tr");
    }
    h.close("tbody").close("table");
  }

  private JsonNode spec(String key) {
    return ResourcePage.find(server, key).map(ResourcePage::spec).orElse(null);
  }

  /** Every policy: rejected and unattached first. */
  private static void all(Html h, PolicyPlaces places) {
    h.heading(2, "All policies", "all");
    if (places.all().isEmpty()) {
      h.element("p", "No policy resources.");
      return;
    }
    h.open("table").element("caption", "Policies, problems first")
        .headerRow("Policy", "State", "Applies at", "Fields lost", "Why");
    h.open("tbody");
    var sorted = places.all().stream().sorted((a, b) -> Integer.compare(rank(a), rank(b))).toList();
    for (PolicyPlaces.Policy p : sorted) {
      h.open("tr", "class", rank(p) < 2 ? "problem" : null).open("th", "scope", "row")
          .link("/ui/resource?key=" + Html.url(p.key()), p.key()).close("th")
          .open("td").badge(p.state(), Html.Tone.ofState(p.state())).close("td");
      StringBuilder at = new StringBuilder();
      p.details().path("attachedTo").forEach(w -> at.append(at.length() == 0 ? "" : "; ").append(w.asString("")));
      StringBuilder lost = new StringBuilder();
      p.details().path("lostFields").properties().forEach(e -> lost.append(lost.length() == 0 ? "" : "; ")
          .append(e.getKey()).append(" to ").append(e.getValue().asString("")));
      h.cell(at.length() == 0 ? "nothing (dangling or unattached)" : at).cell(lost).cell(p.reason())
          .close("tr");
    }
    h.close("tbody").close("table");
  }

  /** 0 rejected, 1 attached nowhere, 2 warning, 3 accepted. */
  private static int rank(PolicyPlaces.Policy p) {
    if (p.state().equalsIgnoreCase("Rejected")) {
      return 0;
    }
    if (p.details().path("attachedTo").isEmpty()) {
      return 1;
    }
    return p.state().equalsIgnoreCase("Warning") ? 2 : 3;
  }
}
