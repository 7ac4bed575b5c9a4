package io.gloo.core.translate.edge;

import io.gloo.core.ir.RouteActionIR;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A Gloo Edge route's simple action → IR: {@code routeAction} ({@code single}, {@code multi}, {@code upstreamGroup}),
 * {@code redirectAction} or {@code directResponseAction}. Problems are the route's: an error drops the route (Gloo's
 * behaviour), a warning (a destination that does not resolve) keeps it.
 */
final class EdgeActions {

  /** The action, or null with an error; warnings either way. */
  record Action(RouteActionIR action, String error, List<String> warnings) {}

  private final EdgeDestinations destinations;

  EdgeActions(EdgeDestinations destinations) {
    this.destinations = destinations;
  }

  Action of(JsonNode route, String namespace) {
    if (EdgeApi.present(route, "routeAction")) {
      return forward(route.get("routeAction"), namespace);
    }
    if (EdgeApi.present(route, "redirectAction")) {
      return redirect(route.get("redirectAction"));
    }
    if (EdgeApi.present(route, "directResponseAction")) {
      JsonNode d = route.get("directResponseAction");
      int status = d.path("status").asInt(0);
      if (status < 200 || status > 599) {
        return new Action(null, "directResponseAction.status " + status + " is not an HTTP status (200-599)",
            List.of());
      }
      return new Action(new RouteActionIR.DirectResponse(status, EdgeApi.str(d, "body")), null, List.of());
    }
    if (EdgeApi.present(route, "graphqlApiRef")) {
      return new Action(null, "graphqlApiRef is not supported", List.of());
    }
    return new Action(null, "invalid route: route must specify an action", List.of());
  }

  private Action forward(JsonNode action, String namespace) {
    EdgeDestinations.Resolved resolved;
    if (EdgeApi.present(action, "single")) {
      resolved = destinations.single(action.get("single"), namespace);
    } else if (EdgeApi.present(action, "multi")) {
      resolved = destinations.multi(action.get("multi"), namespace);
    } else if (EdgeApi.present(action, "upstreamGroup")) {
      resolved = destinations.single(action, namespace);
    } else {
      List<String> fields = new java.util.ArrayList<>();
      action.properties().forEach(e -> fields.add(e.getKey()));
      return new Action(null, "routeAction " + fields + " is not supported (single, multi and upstreamGroup are)",
          List.of());
    }
    if (resolved.error() != null) {
      return new Action(null, "routeAction: " + resolved.error(), resolved.warnings());
    }
    return new Action(new RouteActionIR.Forward(resolved.backends(), null), null, resolved.warnings());
  }

  private static Action redirect(JsonNode r) {
    List<String> warnings = new java.util.ArrayList<>();
    if (r.path("stripQuery").asBoolean(false)) {
      warnings.add("redirectAction.stripQuery is not supported and is ignored");
    }
    String path = EdgeApi.str(r, "pathRedirect");
    String prefix = EdgeApi.str(r, "prefixRewrite");
    if (path != null && prefix != null) {
      return new Action(null, "redirectAction: pathRedirect and prefixRewrite are exclusive", warnings);
    }
    Integer port = r.path("portRedirect").isNumber() ? r.get("portRedirect").asInt() : null;
    String scheme = r.path("httpsRedirect").asBoolean(false) ? "https" : null;
    return new Action(new RouteActionIR.Redirect(scheme, EdgeApi.str(r, "hostRedirect"), port, path, prefix,
        responseCode(r.get("responseCode"))), null, warnings);
  }

  /** Gloo's RedirectResponseCode: by name or number (MOVED_PERMANENTLY = 0 → 301, the default). */
  private static int responseCode(JsonNode code) {
    if (code == null || code.isNull()) {
      return 301;
    }
    String c = code.asString();
    return switch (c) {
      case "FOUND", "1" -> 302;
      case "SEE_OTHER", "2" -> 303;
      case "TEMPORARY_REDIRECT", "3" -> 307;
      case "PERMANENT_REDIRECT", "4" -> 308;
      default -> 301;
    };
  }
}
