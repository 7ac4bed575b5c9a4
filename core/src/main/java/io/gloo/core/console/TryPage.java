package io.gloo.core.console;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.core.evaluate.QueryString;
import io.gloo.core.evaluate.RouteDecision;
import io.gloo.core.evaluate.RouteEvaluator;
import io.gloo.core.evaluate.TestRequest;
import io.gloo.core.server.GlooServer;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.translate.TranslationJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * "What happens to this request": a GET form (so every answer is a shareable URL) whose fields go to the route
 * evaluator — the engine of {@code gloo route-check} — against the Gateway's served snapshot. Shows the decision
 * (route, source, cluster, rewrites, redirect, direct response), the rate-limit descriptors Envoy would send (the
 * client address filled in where a descriptor takes it) and the ext-auth settings of the chosen route.
 */
final class TryPage {

  private static final String CLIENT_PLACEHOLDER = "<client address>";

  private final GlooServer server;

  TryPage(GlooServer server) {
    this.server = server;
  }

  Html render(QueryString query) {
    Html h = new Html();
    Optional<PublishedSnapshot> picked = ServedGateways.pick(server, query.first("gateway"));
    String method = query.first("method", "GET");
    String url = query.first("url", "");
    String headers = query.first("headers", "");
    String client = query.first("client", "");
    form(h, picked.orElse(null), method, url, headers, client);
    if (url.isBlank()) {
      return h;
    }
    if (picked.isEmpty()) {
      h.element("p", "No Gateway is served, so there is nothing to evaluate against.", "role", "alert");
      return h;
    }
    RouteDecision decision;
    try {
      List<String> headerLines = new ArrayList<>();
      for (String line : headers.split("\\R")) {
        if (!line.isBlank()) {
          headerLines.add(line.trim());
        }
      }
      decision = RouteEvaluator.evaluate(picked.get().resources(),
          TestRequest.parse(method + " " + url.trim(), headerLines, 0, null));
    } catch (IllegalArgumentException e) {
      h.element("p", "Cannot evaluate: " + e.getMessage(), "role", "alert", "class", "error");
      return h;
    }
    decision(h, picked.get(), decision, client);
    return h;
  }

  private void form(Html h, PublishedSnapshot current, String method, String url, String headers, String client) {
    h.open("form", "method", "get", "action", "/ui/try", "class", "try");
    h.open("p");
    ServedGateways.select(h, server, current);
    h.close("p").open("p").element("label", "Method", "for", "method")
        .open("input", "id", "method", "name", "method", "value", method, "size", "7").close("p")
        .open("p").element("label", "URL", "for", "url")
        .open("input", "id", "url", "name", "url", "value", url, "size", "60",
            "placeholder", "http://example.com:8080/path?query")
        .close("p").open("p").element("label", "Headers (one Name: value per line)", "for", "headers")
        .open("textarea", "id", "headers", "name", "headers", "rows", "3", "cols", "60").text(headers)
        .close("textarea").close("p")
        .open("p").element("label", "Client address", "for", "client")
        .open("input", "id", "client", "name", "client", "value", client, "size", "20", "placeholder", "10.0.0.1")
        .close("p").raw("<p><button type=\"submit\">Evaluate</button></p>").close("form");
  }

  private static void decision(Html h, PublishedSnapshot s, RouteDecision decision, String client) {
    ObjectNode json = decision.toJson();
    h.open("section", "aria-labelledby", "decision", "id", "result").heading(2, "Decision", "decision");
    h.open("dl");
    for (String field : List.of("outcome", "status", "listener", "filterChain", "routeConfiguration",
        "virtualHost", "route", "cluster", "weightedClusters", "location", "body", "timeout", "virtualCluster")) {
      if (json.has(field)) {
        h.element("dt", field).element("dd", json.get(field).asString(json.get(field).toString()),
            "data-field", field);
      }
    }
    if (json.has("source")) {
      h.element("dt", "source").element("dd", compact(json.get("source")), "data-field", "source");
    }
    if (json.has("upstream")) {
      h.element("dt", "upstream request").element("dd", compact(json.get("upstream")), "data-field", "upstream");
    }
    h.close("dl");
    rateLimits(h, json.path("rateLimits"), client);
    extAuth(h, s, decision.route());
    if (json.has("trace")) {
      h.heading(3, "Why", null).open("ol");
      json.get("trace").forEach(t -> h.element("li", t.asString(t.toString())));
      h.close("ol");
    }
    h.open("details").element("summary", "The whole decision as JSON")
        .element("pre", json.toPrettyString()).close("details");
    h.close("section");
  }

  private static void rateLimits(Html h, JsonNode rateLimits, String client) {
    if (rateLimits.isEmpty()) {
      return;
    }
    String filled = rateLimits.toString();
    if (!client.isBlank()) {
      filled = filled.replace(CLIENT_PLACEHOLDER, client.trim());
    }
    h.heading(3, "Rate-limit descriptors", null).element("pre",
        TranslationJson.mapper().readTree(filled).toPrettyString(), "data-field", "rateLimits");
  }

  /** The chosen route's (and its virtual host's) ext_authz settings: which auth config applies, or disabled. */
  private static void extAuth(Html h, PublishedSnapshot s, String routeName) {
    if (routeName == null) {
      return;
    }
    for (RouteConfiguration rc : s.resources().routes()) {
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        for (Route r : vh.getRoutesList()) {
          if (!r.getName().equals(routeName)) {
            continue;
          }
          boolean any = false;
          for (var configs : List.of(vh.getTypedPerFilterConfigMap(), r.getTypedPerFilterConfigMap())) {
            for (Map.Entry<String, com.google.protobuf.Any> e : configs.entrySet()) {
              if (e.getKey().contains("ext_authz")) {
                if (!any) {
                  h.heading(3, "Ext-auth", null);
                  any = true;
                }
                h.element("p", (configs == r.getTypedPerFilterConfigMap() ? "route" : "virtual host") + " "
                    + e.getKey() + ":").element("pre", TranslationJson.message(e.getValue()).toPrettyString(),
                    "data-field", "extAuth");
              }
            }
          }
          return;
        }
      }
    }
  }

  private static String compact(JsonNode node) {
    return node.toString();
  }
}
