package io.gloo.core.console;

import io.gloo.core.evaluate.QueryString;
import io.gloo.core.server.GlooServer;
import io.gloo.core.snapshot.SnapshotError;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.SourceProblem;
import io.gloo.core.translate.TranslationJson;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Everything wrong, in one list: resources whose status has a condition that is not healthy (or a Gloo state that
 * is not Accepted), files that could not be read or parsed, snapshots held back, plugins that failed to load.
 * Filtered by a plain GET form ({@code ?q=text}), so it works without JavaScript.
 */
final class ProblemsPage {

  private final GlooServer server;

  ProblemsPage(GlooServer server) {
    this.server = server;
  }

  Html render(QueryString query) {
    Html h = new Html();
    String q = query.first("q", "").trim();
    h.open("form", "method", "get", "action", "/ui/problems", "role", "search")
        .element("label", "Filter", "for", "q")
        .open("input", "id", "q", "name", "q", "value", q, "type", "search")
        .raw(" <button type=\"submit\">Filter</button>").close("form");
    int shown = resources(h, q) + files(h, q) + snapshots(h, q) + plugins(h, q);
    h.element("p", shown == 0 ? (q.isEmpty() ? "No problems." : "No problem matches \"" + q + "\".")
        : shown + " problem(s)" + (q.isEmpty() ? "." : " matching \"" + q + "\"."), "id", "problem-count");
    return h;
  }

  private int resources(Html h, String q) {
    int n = 0;
    for (Map.Entry<String, JsonNode> e : TranslationJson.statuses(server.reporter().statuses()).properties()) {
      for (StatusView.Problem p : StatusView.problems(e.getValue())) {
        String text = e.getKey() + " " + p.where() + " " + p.condition() + " " + p.reason() + " " + p.message();
        if (!matches(text, q)) {
          continue;
        }
        if (n++ == 0) {
          h.open("table").element("caption", "Resources").headerRow("Resource", "Where", "Condition", "Reason",
              "Message");
          h.open("tbody");
        }
        h.open("tr", "class", "problem").open("th", "scope", "row")
            .link("/ui/resource?key=" + Html.url(e.getKey()), e.getKey()).close("th")
            .cell(p.where()).open("td").badge(p.condition(), p.tone()).close("td").cell(p.reason())
            .cell(p.message()).close("tr");
      }
    }
    if (n > 0) {
      h.close("tbody").close("table");
    }
    return n;
  }

  private int files(Html h, String q) {
    int n = 0;
    for (SourceProblem p : server.reporter().sourceProblems()) {
      if (!matches(p.source() + " " + p.message(), q)) {
        continue;
      }
      if (n++ == 0) {
        h.open("table").element("caption", "Input files").headerRow("File", "Line", "Problem");
        h.open("tbody");
      }
      h.open("tr", "class", "problem").element("th", p.source(), "scope", "row")
          .cell(p.line() > 0 ? p.line() + ":" + p.column() : "").cell(p.message()).close("tr");
    }
    if (n > 0) {
      h.close("tbody").close("table");
    }
    return n;
  }

  private int snapshots(Html h, String q) {
    int n = 0;
    for (Map.Entry<ResourceKey, SnapshotError> e : server.publisher().errors().entrySet()) {
      String text = e.getKey() + " snapshot not published: " + e.getValue().message();
      if (!matches(text, q)) {
        continue;
      }
      if (n++ == 0) {
        h.heading(2, "Snapshots held back (the last good one keeps serving)", "held").open("ul");
      }
      h.element("li", text, "class", "problem");
    }
    if (n > 0) {
      h.close("ul");
    }
    return n;
  }

  private int plugins(Html h, String q) {
    if (server.pluginManager() == null) {
      return 0;
    }
    int n = 0;
    for (var p : server.pluginManager().problems()) {
      if (!matches(p.describe(), q)) {
        continue;
      }
      if (n++ == 0) {
        h.heading(2, "Plugins", "plugins").open("ul");
      }
      h.element("li", p.describe(), "class", "problem");
    }
    if (n > 0) {
      h.close("ul");
    }
    return n;
  }

  private static boolean matches(String text, String q) {
    return q.isEmpty() || text.toLowerCase(Locale.ROOT).contains(q.toLowerCase(Locale.ROOT));
  }
}
