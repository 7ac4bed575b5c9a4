package io.gloo.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.cli.GlooCli;
import io.gloo.core.server.GlooServer;
import io.gloo.core.testing.ServeFixture;
import io.gloo.core.translate.TranslationJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * gloo serve with a plugin whose replacement fails to load: the previous version keeps serving and the failure is
 * visible everywhere an operator looks: /readyz (still 200, degraded), /statuses, gloo status, /metrics, /plugins
 * and gloo plugins --server.
 */
class PluginFailuresServeTest {

  @TempDir
  Path temp;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(GlooServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String run(int expectedExit, String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = GlooCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    int exit = cli.execute(args);
    assertEquals(expectedExit, exit, out.toString());
    return out.toString();
  }

  @Test
  void aFailedReplacementIsVisibleWhileThePreviousVersionServes() throws Exception {
    Path plugins = temp.resolve("plugins");
    TestPlugins.install(TestPlugins.HEADERS, plugins);
    ServeFixture serve = ServeFixture.in(temp).plugins(plugins);
    try (GlooServer server = serve.start()) {
      assertEquals("ready: ", get(server, "/readyz").body().substring(0, 7));
      assertTrue(!get(server, "/readyz").body().contains("degraded"));

      TestPlugins.install(TestPlugins.BAD_REQUIRES, plugins, TestPlugins.HEADERS + ".zip");
      server.pluginManager().rescan(); // the watcher may have got there first: the same result either way

      assertTrue(server.plugins().get(TestPlugins.HEADERS).orElseThrow().started());
      HttpResponse<String> readyz = get(server, "/readyz");
      assertEquals(200, readyz.statusCode());
      assertTrue(readyz.body().contains("; degraded: plugin test-headers 0.1.0-SNAPSHOT failed to load,"
          + " 0.1.0-SNAPSHOT keeps serving (see /statuses)"), readyz.body());
      assertTrue(!readyz.body().contains("Plugin-Requires"), "no reasons where anyone may read: " + readyz.body());

      JsonNode statuses = TranslationJson.mapper().readTree(get(server, "/statuses").body());
      JsonNode problem = statuses.path("pluginProblems").get(0);
      assertEquals("test-headers", problem.path("plugin").asString());
      assertEquals("Plugin-Requires >=99.0.0 excludes SPI version " + io.gloo.spi.SpiVersion.CURRENT + "", problem.path("reason").asString());
      assertEquals("0.1.0-SNAPSHOT", problem.path("serving").asString());

      assertTrue(get(server, "/metrics").body()
          .contains("gloo_plugin_load_failures_total{plugin=\"test-headers\",reason=\"requires\"} 1.0"));

      JsonNode listing = TranslationJson.mapper().readTree(get(server, "/plugins").body());
      JsonNode headers = listing.path("plugins").get(0);
      assertEquals("started", headers.path("state").asString());
      assertEquals("Plugin-Requires >=99.0.0 excludes SPI version " + io.gloo.spi.SpiVersion.CURRENT + "",
          headers.path("replacementFailed").path("reason").asString());
      assertEquals("/plugins/test-headers/tccl", headers.path("views").get(0).asString());
      assertEquals("/plugins/test-headers/tccl", listing.path("views").get(0).asString());
      assertEquals(200, get(server, "/plugins/test-headers/tccl").statusCode(), "views are still served");

      String admin = "http://127.0.0.1:" + server.adminPort();
      String table = run(0, "plugins", "--server", admin);
      assertTrue(table.lines().anyMatch(l -> l.startsWith("test-headers ") && l.contains("started (replacement"
          + " 0.1.0-SNAPSHOT failed to load: Plugin-Requires >=99.0.0 excludes SPI version " + io.gloo.spi.SpiVersion.CURRENT + ")")), table);

      String status = run(1, "status", "--config-dir", serve.config().toString(), "--admin", admin);
      assertTrue(status.contains("PLUGIN plugin test-headers 0.1.0-SNAPSHOT (test-headers.zip) failed to load:"
          + " Plugin-Requires >=99.0.0 excludes SPI version " + io.gloo.spi.SpiVersion.CURRENT + "; version 0.1.0-SNAPSHOT keeps serving"), status);
    }
  }

  @Test
  void glooPluginsServerSaysWhenNoServerAnswers() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String out = run(1, "plugins", "--server", "http://127.0.0.1:" + port);
    assertTrue(out.startsWith("gloo plugins: no answer from http://127.0.0.1:" + port + "/plugins"), out);
    assertEquals(1, out.lines().count(), out);
  }
}
