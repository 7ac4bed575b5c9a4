package io.gloo.core.console;

import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.gloo.core.server.GlooServer;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.TranslationJson;
import io.gloo.core.xds.Nack;
import io.gloo.core.xds.ProxyStatus;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every served Gateway (both APIs): listeners, attached routes, conditions, the versions published, and each
 * connected proxy's ACK/NACK per xDS type, a NACK traced to the resources it names.
 */
final class OverviewPage {

  private final GlooServer server;

  OverviewPage(GlooServer server) {
    this.server = server;
  }

  Html render() {
    Html h = new Html();
    String notReady = server.notReadyReason();
    h.open("p").text(notReady == null ? "Ready: " + server.source().describe() : "Not ready: " + notReady)
        .close("p");
    ObjectNode statuses = TranslationJson.statuses(server.reporter().statuses());
    var served = ServedGateways.all(server);
    if (served.isEmpty()) {
      h.element("p", "No Gateway is served yet. See the Problems page for what was rejected.");
    }
    for (PublishedSnapshot s : served) {
      gateway(h, s, statuses.path(s.gateway().toString()));
    }
    notServed(h, statuses, served);
    return h;
  }

  private void gateway(Html h, PublishedSnapshot s, JsonNode status) {
    ResourceKey key = s.gateway();
    String id = ServedGateways.id(key);
    h.open("section", "aria-labelledby", "gw-" + id).heading(2, ServedGateways.label(key), "gw-" + id);
    h.open("p").link("/ui/routes?gateway=" + Html.url(id), "Routes")
        .text(" · ").link("/ui/try?gateway=" + Html.url(id), "Try a request")
        .text(" · ").link("/ui/changes?gateway=" + Html.url(id), "Changes").close("p");
    h.open("dl").element("dt", "Node group").element("dd", s.group())
        .element("dt", "Published").element("dd", s.publishedAt().toString())
        .element("dt", "Versions").open("dd");
    s.versions().forEach((type, version) -> h.text(XdsTypes.shortName(type) + " " + version + "  "));
    h.close("dd");
    if (!status.isMissingNode()) {
      Html.Tone tone = StatusView.tone(status);
      h.element("dt", "Status").open("dd").badge(StatusView.word(tone), tone);
      for (StatusView.Problem p : StatusView.problems(status)) {
        h.text(" " + (p.where().isEmpty() ? "" : p.where() + ": ") + p.condition() + " " + p.reason() + " — "
            + p.message() + ";");
      }
      h.close("dd");
    }
    h.close("dl");
    listeners(h, s, status, listenerPorts(key));
    proxies(h, s);
    h.close("section");
  }

  /** The Gateway's listeners by name to port, from its spec (empty for an Edge proxy). */
  private Map<String, Integer> listenerPorts(ResourceKey gateway) {
    Map<String, Integer> ports = new java.util.HashMap<>();
    ResourcePage.find(server, gateway.toString()).map(ResourcePage::spec).ifPresent(spec -> spec.path("listeners")
        .forEach(l -> ports.put(l.path("name").asString(""), l.path("port").asInt(-1))));
    return ports;
  }

  private static void listeners(Html h, PublishedSnapshot s, JsonNode status, Map<String, Integer> ports) {
    h.open("table").element("caption", "Listeners").headerRow("Listener", "Address", "Filter chains",
        "Attached routes");
    h.open("tbody");
    for (Listener l : s.resources().listeners()) {
      SocketAddress a = l.getAddress().getSocketAddress();
      h.open("tr").element("th", l.getName(), "scope", "row").cell(a.getAddress() + ":" + a.getPortValue())
          .cell(l.getFilterChainsCount()).cell(attachedRoutes(status, ports, a.getPortValue())).close("tr");
    }
    h.close("tbody").close("table");
    if (status.has("listeners")) {
      h.open("p").text("Gateway listeners: ");
      for (JsonNode l : status.path("listeners")) {
        h.text(l.path("name").asString("") + " (" + l.path("attachedRoutes").asInt(0) + " routes attached) ");
      }
      h.close("p");
    }
  }

  /** The routes attached to the Gateway listeners on {@code port} (Envoy serves one listener per port). */
  private static String attachedRoutes(JsonNode status, Map<String, Integer> ports, int port) {
    int total = 0;
    boolean any = false;
    for (JsonNode l : status.path("listeners")) {
      Integer p = ports.get(l.path("name").asString(""));
      if (p != null && p == port) {
        total += l.path("attachedRoutes").asInt(0);
        any = true;
      }
    }
    return any ? Integer.toString(total) : "";
  }

  private void proxies(Html h, PublishedSnapshot s) {
    var proxies = server.tracker().proxies().stream().filter(p -> p.group().equals(s.group())).toList();
    if (proxies.isEmpty()) {
      h.element("p", "No proxy connected.");
      return;
    }
    h.open("table").element("caption", "Connected proxies").headerRow("Node", "Streams", "xDS type",
        "ACKed version", "NACK");
    h.open("tbody");
    for (ProxyStatus p : proxies) {
      boolean first = true;
      for (Map.Entry<String, ProxyStatus.TypeStatus> t : p.types().entrySet()) {
        h.open("tr");
        if (first) {
          h.open("th", "scope", "row", "rowspan", Integer.toString(p.types().size())).text(p.nodeId()).close("th")
              .open("td", "rowspan", Integer.toString(p.types().size())).text(p.streams()).close("td");
          first = false;
        }
        h.cell(XdsTypes.shortName(t.getKey())).cell(t.getValue().ackedVersion());
        h.open("td");
        var nack = t.getValue().activeNack();
        if (nack.isPresent()) {
          nack(h, s, nack.get());
        } else {
          h.badge("ACK", Html.Tone.OK);
        }
        h.close("td").close("tr");
      }
      if (p.types().isEmpty()) {
        h.open("tr").element("th", p.nodeId(), "scope", "row").cell(p.streams()).cell("").cell("").cell("")
            .close("tr");
      }
    }
    h.close("tbody").close("table");
  }

  private static void nack(Html h, PublishedSnapshot s, Nack nack) {
    h.badge("NACK", Html.Tone.BAD).text(" version " + nack.rejectedVersion() + ": " + nack.message());
    Set<String> sources = NackTrace.sources(s.gateway(), s.resources(), nack.message());
    if (!sources.isEmpty()) {
      h.open("br").text("Caused by: " + String.join("; ", sources));
    }
  }

  /** Gateways with a status and no snapshot: rejected before anything could be served. */
  private static void notServed(Html h, ObjectNode statuses, java.util.List<PublishedSnapshot> served) {
    Set<String> servedKeys = new java.util.HashSet<>();
    served.forEach(s -> servedKeys.add(s.gateway().toString()));
    boolean header = false;
    for (Map.Entry<String, JsonNode> e : statuses.properties()) {
      boolean gateway = e.getKey().startsWith("Gateway/"); // Edge Gateways are served through their proxies
      if (!gateway || servedKeys.contains(e.getKey())) {
        continue;
      }
      if (!header) {
        h.heading(2, "Gateways without a served snapshot", "not-served").open("ul");
        header = true;
      }
      Html.Tone tone = StatusView.tone(e.getValue());
      h.open("li").link("/ui/resource?key=" + Html.url(e.getKey()), e.getKey()).text(" ")
          .badge(StatusView.word(tone), tone).close("li");
    }
    if (header) {
      h.close("ul");
    }
  }
}
