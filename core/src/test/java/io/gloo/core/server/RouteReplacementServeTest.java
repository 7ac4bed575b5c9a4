package io.gloo.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.Await;
import io.gloo.core.testing.Manifests;
import io.gloo.core.translate.xds.RouteReplacement;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenario on {@code gloo serve}: an HTTPRoute with a path regex RE2 cannot compile used to make the
 * publisher refuse the Gateway's whole snapshot, so no other route of that Gateway could be added or changed. Now
 * the bad rule is left out and reported, and the Gateway keeps publishing.
 */
class RouteReplacementServeTest {

  private static final ResourceKey GW = new ResourceKey("Gateway", "default", "gw");
  private static final Duration WAIT = Duration.ofSeconds(60); // a bound on waiting, not a performance target (#19)

  @TempDir
  Path dir;

  private GlooServer server;
  private final BlockingQueue<Object> changes = new LinkedBlockingQueue<>();

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(RouteReplacement mode) throws Exception {
    Manifests.write(dir, "base.yaml", Manifests.docs(Manifests.gatewayClass(), Manifests.gateway("default", "gw", 8080),
        Manifests.service("default", "good", 80), Manifests.endpointSlice("default", "good", 8080, "10.0.0.1")));
    Manifests.write(dir, "good.yaml", Manifests.httpRoute("default", "good", "gw", null, "/good", "good:80"));
    Manifests.write(dir, "bad.yaml", """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: bad, namespace: default}
        spec:
          parentRefs: [{name: gw}]
          rules:
            - matches: [{path: {type: RegularExpression, value: "*.foo.bar.com"}}]
              backendRefs: [{name: good, port: 80}]
            - matches: [{path: {type: PathPrefix, value: /host}}]
              filters:
                - type: RequestHeaderModifier
                  requestHeaderModifier: {set: [{name: host, value: evil.example.com}]}
              backendRefs: [{name: good, port: 80}]
            - matches: [{path: {type: PathPrefix, value: /fine}}]
              backendRefs: [{name: good, port: 80}]
        """);
    server = GlooServer.start(new ServeOptions(dir, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50)), mode);
    server.reporter().onChange(changes::add);
    server.publisher().onPublished(changes::add);
  }

  @Test
  void aBadRouteNoLongerFreezesItsGateway() throws Exception {
    start(RouteReplacement.STANDARD);

    assertTrue(server.publisher().errors().isEmpty(), server.publisher().errors().toString());
    Map<String, Route> served = servedRoutes();
    assertTrue(served.get("/good").hasRoute());
    assertTrue(served.get("/fine").hasRoute(), "the bad route's valid rule is served");
    assertEquals(500, served.get("/host").getDirectResponse().getStatus());
    Condition partial = condition("bad", "PartiallyInvalid");
    assertEquals("True", partial.getStatus());
    assertTrue(partial.getMessage().startsWith("Dropped Rule 0: spec.rules[0].matches[0].path.value"),
        partial.getMessage());
    assertTrue(partial.getMessage().contains("Dropped Rule 1: spec.rules[1].filters[0].requestHeaderModifier.set[0]"
        + ".name"), partial.getMessage());
    GatewayStatus gw = (GatewayStatus) server.reporter().statuses().get(GW);
    assertEquals("True", gw.getConditions().stream().filter(c -> c.getType().equals("Programmed")).findFirst()
        .orElseThrow().getStatus());

    // Another route of the Gateway can still be changed: the change is published.
    Manifests.write(dir, "good.yaml", Manifests.httpRoute("default", "good", "gw", null, "/better", "good:80"));
    Await.until(changes, WAIT, () -> servedRoutes().containsKey("/better"), () -> servedRoutes().keySet().toString());
    assertFalse(servedRoutes().containsKey("/good"));
    assertTrue(server.publisher().errors().isEmpty(), server.publisher().errors().toString());
    // the counter exists from the first publish (at 0, so that an alert's increase() sees the first rejection)
    assertEquals(0.0, server.metrics().find("gloo.snapshot.rejected").counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count).sum(), "the last line of defence was never needed");
  }

  @Test
  void strictModeDropsTheInvalidRules() throws Exception {
    start(RouteReplacement.STRICT);

    Map<String, Route> served = servedRoutes();
    assertFalse(served.containsKey("/host"), served.keySet().toString());
    assertTrue(served.get("/fine").hasRoute());
    assertTrue(server.publisher().errors().isEmpty(), server.publisher().errors().toString());
  }

  private Condition condition(String route, String type) {
    HTTPRouteStatus status = (HTTPRouteStatus) server.reporter().statuses().get(new ResourceKey("HTTPRoute",
        "default", route));
    return status.getParents().get(0).getConditions().stream().filter(c -> c.getType().equals(type)).findFirst()
        .orElseThrow(() -> new AssertionError(type + " not in " + status));
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
}
