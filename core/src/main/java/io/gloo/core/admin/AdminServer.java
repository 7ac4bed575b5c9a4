package io.gloo.core.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gloo.core.evaluate.RouteEvaluator;
import io.gloo.core.evaluate.TestRequest;
import io.gloo.core.report.Reporter;
import io.gloo.core.server.GlooServer;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.SourceProblem;
import io.gloo.core.translate.TranslationJson;
import io.gloo.core.xds.ProxyStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The admin HTTP API (default port 9091): {@code /healthz}, {@code /readyz}, {@code /metrics} (Prometheus),
 * {@code /snapshots} (the xDS served per Gateway, as Envoy JSON), {@code /statuses} (the status of every processed
 * resource, source problems such as malformed files, and the ACK/NACK state of every connected proxy) and
 * {@code /route-check} (what the served config does with one request, evaluated as Envoy routes) and
 * {@code /plugins/<id>/<view>} (views plugins register, e.g. the rate-limit service's recent limit decisions).
 * Read-only; secrets are never rendered (only their names).
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private final HttpServer http;
  private final ExecutorService executor;
  private final GlooServer server;

  private AdminServer(HttpServer http, ExecutorService executor, GlooServer server) {
    this.http = http;
    this.executor = executor;
    this.server = server;
  }

  public static AdminServer start(InetSocketAddress address, GlooServer server) throws IOException {
    HttpServer http = HttpServer.create(address, 0);
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "gloo-admin");
      t.setDaemon(true);
      return t;
    });
    AdminServer admin = new AdminServer(http, executor, server);
    http.createContext("/healthz", ex -> admin.respond(ex, 200, "text/plain", "ok\n"));
    http.createContext("/readyz", admin::readyz);
    http.createContext("/metrics", ex -> admin.respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
        server.metrics().scrape()));
    http.createContext("/snapshots", admin::snapshots);
    http.createContext("/statuses", admin::statuses);
    http.createContext("/route-check", admin::routeCheck);
    http.createContext("/plugins", admin::pluginView);
    http.setExecutor(executor);
    http.start();
    return admin;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  /** {@code /plugins}: the plugins' views; {@code /plugins/<id>/<name>}: one view's JSON. */
  private void pluginView(HttpExchange ex) throws IOException {
    io.gloo.core.plugin.PluginManager plugins = server.pluginManager();
    String[] parts = ex.getRequestURI().getPath().replaceAll("/+$", "").split("/");
    if (plugins == null) {
      respond(ex, 404, "text/plain", "no plugins\n");
    } else if (parts.length == 2) {
      ArrayNode names = JSON.createArrayNode();
      plugins.adminViews().names().forEach(n -> names.add("/plugins/" + n));
      respondJson(ex, names);
    } else if (parts.length != 4) {
      respond(ex, 404, "text/plain", "use /plugins/<plugin id>/<view>\n");
    } else {
      java.util.Optional<String> json;
      try {
        json = plugins.adminViews().render(parts[2], parts[3]);
      } catch (RuntimeException e) {
        respond(ex, 500, "text/plain", "the view failed: " + e.getClass().getSimpleName() + "\n");
        return;
      }
      if (json.isEmpty()) {
        respond(ex, 404, "text/plain", "no view " + parts[3] + " of plugin " + parts[2] + "\n");
      } else {
        respond(ex, 200, "application/json", json.get());
      }
    }
  }

  private void readyz(HttpExchange ex) throws IOException {
    String reason = server.notReadyReason();
    if (reason == null) {
      respond(ex, 200, "text/plain", "ready: " + server.source().describe() + ", "
          + server.publisher().current().size() + " gateway snapshot(s)\n");
    } else {
      respond(ex, 503, "text/plain", "not ready: " + reason + "\n");
    }
  }

  private void snapshots(HttpExchange ex) throws IOException {
    ObjectNode root = JSON.createObjectNode();
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
    respondJson(ex, root);
  }

  private void statuses(HttpExchange ex) throws IOException {
    Reporter reporter = server.reporter();
    ObjectNode root = JSON.createObjectNode();
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
    respondJson(ex, root);
  }

  /**
   * What the served config does with one request, as Envoy would route it:
   * {@code /route-check?gateway=NS/NAME&request=GET%20http://host:8080/path&header=Name:%20value&random=N}
   * ({@code gateway} may be left out when one Gateway is served; {@code header} may repeat).
   */
  private void routeCheck(HttpExchange ex) throws IOException {
    Map<String, List<String>> query = query(ex.getRequestURI().getRawQuery());
    Map<ResourceKey, PublishedSnapshot> served = server.publisher().current();
    String gateway = first(query, "gateway");
    PublishedSnapshot snapshot = null;
    if (gateway != null) {
      snapshot = served.entrySet().stream().filter(e -> e.getKey().namespacedName().equals(gateway))
          .map(Map.Entry::getValue).findFirst().orElse(null);
    } else if (served.size() == 1) {
      snapshot = served.values().iterator().next();
    }
    if (snapshot == null) {
      respond(ex, 400, "text/plain", (gateway == null ? "name one of the served Gateways with gateway=NS/NAME: "
          : "no snapshot for Gateway " + gateway + "; served: ") + served.keySet() + "\n");
      return;
    }
    try {
      String random = first(query, "random");
      TestRequest request = TestRequest.parse(first(query, "request"), query.getOrDefault("header", List.of()),
          random == null ? 0 : Integer.parseInt(random), first(query, "sni"));
      respondJson(ex, RouteEvaluator.evaluate(snapshot.resources(), request).toJson());
    } catch (IllegalArgumentException e) {
      respond(ex, 400, "text/plain", e.getMessage() + "\n");
    }
  }

  private static String first(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> result = new java.util.HashMap<>();
    if (raw == null) {
      return result;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      result.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(value);
    }
    return result;
  }

  private void respondJson(HttpExchange ex, Object body) throws IOException {
    respond(ex, 200, "application/json", JSON.writeValueAsString(body) + "\n");
  }

  private void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", contentType);
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("admin request {} failed", ex.getRequestURI(), e);
      throw e;
    }
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
  }
}
