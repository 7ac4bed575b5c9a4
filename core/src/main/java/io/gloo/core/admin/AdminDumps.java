package io.gloo.core.admin;

import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.core.evaluate.QueryString;
import io.gloo.core.evaluate.RouteEvaluator;
import io.gloo.core.evaluate.TestRequest;
import io.gloo.core.plugin.PluginListing;
import io.gloo.core.plugin.PluginManager;
import io.gloo.core.plugin.PluginProblem;
import io.gloo.core.report.Reporter;
import io.gloo.core.server.GlooServer;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.SourceProblem;
import io.gloo.core.translate.TranslationJson;
import io.gloo.core.xds.ProxyStatus;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The admin endpoints that show the topology: {@code /snapshots} (the xDS served per Gateway, as Envoy JSON),
 * {@code /statuses} (the status of every processed resource, source problems such as malformed files, and the
 * ACK/NACK state of every connected proxy), {@code /route-check} (what the served config does with one request),
 * {@code /plugins} (the plugins loaded and failed) and {@code /plugins/<id>/<view>} (views plugins register). Read-only; secrets are never rendered (only their names).
 * {@link AdminAccess} decides who gets them. Stateless: reads the server's current state on each call.
 */
@ThreadSafe
final class AdminDumps {

  private final GlooServer server;

  AdminDumps(GlooServer server) {
    this.server = server;
  }

  /**
   * {@code /plugins}: what the server has loaded ({@link PluginListing}: every archive with its state, kinds, claimed
   * fields, views and load failures) plus {@code views}, every view's path; {@code /plugins/<id>/<name>}: one view's
   * JSON.
   */
  AdminResponse pluginView(String path) {
    PluginManager plugins = server.pluginManager();
    String[] parts = path.replaceAll("/+$", "").split("/");
    if (plugins == null) {
      return AdminResponse.text(404, "no plugins\n");
    }
    if (parts.length == 2) {
      ObjectNode listing = PluginListing.json(plugins);
      ArrayNode names = listing.putArray("views");
      plugins.adminViews().names().forEach(n -> names.add("/plugins/" + n));
      return AdminResponse.json(listing);
    }
    if (parts.length != 4) {
      return AdminResponse.text(404, "use /plugins/<plugin id>/<view>\n");
    }
    Optional<String> json;
    try {
      json = plugins.adminViews().render(parts[2], parts[3]);
    } catch (RuntimeException e) {
      return AdminResponse.text(500, "the view failed: " + e.getClass().getSimpleName() + "\n");
    }
    return json.map(j -> new AdminResponse(200, "application/json", j))
        .orElseGet(() -> AdminResponse.text(404, "no view " + parts[3] + " of plugin " + parts[2] + "\n"));
  }

  AdminResponse snapshots() {
    ObjectNode root = AdminResponse.mapper().createObjectNode();
    for (Map.Entry<ResourceKey, PublishedSnapshot> e : server.publisher().current().entrySet()) {
      PublishedSnapshot s = e.getValue();
      ObjectNode node = root.putObject(e.getKey().namespacedName());
      node.put("nodeGroup", s.group());
      node.put("removed", s.removed());
      node.put("publishedAt", s.publishedAt().toString());
      ObjectNode versions = node.putObject("versions");
      s.versions().forEach(versions::put);
      node.set("resources", TranslationJson.xds(s.resources()));
    }
    return AdminResponse.json(root);
  }

  AdminResponse statuses() {
    Reporter reporter = server.reporter();
    ObjectNode root = AdminResponse.mapper().createObjectNode();
    if (server.source() instanceof io.gloo.core.watch.DirectorySource directory) {
      root.put("configDir", directory.directory().toString()); // so that `gloo status` can tell whose server it is
    }
    root.set("statuses", TranslationJson.statuses(reporter.statuses()));
    ArrayNode problems = root.putArray("sourceProblems");
    for (SourceProblem p : reporter.sourceProblems()) {
      ObjectNode n = problems.addObject();
      n.put("file", p.source());
      n.put("line", p.line());
      n.put("column", p.column());
      n.put("message", p.message());
    }
    pluginCircuits(root.putArray("pluginCircuits"));
    ArrayNode pluginProblems = root.putArray("pluginProblems");
    if (server.pluginManager() != null) {
      for (PluginProblem p : server.pluginManager().problems()) {
        ObjectNode n = pluginProblems.addObject();
        n.put("plugin", p.plugin());
        n.put("version", p.version());
        n.put("archive", p.archive().getFileName().toString());
        n.put("reason", p.reason());
        if (p.serving() != null) {
          n.put("serving", p.serving());
        }
        n.put("message", p.describe());
      }
    }
    ArrayNode proxies = root.putArray("proxies");
    for (ProxyStatus p : server.tracker().proxies()) {
      ObjectNode n = proxies.addObject();
      n.put("nodeId", p.nodeId());
      n.put("group", p.group());
      n.put("streams", p.streams());
      ObjectNode types = n.putObject("types");
      p.types().forEach((type, t) -> {
        ObjectNode tn = types.putObject(type);
        tn.put("ackedVersion", t.ackedVersion());
        t.activeNack().ifPresent(nack -> tn.putObject("nack")
            .put("version", nack.rejectedVersion()).put("message", nack.message()).put("at", nack.at().toString()));
      });
    }
    return AdminResponse.json(root);
  }

  /** Each called plugin's circuit breaker: closed, open or half-open, why, and the threads it holds. */
  private void pluginCircuits(ArrayNode circuits) {
    for (io.gloo.core.translate.policy.PluginBreaker.View b : server.invoker().breakers()) {
      ObjectNode n = circuits.addObject();
      n.put("plugin", b.pluginId());
      n.put("state", b.state());
      n.put("recentTimeouts", b.recentTimeouts());
      n.put("threadsHeld", b.threadsHeld());
      if (b.openUntil() != null) {
        n.put("openUntil", b.openUntil().toString());
      }
      if (b.reason() != null) {
        n.put("reason", b.reason());
      }
    }
  }

  /**
   * What the served config does with one request, as Envoy would route it:
   * {@code /route-check?gateway=NS/NAME&request=GET%20http://host:8080/path&header=Name:%20value&random=N}
   * ({@code gateway} may be left out when one Gateway is served; {@code header} may repeat).
   */
  AdminResponse routeCheck(String rawQuery) {
    QueryString query = QueryString.parse(rawQuery);
    Map<ResourceKey, PublishedSnapshot> served = server.publisher().current();
    String gateway = query.first("gateway");
    PublishedSnapshot snapshot = null;
    if (gateway != null) {
      snapshot = served.entrySet().stream().filter(e -> e.getKey().namespacedName().equals(gateway))
          .map(Map.Entry::getValue).findFirst().orElse(null);
    } else if (served.size() == 1) {
      snapshot = served.values().iterator().next();
    }
    if (snapshot == null) {
      return AdminResponse.text(400, (gateway == null ? "name one of the served Gateways with gateway=NS/NAME: "
          : "no snapshot for Gateway " + gateway + "; served: ") + served.keySet() + "\n");
    }
    try {
      String random = query.first("random");
      TestRequest request = TestRequest.parse(query.first("request"), query.all("header"),
          random == null ? 0 : Integer.parseInt(random), query.first("sni"));
      return AdminResponse.json(RouteEvaluator.evaluate(snapshot.resources(), request).toJson());
    } catch (IllegalArgumentException e) {
      return AdminResponse.text(400, e.getMessage() + "\n");
    }
  }
}
