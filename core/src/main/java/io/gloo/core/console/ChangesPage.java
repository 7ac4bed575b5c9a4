package io.gloo.core.console;

import io.gloo.core.evaluate.QueryString;
import io.gloo.core.server.GlooServer;
import io.gloo.core.snapshot.PublishedSnapshot;
import java.util.List;
import java.util.Optional;

/**
 * The last published versions of a Gateway ({@link SnapshotHistory}) and what each changed against the one before:
 * listeners, clusters and routes (named {@code route configuration / virtual host / route}) added, removed or
 * changed. Names only (the first {@value SnapshotHistory#MAX_NAMES} per kind): the content is on the Routes page and
 * in {@code /snapshots}.
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
    List<SnapshotHistory.Version> versions = history.of(picked.get().gateway());
    h.open("table").element("caption", "Last " + versions.size() + " published versions (newest last)")
        .headerRow("#", "Published", "Versions", "Diff");
    h.open("tbody");
    for (int i = 0; i < versions.size(); i++) {
      SnapshotHistory.Version s = versions.get(i);
      StringBuilder v = new StringBuilder();
      s.versions().forEach((type, version) -> v.append(XdsTypes.shortName(type)).append(' ').append(version)
          .append("  "));
      h.open("tr").element("th", Integer.toString(i), "scope", "row").cell(s.publishedAt()).cell(v).open("td");
      if (i > 0) {
        h.link("/ui/changes?gateway=" + Html.url(id) + "&to=" + i, "against #" + (i - 1));
      }
      h.close("td").close("tr");
    }
    h.close("tbody").close("table");
    int to = index(query.first("to"), versions.size() - 1, versions.size());
    if (versions.size() < 2 || versions.get(to).changes() == null) {
      h.element("p", "Only one version published since the console started: nothing to compare yet.");
      return h;
    }
    to = Math.max(1, to);
    diff(h, to, versions.get(to).changes());
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

  private static void diff(Html h, int to, List<SnapshotHistory.KindChanges> changes) {
    h.open("section", "aria-labelledby", "diff", "id", "diff-result")
        .heading(2, "Changes from #" + (to - 1) + " to #" + to, "diff");
    int n = 0;
    for (SnapshotHistory.KindChanges kind : changes) {
      if (kind.total() == 0) {
        continue;
      }
      n += kind.total();
      h.heading(3, kind.kind(), null).open("ul");
      for (SnapshotHistory.Change c : kind.listed()) {
        h.open("li", "class", c.what()).badge(c.what(), switch (c.what()) {
          case "added" -> Html.Tone.OK;
          case "changed" -> Html.Tone.WARN;
          default -> Html.Tone.BAD;
        }).text(" " + c.name()).close("li");
      }
      if (kind.total() > kind.listed().size()) {
        h.element("li", "… and " + (kind.total() - kind.listed().size()) + " more");
      }
      h.close("ul");
    }
    if (n == 0) {
      h.element("p", "No listener, cluster or route changed (endpoints or secrets may have).");
    }
    h.close("section");
  }
}
