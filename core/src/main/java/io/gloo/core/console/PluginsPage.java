package io.gloo.core.console;

import io.gloo.core.plugin.PluginListing;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.server.GlooServer;
import io.gloo.core.translate.policy.PluginBreaker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The plugins loaded (versions, kinds, claimed fields, state, views), their load failures and circuit breakers. */
final class PluginsPage {

  private final GlooServer server;

  PluginsPage(GlooServer server) {
    this.server = server;
  }

  Html render() {
    Html h = new Html();
    PluginManager manager = server.pluginManager();
    if (manager == null) {
      h.element("p", "No plugins directory is configured: only the Gateway API core is served.");
      return h;
    }
    ObjectNode listing = PluginListing.json(manager);
    h.element("p", "Plugins directory " + listing.path("dir").asString("") + " (" + listing.path("mode").asString("")
        + " mode).");
    h.open("table").element("caption", "Plugins")
        .headerRow("Plugin", "Version", "State", "Requires SPI", "Kinds", "Claimed fields", "Views");
    h.open("tbody");
    for (JsonNode p : listing.path("plugins")) {
      String state = p.path("state").asString("");
      h.open("tr").element("th", p.path("id").asString(""), "scope", "row").cell(p.path("version").asString(""))
          .open("td").badge(state, Html.Tone.ofState(state));
      if (p.has("reason")) {
        h.text(" " + p.path("reason").asString(""));
      }
      if (p.has("replacementFailed")) {
        h.text(" (version " + p.path("replacementFailed").path("version").asString("") + " failed to load: "
            + p.path("replacementFailed").path("reason").asString("") + "; this one keeps serving)");
      }
      h.close("td").cell(p.path("requires").asString(""));
      StringBuilder kinds = new StringBuilder();
      p.path("kinds").forEach(k -> kinds.append(kinds.length() == 0 ? "" : ", ").append(k.path("kind").asString(""))
          .append(" (").append(k.path("apiVersion").asString("")).append(')'));
      StringBuilder fields = new StringBuilder();
      p.path("fields").forEach(f -> fields.append(fields.length() == 0 ? "" : ", ").append(f.path("kind")
          .asString("")).append(": ").append(f.path("fields").toString()));
      h.cell(kinds).cell(fields).open("td");
      for (JsonNode v : p.path("views")) {
        h.link(v.asString(""), v.asString("")).text(" ");
      }
      h.close("td").close("tr");
    }
    h.close("tbody").close("table");
    if (!listing.path("problems").isEmpty()) {
      h.heading(2, "Load failures", "failures").open("ul");
      listing.path("problems").forEach(p -> h.element("li", p.asString(""), "class", "problem"));
      h.close("ul");
    }
    var breakers = server.invoker().breakers();
    if (!breakers.isEmpty()) {
      h.open("table").element("caption", "Circuit breakers of plugin calls")
          .headerRow("Plugin", "State", "Recent timeouts", "Threads held", "Why");
      h.open("tbody");
      for (PluginBreaker.View b : breakers) {
        h.open("tr").element("th", b.pluginId(), "scope", "row").open("td").badge(b.state(),
            Html.Tone.ofState(b.state())).close("td").cell(b.recentTimeouts()).cell(b.threadsHeld())
            .cell(b.reason()).close("tr");
      }
      h.close("tbody").close("table");
    }
    return h;
  }
}
