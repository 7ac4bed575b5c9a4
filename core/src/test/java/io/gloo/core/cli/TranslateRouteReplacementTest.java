package io.gloo.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.testing.Manifests;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code gloo translate} runs serve's validation: a bad route is replaced (or dropped) and its status says so. */
class TranslateRouteReplacementTest {

  @TempDir
  Path dir;

  @BeforeEach
  void manifests() {
    Manifests.write(dir, "gateway.yaml", Manifests.docs(Manifests.gatewayClass(),
        Manifests.gateway("default", "gw", 8080)));
    Manifests.write(dir, "echo.yaml", Manifests.docs(
        Manifests.service("default", "echo", 80),
        Manifests.endpointSlice("default", "echo", 8080, "10.0.0.1"),
        Manifests.httpRoute("default", "echo", "gw", null, "/echo", "echo:80")));
    Manifests.write(dir, "bad.yaml", """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: bad, namespace: default}
        spec:
          parentRefs: [{name: gw}]
          rules:
            - matches: [{path: {type: PathPrefix, value: /ok}}]
              backendRefs: [{name: echo, port: 80}]
            - matches: [{path: {type: PathPrefix, value: /crlf}}]
              filters:
                - type: RequestHeaderModifier
                  requestHeaderModifier: {set: [{name: host, value: evil.example.com}]}
              backendRefs: [{name: echo, port: 80}]
        """);
  }

  private static JsonNode routes(JsonNode json) {
    return json.path("gateways").path("default/gw").path("routes").get(0).path("virtualHosts").get(0).path("routes");
  }

  private static JsonNode route(JsonNode json, String name) {
    for (JsonNode r : routes(json)) {
      if (r.path("name").asString().equals(name)) {
        return r;
      }
    }
    return null;
  }

  @Test
  void standardReplacesTheRuleWith500AndReportsIt() {
    CliTest.Run run = CliTest.run("translate", "-f", dir.toString(), "-o", "json");

    assertEquals(0, run.exit(), run.err());
    JsonNode json = JsonMapper.builder().build().readTree(run.out());
    assertEquals(500, route(json, "httproute/default/bad/1/0").path("directResponse").path("status").asInt());
    assertTrue(route(json, "httproute/default/echo/0/0").has("route"));
    JsonNode conditions = json.path("statuses").path("HTTPRoute/default/bad").path("parents").get(0)
        .path("conditions");
    JsonNode partial = null;
    for (JsonNode c : conditions) {
      if (c.path("type").asString().equals("PartiallyInvalid")) {
        partial = c;
      }
    }
    assertEquals("True", partial.path("status").asString(), conditions.toString());
    assertTrue(partial.path("message").asString().startsWith(
        "Dropped Rule 1: spec.rules[1].filters[0].requestHeaderModifier.set[0]"), partial.toString());
    JsonNode gateway = json.path("statuses").path("Gateway/default/gw").path("conditions");
    for (JsonNode c : gateway) {
      if (c.path("type").asString().equals("Programmed")) {
        assertEquals("True", c.path("status").asString(), "serve would publish this snapshot: " + c);
      }
    }
  }

  @Test
  void strictDropsTheRule() {
    CliTest.Run run = CliTest.run("translate", "-f", dir.toString(), "-o", "json", "--route-replacement", "strict");

    assertEquals(0, run.exit(), run.err());
    JsonNode json = JsonMapper.builder().build().readTree(run.out());
    assertEquals(null, route(json, "httproute/default/bad/1/0"));
    assertTrue(route(json, "httproute/default/bad/0/0").has("route"));
  }

  @Test
  void anUnknownModeIsOneLine() {
    CliTest.Run run = CliTest.run("translate", "-f", dir.toString(), "--route-replacement", "lenient");

    assertEquals(2, run.exit());
    assertTrue(run.err().contains("route replacement must be 'standard' or 'strict', not 'lenient'"), run.err());
    assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
  }
}
