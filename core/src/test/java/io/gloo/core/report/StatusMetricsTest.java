package io.gloo.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatusBuilder;
import io.gloo.core.store.ResourceKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code gloo_resources{kind,status}} follows the reporter's statuses: accepted, warning, rejected per kind. */
class StatusMetricsTest {

  private static Object gateway(String accepted) {
    return new GatewayStatusBuilder().withConditions(new ConditionBuilder().withType("Accepted")
        .withStatus(accepted).withReason("r").build()).build();
  }

  private static Object route(String... acceptedPerParent) {
    HTTPRouteStatusBuilder b = new HTTPRouteStatusBuilder();
    for (String accepted : acceptedPerParent) {
      b.addToParents(new RouteParentStatusBuilder().withControllerName("c").withConditions(new ConditionBuilder()
          .withType("Accepted").withStatus(accepted).build(), new ConditionBuilder().withType("ResolvedRefs")
          .withStatus("False").build()).build());
    }
    return b.build();
  }

  private static Object policy(String state) {
    return Map.of("statuses", Map.of("gloo-system", Map.of("state", state, "reason", "x")));
  }

  @Test
  void classifiesGatewayApiConditionsAndGlooStates() {
    assertEquals("accepted", StatusMetrics.classify(gateway("True")));
    assertEquals("rejected", StatusMetrics.classify(gateway("False")));
    assertEquals("rejected", StatusMetrics.classify(route("True", "False")), "rejected by one parent");
    assertEquals("accepted", StatusMetrics.classify(route("True")), "ResolvedRefs=False alone is not a rejection");
    assertEquals("warning", StatusMetrics.classify(policy("Warning")));
    assertEquals("rejected", StatusMetrics.classify(Map.of("state", "REJECTED", "observedGeneration", 1)));
    assertNull(StatusMetrics.classify(Map.of("something", "else")));
  }

  @Test
  void countsFollowEachTranslation() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Reporter reporter = new Reporter();
    new StatusMetrics(reporter, registry);
    ResourceKey a = new ResourceKey("HTTPRoute", "default", "a");
    ResourceKey b = new ResourceKey("HTTPRoute", "default", "b");
    ResourceKey gw = new ResourceKey("Gateway", "default", "gw");
    reporter.translated(new StatusReport(Map.of(a, route("True"), b, route("False"), gw, gateway("True"))), List.of());
    assertEquals(1.0, gauge(registry, "HTTPRoute", "accepted"));
    assertEquals(1.0, gauge(registry, "HTTPRoute", "rejected"));
    assertEquals(1.0, gauge(registry, "Gateway", "accepted"));

    reporter.translated(new StatusReport(Map.of(a, route("True"), b, route("True"))), List.of());
    assertEquals(2.0, gauge(registry, "HTTPRoute", "accepted"));
    assertEquals(0.0, gauge(registry, "HTTPRoute", "rejected"));
    assertEquals(0.0, gauge(registry, "Gateway", "accepted"), "a resource that is gone is not counted");
  }

  private static double gauge(SimpleMeterRegistry registry, String kind, String status) {
    return registry.get("gloo.resources").tag("kind", kind).tag("status", status).gauge().value();
  }
}
