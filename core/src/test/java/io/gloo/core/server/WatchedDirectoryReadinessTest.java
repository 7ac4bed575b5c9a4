package io.gloo.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.testing.Await;
import io.gloo.core.testing.Manifests;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the admin API says when the watched directory degrades, over real HTTP: an unreadable file keeps /readyz 200
 * with the degradation in its body and the problem in /statuses; a vanished directory makes /readyz 503 with the
 * reason, while the last snapshot keeps serving.
 */
class WatchedDirectoryReadinessTest {

  private static final Duration WAIT = Duration.ofSeconds(60); // a bound on waiting, not a performance target (#19)

  @TempDir
  Path root;

  private Path dir;
  private GlooServer server;
  private final BlockingQueue<Object> changes = new LinkedBlockingQueue<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    dir = Files.createDirectory(root.resolve("config"));
    Manifests.write(dir, "gateway.yaml", Manifests.docs(Manifests.gatewayClass(),
        Manifests.gateway("default", "gw", 8080)));
    Manifests.write(dir, "route.yaml", Manifests.docs(Manifests.service("default", "echo", 80),
        Manifests.endpointSlice("default", "echo", 8080, "10.0.0.1"),
        Manifests.httpRoute("default", "echo", "gw", null, "/echo", "echo:80")));
    server = GlooServer.start(new ServeOptions(dir, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50)));
    server.reporter().onChange(changes::add);
    server.publisher().onPublished(changes::add);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private boolean serves(String resourceKey) {
    return server.reporter().statuses().keySet().stream().anyMatch(k -> k.toString().equals(resourceKey));
  }

  @Test
  void anUnreadableFileDegradesReadinessAndIsInStatuses() throws Exception {
    Path route = dir.resolve("route.yaml");
    Path link = root.resolve("link.tmp");
    Files.createSymbolicLink(link, root.resolve("nowhere"));
    Files.move(link, route, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Await.until(changes, WAIT, () -> !server.reporter().sourceProblems().isEmpty(),
        () -> server.reporter().sourceProblems().toString());

    HttpResponse<String> ready = get("/readyz");
    assertEquals(200, ready.statusCode(), ready.body());
    assertTrue(ready.body().contains("degraded: 1 file serves what it last read: " + route + ": cannot be read (it is"
        + " a dangling symbolic link, not a file)"), ready.body());

    JsonNode statuses = JsonMapper.builder().build().readTree(get("/statuses").body());
    JsonNode problem = statuses.path("sourceProblems").get(0);
    assertEquals(route.toString(), problem.path("file").asString());
    assertTrue(problem.path("message").asString().startsWith("cannot be read"), problem.toString());
    assertEquals(dir.toString(), statuses.path("configDir").asString());
    assertTrue(serves("HTTPRoute/default/echo"), "the route is still served");
  }

  @Test
  void aVanishedDirectoryIsNotReadyAndKeepsServing() throws Exception {
    Files.move(dir, root.resolve("moved-away"), StandardCopyOption.ATOMIC_MOVE);
    Await.until(changes, WAIT, () -> server.notReadyReason() != null, () -> server.source().describe());

    HttpResponse<String> ready = get("/readyz");
    assertEquals(503, ready.statusCode());
    assertEquals("not ready: config directory " + dir + " is gone; serving what was last read from it until it is"
        + " back\n", ready.body());
    assertTrue(serves("HTTPRoute/default/echo"), "the last snapshot keeps serving");
    assertEquals(1, server.publisher().current().size());

    Files.move(root.resolve("moved-away"), dir, StandardCopyOption.ATOMIC_MOVE);
    Await.until(changes, WAIT, () -> server.notReadyReason() == null, () -> server.source().describe());
    assertEquals(200, get("/readyz").statusCode());
  }
}
