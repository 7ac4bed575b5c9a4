package io.gloo.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatusBuilder;
import io.gloo.core.logging.LogSettings;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.LogCapture;
import io.gloo.core.translate.TranslationJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A resource that turns rejected is logged once, and its JSON line names its kind, namespace and name. */
class RejectionLogTest {

  @AfterEach
  void text() {
    LogSettings.get().format(LogSettings.Format.TEXT);
  }

  private static Object route(String accepted, String message) {
    return new HTTPRouteStatusBuilder().addToParents(new RouteParentStatusBuilder().withControllerName("c")
        .withConditions(new ConditionBuilder().withType("Accepted").withStatus(accepted).withReason("NotAllowed")
            .withMessage(message).build()).build()).build();
  }

  private static List<JsonNode> rejectionLines(String text) {
    return text.lines().filter(l -> l.contains(RejectionLog.class.getName()))
        .map(l -> TranslationJson.mapper().readTree(l)).toList();
  }

  @Test
  void aRejectedResourcesJsonLineCarriesItsKindNamespaceAndName() {
    LogSettings.get().format(LogSettings.Format.JSON);
    Reporter reporter = new Reporter();
    new RejectionLog(reporter);
    ResourceKey bad = new ResourceKey("HTTPRoute", "team-a", "checkout");
    ResourceKey good = new ResourceKey("HTTPRoute", "team-a", "fine");
    try (LogCapture logs = new LogCapture()) {
      reporter.translated(new StatusReport(Map.of(bad, route("False", "no listener allows this namespace"),
          good, route("True", "ok"))), List.of());
      // the same verdict again is not logged again
      reporter.translated(new StatusReport(Map.of(bad, route("False", "no listener allows this namespace"),
          good, route("True", "ok"))), List.of());
      List<JsonNode> lines = rejectionLines(logs.text());
      assertEquals(1, lines.size(), logs.text());
      JsonNode line = lines.get(0);
      assertEquals("WARN", line.get("level").asString());
      assertEquals("HTTPRoute", line.get("kind").asString());
      assertEquals("team-a", line.get("namespace").asString());
      assertEquals("checkout", line.get("name").asString());
      assertTrue(line.get("message").asString().contains("no listener allows this namespace"), line.toString());
    }
    try (LogCapture logs = new LogCapture()) {
      reporter.translated(new StatusReport(Map.of(bad, route("True", "ok"), good, route("True", "ok"))), List.of());
      List<JsonNode> lines = rejectionLines(logs.text());
      assertEquals(1, lines.size(), logs.text());
      assertEquals("INFO", lines.get(0).get("level").asString());
      assertEquals("checkout", lines.get(0).get("name").asString());
    }
  }
}
