package io.gloo.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.SourceProblem;
import io.gloo.core.testing.Await;
import io.gloo.core.testing.Manifests;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One served directory, one Gateway, and routes that are each wrong in their own way: every problem is reported on
 * the resource that has it, and everything else keeps being served.
 */
class BadInputTest {

  private static final ResourceKey GW = new ResourceKey("Gateway", "default", "gw");
  private static final Duration WAIT = Duration.ofSeconds(60); // a bound on waiting, not a performance target (#19)
  private static final String GOOD_CLUSTER = "kube_default_good_80";

  /** Malformed from the start: line 4 has a second mapping value. */
  private static final String NEVER_VALID = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: never-valid: oops
        namespace: default
      """;

  /** What turns-bad.yaml becomes: line 7 has a second mapping value. */
  private static final String NOW_BROKEN = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: later
        namespace: default
      spec:
        parentRefs: gw: oops
      """;

  @TempDir
  Path dir;

  private GlooServer server;
  private final BlockingQueue<Object> changes = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    Manifests.write(dir, "base.yaml", Manifests.docs(Manifests.gatewayClass(), Manifests.gateway("default", "gw", 8080),
        Manifests.service("default", "good", 80), Manifests.endpointSlice("default", "good", 8080, "10.0.0.1"),
        Manifests.service("backends", "remote", 80), Manifests.endpointSlice("backends", "remote", 8080, "10.9.0.1")));
    Manifests.write(dir, "good.yaml", Manifests.httpRoute("default", "good", "gw", null, "/good", "good:80"));
    Manifests.write(dir, "turns-bad.yaml", Manifests.httpRoute("default", "later", "gw", null, "/later", "good:80"));
    Manifests.write(dir, "orphan.yaml", Manifests.httpRoute("default", "orphan", "no-such-gw", null, "/orphan",
        "good:80"));
    Manifests.write(dir, "missing-backend.yaml",
        Manifests.httpRoute("default", "missing", "gw", null, "/missing", "nope:80"));
    Manifests.write(dir, "cross-ns.yaml",
        Manifests.httpRoute("default", "cross", "gw", null, "/cross", "backends/remote:80"));
    Manifests.write(dir, "malformed.yaml", NEVER_VALID);

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

  @Test
  void eachProblemIsReportedOnItsResourceAndTheRestIsServed() throws Exception {
    // Statuses: each route has exactly its own problem.
    assertRoute("good", "Accepted", "True", "Accepted");
    assertRoute("good", "ResolvedRefs", "True", "ResolvedRefs");
    assertRoute("later", "Accepted", "True", "Accepted");
    assertRoute("later", "ResolvedRefs", "True", "ResolvedRefs");
    Condition orphan = assertRoute("orphan", "Accepted", "False", "NoMatchingParent");
    assertTrue(orphan.getMessage().contains("no-such-gw"), orphan.getMessage());
    assertRoute("missing", "Accepted", "True", "Accepted");
    Condition missing = assertRoute("missing", "ResolvedRefs", "False", "BackendNotFound");
    assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
    assertRoute("cross", "Accepted", "True", "Accepted");
    Condition cross = assertRoute("cross", "ResolvedRefs", "False", "RefNotPermitted");
    assertTrue(cross.getMessage().contains("backends"), cross.getMessage());

    // The Gateway is fine: its routes' problems are the routes' own.
    GatewayStatus gw = (GatewayStatus) server.reporter().statuses().get(GW);
    assertEquals("True", condition(gw.getConditions(), "Accepted").getStatus());
    assertEquals("True", condition(gw.getConditions(), "Programmed").getStatus());
    assertEquals(4, gw.getListeners().get(0).getAttachedRoutes(), "good, later, missing and cross attach");
    assertFalse(server.reporter().statuses().keySet().stream().anyMatch(k -> k.name().startsWith("never-valid")));

    // The malformed file is a source problem naming the file and the line.
    SourceProblem neverValid = problem("malformed.yaml").orElseThrow(
        () -> new AssertionError("no problem for malformed.yaml: " + server.reporter().sourceProblems()));
    assertEquals(4, neverValid.line(), neverValid.toString());
    assertTrue(neverValid.column() > 0, neverValid.toString());
    assertEquals(1, server.reporter().sourceProblems().size(), server.reporter().sourceProblems().toString());

    // What is served: the good routes; the unresolved backends answer 500; the orphan is nowhere.
    Map<String, Route> routes = servedRoutes();
    assertEquals(GOOD_CLUSTER, routes.get("/good").getRoute().getCluster());
    assertEquals(GOOD_CLUSTER, routes.get("/later").getRoute().getCluster());
    assertAnswers500(routes.get("/missing"));
    assertAnswers500(routes.get("/cross"));
    assertFalse(routes.containsKey("/orphan"), routes.keySet().toString());
    assertEquals(4, routes.size(), routes.keySet().toString());

    // A file that was good turns malformed: its last good resources keep serving, and the problem is reported.
    Manifests.write(dir, "turns-bad.yaml", NOW_BROKEN);
    Await.until(changes, WAIT, () -> problem("turns-bad.yaml").isPresent(),
        () -> server.reporter().sourceProblems().toString());
    SourceProblem nowBroken = problem("turns-bad.yaml").orElseThrow();
    assertEquals(7, nowBroken.line(), nowBroken.toString());
    assertTrue(problem("malformed.yaml").isPresent());
    assertEquals(GOOD_CLUSTER, servedRoutes().get("/later").getRoute().getCluster());
    assertRoute("later", "Accepted", "True", "Accepted");

    // The admin API shows both problems, with file and line.
    JsonNode statuses = getJson("/statuses");
    Map<String, Integer> lines = new HashMap<>();
    for (JsonNode p : statuses.path("sourceProblems")) {
      if (p.path("message").asString().startsWith("is being written")) {
        continue;
      }
      lines.put(Path.of(p.path("file").asString()).getFileName().toString(), p.path("line").asInt());
      assertFalse(p.path("message").asString().isEmpty(), p.toString());
    }
    assertEquals(Map.of("malformed.yaml", 4, "turns-bad.yaml", 7), lines);
    JsonNode crossJson = statuses.path("statuses").path("HTTPRoute/default/cross").path("parents").get(0);
    assertTrue(crossJson.toString().contains("RefNotPermitted"), crossJson.toString());

    // Deleting files removes their routes (even the last good ones of a malformed file) and their problems.
    Files.delete(dir.resolve("missing-backend.yaml"));
    Files.delete(dir.resolve("turns-bad.yaml"));
    Await.until(changes, WAIT, () -> !servedRoutes().containsKey("/missing") && !servedRoutes().containsKey("/later"),
        () -> servedRoutes().keySet().toString());
    assertEquals(List.of("/cross", "/good"), servedRoutes().keySet().stream().sorted().toList());
    Await.until(changes, WAIT, () -> problem("turns-bad.yaml").isEmpty(),
        () -> server.reporter().sourceProblems().toString());
    assertFalse(server.reporter().statuses().containsKey(route("missing")));
    assertFalse(server.reporter().statuses().containsKey(route("later")));
    assertRoute("good", "ResolvedRefs", "True", "ResolvedRefs");
  }

  private void assertAnswers500(Route route) {
    assertNotNull(route, "rule not served");
    if (route.hasDirectResponse()) {
      assertEquals(500, route.getDirectResponse().getStatus(), route.toString());
      return;
    }
    assertEquals(RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR,
        route.getRoute().getClusterNotFoundResponseCode(), route.toString());
    String cluster = route.getRoute().hasWeightedClusters()
        ? route.getRoute().getWeightedClusters().getClusters(0).getName() : route.getRoute().getCluster();
    PublishedSnapshot snapshot = server.publisher().current().get(GW);
    assertFalse(snapshot.resources().clusters().stream().anyMatch(c -> c.getName().equals(cluster)),
        "an unresolved backend must not name a served cluster: " + cluster);
  }

  /** Path → route, over every virtual host of the Gateway's served route configurations. */
  private Map<String, Route> servedRoutes() {
    Map<String, Route> routes = new HashMap<>();
    for (RouteConfiguration config : server.publisher().current().get(GW).resources().routes()) {
      config.getVirtualHostsList().forEach(vh -> vh.getRoutesList()
          .forEach(r -> routes.put(ServeEndToEndTest.path(r), r)));
    }
    return routes;
  }

  /** The file's problem, other than being held while written (files are written in place here: held first). */
  private Optional<SourceProblem> problem(String fileName) {
    return server.reporter().sourceProblems().stream()
        .filter(p -> Path.of(p.source()).getFileName().toString().equals(fileName))
        .filter(p -> !p.message().startsWith("is being written")).findFirst();
  }

  private static ResourceKey route(String name) {
    return new ResourceKey("HTTPRoute", "default", name);
  }

  private Condition assertRoute(String name, String type, String status, String reason) {
    HTTPRouteStatus routeStatus = (HTTPRouteStatus) server.reporter().statuses().get(route(name));
    assertNotNull(routeStatus, "no status for route " + name);
    List<RouteParentStatus> parents = routeStatus.getParents();
    assertEquals(1, parents.size(), parents.toString());
    Condition c = condition(parents.get(0).getConditions(), type);
    assertEquals(status, c.getStatus(), name + " " + c);
    assertEquals(reason, c.getReason(), name + " " + c);
    return c;
  }

  private static Condition condition(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> c.getType().equals(type)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " in " + conditions));
  }

  private JsonNode getJson(String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return JsonMapper.builder().build().readTree(response.body());
  }
}
