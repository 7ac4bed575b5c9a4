package io.gloo.core.server;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.gloo.core.snapshot.ProxyNodes;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.AdsTestClient;
import io.gloo.core.testing.Await;
import io.gloo.core.testing.Manifests;
import io.gloo.core.xds.BootstrapGenerator;
import io.gloo.core.xds.ProxyStatus;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code gloo serve} end to end: a directory of manifests, the real server on real sockets, and an ADS client that
 * behaves as Envoy does with the bootstrap {@code gloo bootstrap} writes. Covers the initial CDS → EDS → LDS → RDS
 * exchange, a file edit reaching the proxy, a NACK surfacing in the Gateway status (reporter and admin API) and
 * clearing on the next ACK, and the admin endpoints.
 */
class ServeEndToEndTest {

  private static final ResourceKey GW = new ResourceKey("Gateway", "default", "gw");
  // a bound on waiting for events on a possibly loaded machine, not a performance target
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String ECHO_CLUSTER = "kube_default_echo_80";
  private static final String API_CLUSTER = "kube_default_api_8080";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir
  Path dir;

  private GlooServer server;
  private AdsTestClient envoy;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final BlockingQueue<Object> changes = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    Manifests.write(dir, "gateway.yaml", Manifests.docs(Manifests.gatewayClass(),
        Manifests.gateway("default", "gw", 8080)));
    Manifests.write(dir, "services.yaml", Manifests.docs(
        Manifests.service("default", "echo", 80),
        Manifests.endpointSlice("default", "echo", 8080, "10.0.0.1", "10.0.0.2"),
        Manifests.service("default", "api", 8080),
        Manifests.endpointSlice("default", "api", 9090, "10.0.1.1")));
    Manifests.write(dir, "route-echo.yaml", echoRoute("/echo"));
    Manifests.write(dir, "route-api.yaml",
        Manifests.httpRoute("default", "api", "gw", "api.example.com", "/api", "api:8080"));

    server = GlooServer.start(new ServeOptions(dir, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50)));
    server.reporter().onChange(changes::add);
    server.tracker().onChange(changes::add);
    server.publisher().onPublished(changes::add);
  }

  @AfterEach
  void stop() throws Exception {
    if (envoy != null) {
      envoy.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void servesEnvoyFollowsFileChangesAndReportsNacks() throws Exception {
    // --- Connect as Envoy does with the generated bootstrap.
    Bootstrap bootstrap = BootstrapGenerator.bootstrap(GW, "127.0.0.1:" + server.xdsPort());
    Node node = bootstrap.getNode();
    assertEquals(BootstrapGenerator.XDS_CLUSTER,
        bootstrap.getDynamicResources().getAdsConfig().getGrpcServices(0).getEnvoyGrpc().getClusterName());
    Cluster xdsCluster = bootstrap.getStaticResources().getClusters(0);
    assertEquals(BootstrapGenerator.XDS_CLUSTER, xdsCluster.getName());
    SocketAddress xds = xdsCluster.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress()
        .getSocketAddress();
    envoy = AdsTestClient.connect(xds.getAddress(), xds.getPortValue(), node);

    // CDS (wildcard)
    DiscoveryResponse cds = envoy.request(CLUSTER_TYPE_URL, List.of(), "", "");
    Map<String, Cluster> clusters = new TreeMap<>();
    for (Any any : cds.getResourcesList()) {
      Cluster c = any.unpack(Cluster.class);
      clusters.put(c.getName(), c);
    }
    assertEquals(Set.of(ECHO_CLUSTER, API_CLUSTER), clusters.keySet());
    List<String> edsNames = clusters.values().stream()
        .peek(c -> assertEquals(Cluster.DiscoveryType.EDS, c.getType(), c.getName()))
        .map(c -> c.getEdsClusterConfig().getServiceName().isEmpty() ? c.getName()
            : c.getEdsClusterConfig().getServiceName())
        .sorted().toList();

    // EDS for the clusters CDS named, then ACK CDS (Envoy ACKs CDS once the clusters have warmed)
    DiscoveryResponse eds = envoy.request(ENDPOINT_TYPE_URL, edsNames, "", "");
    Map<String, List<String>> endpoints = new TreeMap<>();
    for (Any any : eds.getResourcesList()) {
      ClusterLoadAssignment cla = any.unpack(ClusterLoadAssignment.class);
      endpoints.put(cla.getClusterName(), cla.getEndpointsList().stream()
          .flatMap(l -> l.getLbEndpointsList().stream())
          .map(e -> e.getEndpoint().getAddress().getSocketAddress())
          .map(a -> a.getAddress() + ":" + a.getPortValue())
          .sorted().toList());
    }
    assertEquals(Map.of(ECHO_CLUSTER, List.of("10.0.0.1:8080", "10.0.0.2:8080"), API_CLUSTER, List.of("10.0.1.1:9090")),
        endpoints);
    envoy.ack(cds, List.of());

    // LDS (wildcard)
    DiscoveryResponse lds = envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
    assertEquals(1, lds.getResourcesCount());
    Listener listener = lds.getResources(0).unpack(Listener.class);
    assertEquals(8080, listener.getAddress().getSocketAddress().getPortValue());
    HttpConnectionManager hcm = listener.getFilterChains(0).getFilters(0).getTypedConfig()
        .unpack(HttpConnectionManager.class);
    assertTrue(hcm.getRds().getConfigSource().hasAds(), "RDS must come over ADS");
    String routeName = hcm.getRds().getRouteConfigName();
    envoy.ack(eds, edsNames);

    // RDS for the route configuration the listener names
    DiscoveryResponse rds = envoy.request(ROUTE_TYPE_URL, List.of(routeName), "", "");
    RouteConfiguration routes = single(rds, RouteConfiguration.class);
    assertEquals(routeName, routes.getName());
    assertEquals(Map.of(
            "*", Map.of("/echo", ECHO_CLUSTER),
            "api.example.com", Map.of("/api", API_CLUSTER)),
        routeTable(routes));
    envoy.ack(lds, List.of());
    envoy.ack(rds, List.of(routeName));

    // The tracker has every type ACKed at the published versions.
    Map<String, String> published = server.publisher().current().get(GW).versions();
    Await.until(changes, WAIT, () -> ackedVersions(node.getId()).size() == 4
        && ackedVersions(node.getId()).values().stream().noneMatch(String::isEmpty),
        () -> server.tracker().proxies().toString());
    for (DiscoveryResponse r : List.of(cds, eds, lds, rds)) {
      assertEquals(published.get(r.getTypeUrl()), r.getVersionInfo(), r.getTypeUrl());
      assertEquals(r.getVersionInfo(), ackedVersions(node.getId()).get(r.getTypeUrl()), r.getTypeUrl());
    }
    assertEquals(GW, server.tracker().proxies(GW).get(0).gateway().orElseThrow());
    assertEquals("True", gatewayCondition("Programmed").getStatus());

    checkAdminApi(rds.getVersionInfo());

    // --- Edit a watched file: the new route configuration reaches the proxy. How fast is a benchmark's question
    // (ChangeToSnapshotBenchmark.throughWatcher); a 2 s bound here failed on loaded machines (issue #19 item 6).
    Manifests.write(dir, "route-echo.yaml", echoRoute("/echo-v2"));
    DiscoveryResponse rds2 = awaitRoutes(routeName, edsNames, "/echo-v2", System.nanoTime() + WAIT.toNanos(), null);
    assertNotEquals(rds.getVersionInfo(), rds2.getVersionInfo());
    // The cache pushes a snapshot before the publisher's bookkeeping (current(), /snapshots) records it.
    Await.until(changes, WAIT,
        () -> rds2.getVersionInfo().equals(server.publisher().current().get(GW).version(ROUTE_TYPE_URL)),
        () -> server.publisher().current().get(GW).versions().toString());
    assertEquals(Map.of("*", Map.of("/echo-v2", ECHO_CLUSTER), "api.example.com", Map.of("/api", API_CLUSTER)),
        routeTable(single(rds2, RouteConfiguration.class)));

    // --- The proxy rejects it: the Gateway is no longer Programmed, with Envoy's reason.
    String reason = "route 'httproute/default/echo/0/0': invalid regex";
    envoy.nack(rds2, List.of(routeName), rds.getVersionInfo(), reason);
    Await.until(changes, WAIT, () -> "False".equals(gatewayCondition("Programmed").getStatus()),
        () -> String.valueOf(server.reporter().statuses().get(GW)));
    Condition programmed = gatewayCondition("Programmed");
    assertTrue(programmed.getMessage().contains(reason), programmed.getMessage());
    assertTrue(programmed.getMessage().contains(rds2.getVersionInfo()), programmed.getMessage());
    assertTrue(programmed.getMessage().contains(node.getId()), programmed.getMessage());
    assertEquals("True", gatewayCondition("Accepted").getStatus(), "a NACK only affects Programmed");

    JsonNode statuses = getJson("/statuses");
    JsonNode adminProgrammed = condition(statuses.path("statuses").path("Gateway/default/gw"), "Programmed");
    assertEquals("False", adminProgrammed.path("status").asString());
    assertTrue(adminProgrammed.path("message").asString().contains(reason), adminProgrammed.toString());
    JsonNode proxy = statuses.path("proxies").get(0);
    assertEquals(node.getId(), proxy.path("nodeId").asString());
    assertEquals(reason, proxy.path("types").path(ROUTE_TYPE_URL).path("nack").path("message").asString());
    assertEquals(rds.getVersionInfo(), proxy.path("types").path(ROUTE_TYPE_URL).path("ackedVersion").asString());

    // --- A fixed version arrives and is ACKed: the NACK clears.
    Manifests.write(dir, "route-echo.yaml", echoRoute("/echo-v3"));
    DiscoveryResponse rds3 = awaitRoutes(routeName, edsNames, "/echo-v3", System.nanoTime() + WAIT.toNanos(),
        rds2.getVersionInfo());
    envoy.ack(rds3, List.of(routeName));
    Await.until(changes, WAIT, () -> "True".equals(gatewayCondition("Programmed").getStatus()),
        () -> String.valueOf(server.reporter().statuses().get(GW)));
    assertTrue(server.tracker().activeNacks(GW).isEmpty());
    assertEquals(rds3.getVersionInfo(), ackedVersions(node.getId()).get(ROUTE_TYPE_URL));
    JsonNode cleared = getJson("/statuses");
    assertEquals("True",
        condition(cleared.path("statuses").path("Gateway/default/gw"), "Programmed").path("status").asString());
    assertTrue(cleared.path("proxies").get(0).path("types").path(ROUTE_TYPE_URL).path("nack").isMissingNode());
  }

  /**
   * Reads responses as Envoy would until an RDS response whose route table has {@code path}: other types are
   * ACKed; other route versions are ACKed, or NACKed if they are {@code rejectedVersion} (Envoy keeps rejecting a
   * bad version that is sent again). The matching response is returned without ACK or NACK.
   */
  private DiscoveryResponse awaitRoutes(String routeName, List<String> edsNames, String path, long deadlineNanos,
      String rejectedVersion) throws Exception {
    String lastAcked = "";
    while (true) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        fail("no route configuration with " + path + " in time; publisher has "
            + server.publisher().current().get(GW).versions());
      }
      DiscoveryResponse r = envoy.poll(TimeUnit.NANOSECONDS.toMillis(left) + 1);
      if (r == null) {
        continue;
      }
      if (!r.getTypeUrl().equals(ROUTE_TYPE_URL)) {
        envoy.ack(r, r.getTypeUrl().equals(ENDPOINT_TYPE_URL) ? edsNames : List.of());
        continue;
      }
      RouteConfiguration routes = single(r, RouteConfiguration.class);
      boolean found = routeTable(routes).values().stream().anyMatch(m -> m.containsKey(path));
      if (found) {
        return r;
      }
      if (r.getVersionInfo().equals(rejectedVersion)) {
        envoy.nack(r, List.of(routeName), lastAcked, "still invalid");
      } else {
        envoy.ack(r, List.of(routeName));
        lastAcked = r.getVersionInfo();
      }
    }
  }

  private void checkAdminApi(String rdsVersion) throws Exception {
    HttpResponse<String> healthz = get("/healthz");
    assertEquals(200, healthz.statusCode());
    HttpResponse<String> readyz = get("/readyz");
    assertEquals(200, readyz.statusCode(), readyz.body());
    assertTrue(readyz.body().startsWith("ready"), readyz.body());

    HttpResponse<String> metrics = get("/metrics");
    assertEquals(200, metrics.statusCode());
    String scrape = metrics.body();
    assertTrue(Pattern.compile("(?m)^gloo_translations_total\\{result=\"ok\"} [1-9]").matcher(scrape).find(), scrape);
    assertTrue(Pattern.compile("(?m)^gloo_xds_connected_proxies(\\{[^}]*})? 1\\.0$").matcher(scrape).find(), scrape);
    assertTrue(Pattern.compile("(?m)^gloo_xds_ack_total\\{type=\"route\"} [1-9]").matcher(scrape).find(), scrape);
    // JVM and process series, xDS pushes and push-to-ACK latency, resources by kind and status
    for (String series : List.of("^jvm_memory_used_bytes\\{area=\"heap\"", "^jvm_threads_live_threads ",
        "^process_cpu_usage ", "^process_files_open_files ", "^process_uptime_seconds ",
        "^process_resident_memory_bytes [1-9]", "^gloo_xds_push_total\\{type=\"route\"} [1-9]",
        "^gloo_xds_ack_latency_seconds_count\\{type=\"route\"} [1-9]",
        "^gloo_xds_ack_latency_seconds_bucket\\{type=\"route\",le=",
        "^gloo_resources\\{kind=\"Gateway\",status=\"accepted\"} 1\\.0$",
        "^gloo_resources\\{kind=\"Gateway\",status=\"rejected\"} 0\\.0$")) {
      assertTrue(Pattern.compile("(?m)" + series).matcher(scrape).find(), series + " in\n" + scrape);
    }

    JsonNode snapshots = getJson("/snapshots");
    JsonNode gw = snapshots.path("default/gw");
    assertEquals(ProxyNodes.groupOf(GW), gw.path("nodeGroup").asString());
    assertEquals(rdsVersion, gw.path("versions").path(ROUTE_TYPE_URL).asString());
    for (String type : List.of(CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL)) {
      assertEquals(server.publisher().current().get(GW).version(type), gw.path("versions").path(type).asString(), type);
    }
    assertEquals(8080, gw.path("resources").path("listeners").get(0).path("address").path("socketAddress")
        .path("portValue").asInt());

    // what the served config does with a request, evaluated as Envoy routes
    JsonNode decision = getJson("/route-check?gateway=default/gw&request="
        + java.net.URLEncoder.encode("GET http://api.example.com:8080/api/users", java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(API_CLUSTER, decision.path("cluster").asString(), decision.toString());
    assertEquals("api", decision.path("source").path("name").asString(), decision.toString());
    assertEquals(400, get("/route-check?gateway=default/gw&request=nonsense").statusCode());
    assertEquals(400, get("/route-check?gateway=default/nope&request=GET%20http://x/").statusCode());
  }

  private static String echoRoute(String path) {
    return Manifests.httpRoute("default", "echo", "gw", null, path, "echo:80");
  }

  private Map<String, String> ackedVersions(String nodeId) {
    for (ProxyStatus p : server.tracker().proxies()) {
      if (p.nodeId().equals(nodeId)) {
        return p.types().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().ackedVersion()));
      }
    }
    return Map.of();
  }

  private Condition gatewayCondition(String type) {
    GatewayStatus status = (GatewayStatus) server.reporter().statuses().get(GW);
    assertNotNull(status, "no status for " + GW);
    return status.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " condition in " + status));
  }

  private static JsonNode condition(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (c.path("type").asString().equals(type)) {
        return c;
      }
    }
    throw new AssertionError("no " + type + " condition in " + status);
  }

  /** Virtual host domains (joined by ",") → path → cluster(s). */
  static Map<String, Map<String, String>> routeTable(RouteConfiguration config) {
    Map<String, Map<String, String>> table = new TreeMap<>();
    for (VirtualHost vh : config.getVirtualHostsList()) {
      Map<String, String> routes = new TreeMap<>();
      for (Route r : vh.getRoutesList()) {
        routes.put(path(r), target(r));
      }
      table.put(String.join(",", vh.getDomainsList()), routes);
    }
    return table;
  }

  static String path(Route route) {
    var m = route.getMatch();
    return switch (m.getPathSpecifierCase()) {
      case PREFIX -> m.getPrefix();
      case PATH -> m.getPath();
      case PATH_SEPARATED_PREFIX -> m.getPathSeparatedPrefix();
      default -> m.getPathSpecifierCase().toString();
    };
  }

  /** The cluster, weighted clusters ({@code name=weight,...}) or {@code direct:STATUS} a route sends to. */
  static String target(Route route) {
    if (route.hasDirectResponse()) {
      return "direct:" + route.getDirectResponse().getStatus();
    }
    if (route.getRoute().hasWeightedClusters()) {
      List<String> parts = new ArrayList<>();
      route.getRoute().getWeightedClusters().getClustersList()
          .forEach(c -> parts.add(c.getName() + "=" + c.getWeight().getValue()));
      return String.join(",", parts);
    }
    return route.getRoute().getCluster();
  }

  private static <T extends com.google.protobuf.Message> T single(DiscoveryResponse response, Class<T> type)
      throws InvalidProtocolBufferException {
    assertEquals(1, response.getResourcesCount(), response.toString());
    return response.getResources(0).unpack(type);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode getJson(String path) throws Exception {
    HttpResponse<String> response = get(path);
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    return JSON.readTree(response.body());
  }
}
