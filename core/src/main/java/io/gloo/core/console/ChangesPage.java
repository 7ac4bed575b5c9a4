package io.gloo.core.console;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.core.evaluate.QueryString;
import io.gloo.core.server.GlooServer;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.translate.XdsResources;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last published versions of a Gateway ({@link SnapshotHistory}) and what changed between two of them:
 * listeners, clusters and routes (named {@code route configuration / virtual host / route}) added, removed or
 * changed. Names only: the content is on the Routes page and in {@code /snapshots}.
 */
final class ChangesPage {

  private final GlooServer server;
  private final SnapshotHistory history;

  ChangesPage(GlooServer server, SnapshotHistory history) {
    this.server = server;
    this.history = history;
  }

  Html render(QueryString query) {
    Html h = new Html();
    Optional<PublishedSnapshot> picked = ServedGateways.pick(server, query.first("gateway"));
    h.open("form", "method", "get", "action", "/ui/changes");
    ServedGateways.select(h, server, picked.orElse(null));
    h.raw(" <button type=\"submit\">Show</button>").close("form");
    if (picked.isEmpty()) {
      h.element("p", "No Gateway is served yet.");
      return h;
    }
    String id = ServedGateways.id(picked.get().gateway());
    List<PublishedSnapshot> versions = history.of(picked.get().gateway());
    h.open("table").element("caption", "Last " + versions.size() + " published versions (newest last)")
        .headerRow("#", "Published", "Versions", "Diff");
    h.open("tbody");
    for (int i = 0; i < versions.size(); i++) {
      PublishedSnapshot s = versions.get(i);
      StringBuilder v = new StringBuilder();
      s.versions().forEach((type, version) -> v.append(XdsTypes.shortName(type)).append(' ').append(version)
          .append("  "));
      h.open("tr").element("th", Integer.toString(i), "scope", "row").cell(s.publishedAt()).cell(v).open("td");
      if (i > 0) {
        h.link("/ui/changes?gateway=" + Html.url(id) + "&from=" + (i - 1) + "&to=" + i, "against #" + (i - 1));
      }
      h.close("td").close("tr");
    }
    h.close("tbody").close("table");
    if (versions.size() < 2) {
      h.element("p", "Only one version published since the console started: nothing to compare yet.");
      return h;
    }
    int to = index(query.first("to"), versions.size() - 1, versions.size());
    int from = index(query.first("from"), to - 1, versions.size());
    diff(h, from, versions.get(from).resources(), to, versions.get(to).resources());
    return h;
  }

  private static int index(String value, int fallback, int size) {
    try {
      int i = value == null ? fallback : Integer.parseInt(value);
      return Math.max(0, Math.min(size - 1, i));
    } catch (NumberFormatException e) {
      return Math.max(0, fallback);
    }
  }

  private static void diff(Html h, int from, XdsResources a, int to, XdsResources b) {
    h.open("section", "aria-labelledby", "diff", "id", "diff-result")
        .heading(2, "Changes from #" + from + " to #" + to, "diff");
    int n = kind(h, "Listeners", byName(a.listeners()), byName(b.listeners()))
        + kind(h, "Clusters", byName(a.clusters()), byName(b.clusters()))
        + kind(h, "Routes", routes(a), routes(b));
    if (n == 0) {
      h.element("p", "No listener, cluster or route changed (endpoints or secrets may have).");
    }
    h.close("section");
  }

  private static int kind(Html h, String title, Map<String, Message> before, Map<String, Message> after) {
    int n = 0;
    Html list = new Html();
    for (Map.Entry<String, Message> e : after.entrySet()) {
      Message old = before.get(e.getKey());
      if (old == null) {
        list.open("li", "class", "added").badge("added", Html.Tone.OK).text(" " + e.getKey()).close("li");
        n++;
      } else if (!old.equals(e.getValue())) {
        list.open("li", "class", "changed").badge("changed", Html.Tone.WARN).text(" " + e.getKey()).close("li");
        n++;
      }
    }
    for (String name : before.keySet()) {
      if (!after.containsKey(name)) {
        list.open("li", "class", "removed").badge("removed", Html.Tone.BAD).text(" " + name).close("li");
        n++;
      }
    }
    if (n > 0) {
      h.heading(3, title, null).open("ul").raw(list.toString()).close("ul");
    }
    return n;
  }

  private static Map<String, Message> byName(List<? extends Message> messages) {
    Map<String, Message> result = new LinkedHashMap<>();
    for (Message m : messages) {
      String name = m instanceof Listener l ? l.getName() : m instanceof Cluster c ? c.getName() : m.toString();
      result.put(name, m);
    }
    return result;
  }

  private static Map<String, Message> routes(XdsResources x) {
    Map<String, Message> result = new LinkedHashMap<>();
    for (RouteConfiguration rc : x.routes()) {
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        int i = 0;
        for (Route r : vh.getRoutesList()) {
          String name = r.getName().isEmpty() ? "#" + i : r.getName();
          result.put(rc.getName() + " / " + vh.getName() + " / " + name, r);
          i++;
        }
      }
    }
    return result;
  }
}
