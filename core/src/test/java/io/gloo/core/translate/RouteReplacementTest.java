package io.gloo.core.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.gloo.core.snapshot.PublishCheck;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.xds.RouteReplacement;
import io.gloo.core.validate.SnapshotValidator;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** What becomes of routes Envoy would reject, and what their HTTPRoutes say. */
class RouteReplacementTest {

  private static final ResourceKey GW = new ResourceKey("Gateway", "default", "gw");

  private static final String BASE = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata: {name: gloo-gateway}
      spec: {controllerName: solo.io/gloo-gateway}
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: default}
      spec:
        gatewayClassName: gloo-gateway
        listeners: [{name: http, protocol: HTTP, port: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: echo, namespace: default}
      spec: {ports: [{name: http, port: 80}]}
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: good, namespace: default}
      spec:
        parentRefs: [{name: gw}]
        rules:
          - matches: [{path: {type: PathPrefix, value: /good}}]
            backendRefs: [{name: echo, port: 80}]
      """;

  private static String route(String name, String rules) {
    return "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: " + name
        + ", namespace: default}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n" + rules;
  }

  private static final String BAD_REGEX_WITH_SIBLING = """
          - matches:
              - path: {type: RegularExpression, value: "*.foo.bar.com"}
              - path: {type: PathPrefix, value: /sibling}
            backendRefs: [{name: echo, port: 80}]
          - matches: [{path: {type: PathPrefix, value: /fine}}]
            backendRefs: [{name: echo, port: 80}]
      """;

  private static final String CRLF_HEADER = """
          - matches: [{path: {type: PathPrefix, value: /crlf}}]
            filters:
              - type: RequestHeaderModifier
                requestHeaderModifier: {set: [{name: x-evil, value: "a\\r\\nb"}]}
            backendRefs: [{name: echo, port: 80}]
          - matches: [{path: {type: PathPrefix, value: /fine}}]
            backendRefs: [{name: echo, port: 80}]
      """;

  private static final String SET_HOST = """
          - matches: [{path: {type: PathPrefix, value: /fine}}]
            backendRefs: [{name: echo, port: 80}]
          - matches: [{path: {type: PathPrefix, value: /host}}]
            filters:
              - type: ResponseHeaderModifier
                responseHeaderModifier: {remove: [x-a]}
              - type: RequestHeaderModifier
                requestHeaderModifier: {set: [{name: Host, value: evil.example.com}]}
            backendRefs: [{name: echo, port: 80}]
      """;

  private static TranslationResult translate(RouteReplacement mode, String... routes) {
    return Translations.translate(mode, BASE + String.join("", routes));
  }

  private static Map<String, Route> routes(TranslationResult result) {
    Map<String, Route> out = new TreeMap<>();
    result.gateways().get(GW).routes().forEach(c -> c.getVirtualHostsList()
        .forEach(vh -> vh.getRoutesList().forEach(r -> out.put(r.getName(), r))));
    return out;
  }

  private static Condition condition(TranslationResult result, String route, String type) {
    HTTPRouteStatus status = (HTTPRouteStatus) result.statuses().get(new ResourceKey("HTTPRoute", "default", route));
    return status.getParents().get(0).getConditions().stream().filter(c -> c.getType().equals(type)).findFirst()
        .orElse(null);
  }

  private static void assertPublishable(TranslationResult result) {
    PublishCheck.Verdict verdict = PublishCheck.check(result.gateways().get(GW), new SnapshotValidator());
    assertTrue(verdict.publishable(), verdict.problems().toString());
  }

  @Test
  void anInvalidRegexDropsItsRuleAndTheRestIsServed() {
    TranslationResult good = translate(RouteReplacement.STANDARD);
    TranslationResult result = translate(RouteReplacement.STANDARD, route("bad", BAD_REGEX_WITH_SIBLING));

    Map<String, Route> routes = routes(result);
    assertFalse(routes.containsKey("httproute/default/bad/0/0"), "an invalid match cannot be served");
    assertEquals(500, routes.get("httproute/default/bad/0/1").getDirectResponse().getStatus(),
        "the rule is dropped as a whole: its other match answers 500");
    assertEquals("/sibling", routes.get("httproute/default/bad/0/1").getMatch().getPathSeparatedPrefix());
    assertTrue(routes.get("httproute/default/bad/1/0").hasRoute(), "the valid rule is served");
    assertEquals(routes(good).get("httproute/default/good/0/0"), routes.get("httproute/default/good/0/0"));
    assertPublishable(result);

    assertEquals("True", condition(result, "bad", "Accepted").getStatus());
    Condition partial = condition(result, "bad", "PartiallyInvalid");
    assertEquals("True", partial.getStatus());
    assertEquals("UnsupportedValue", partial.getReason());
    assertTrue(partial.getMessage().startsWith("Dropped Rule 0: spec.rules[0].matches[0].path.value: not a valid RE2"
        + " regex"), partial.getMessage());
    assertTrue(partial.getMessage().contains("[regex.invalid]"), partial.getMessage());
    assertFalse(partial.getMessage().contains("Rule 1"), partial.getMessage());
    assertEquals("True", condition(result, "bad", "ResolvedRefs").getStatus());
    assertNull(condition(result, "good", "PartiallyInvalid"));
  }

  @Test
  void aHeaderValueWithCrLfAnswers500WithTheSameMatchAndSource() {
    TranslationResult result = translate(RouteReplacement.STANDARD, route("bad", CRLF_HEADER));

    Route replaced = routes(result).get("httproute/default/bad/0/0");
    assertEquals(500, replaced.getDirectResponse().getStatus());
    assertEquals("/crlf", replaced.getMatch().getPathSeparatedPrefix());
    assertEquals(0, replaced.getRequestHeadersToAddCount(), "nothing of the invalid route is kept");
    assertEquals("bad", replaced.getMetadata().getFilterMetadataOrThrow("io.gloo.source").getFieldsOrThrow("name")
        .getStringValue());
    assertPublishable(result);
    String message = condition(result, "bad", "PartiallyInvalid").getMessage();
    assertTrue(message.startsWith("Dropped Rule 0: spec.rules[0].filters[0].requestHeaderModifier.set[0].value: "),
        message);
    assertTrue(message.contains("[string.well_known_regex]") && message.endsWith("(its matches answer 500)"),
        message);
    // what gloo_invalid_routes{outcome} shows
    assertEquals(1, result.invalidRoutes(io.gloo.core.translate.xds.InvalidRoute.Outcome.REPLACED));
    assertEquals(0, result.invalidRoutes(io.gloo.core.translate.xds.InvalidRoute.Outcome.DROPPED));
    assertEquals(0, translate(RouteReplacement.STANDARD).invalidRoutes(
        io.gloo.core.translate.xds.InvalidRoute.Outcome.REPLACED));
  }

  @Test
  void settingHostIsRefusedAsEnvoyDoes() {
    TranslationResult result = translate(RouteReplacement.STANDARD, route("bad", SET_HOST));

    assertEquals(500, routes(result).get("httproute/default/bad/1/0").getDirectResponse().getStatus());
    assertTrue(routes(result).get("httproute/default/bad/0/0").hasRoute());
    assertPublishable(result);
    String message = condition(result, "bad", "PartiallyInvalid").getMessage();
    assertTrue(message.startsWith("Dropped Rule 1: spec.rules[1].filters[1].requestHeaderModifier.set[0].name: header"
        + " 'Host' may not be modified"), message);
    assertTrue(message.contains("[header.unmodifiable]"), message);
  }

  @Test
  void strictModeDropsTheRoute() {
    TranslationResult result = translate(RouteReplacement.STRICT, route("bad", CRLF_HEADER));

    assertFalse(routes(result).containsKey("httproute/default/bad/0/0"));
    assertTrue(routes(result).get("httproute/default/bad/1/0").hasRoute());
    assertPublishable(result);
    assertTrue(condition(result, "bad", "PartiallyInvalid").getMessage().endsWith("(its matches are not served)"));
    assertEquals(1, result.invalidRoutes(io.gloo.core.translate.xds.InvalidRoute.Outcome.DROPPED));
    assertEquals(0, result.invalidRoutes(io.gloo.core.translate.xds.InvalidRoute.Outcome.REPLACED));
  }

  @Test
  void aRouteWhoseEveryRuleIsInvalidIsNotAccepted() {
    TranslationResult result = translate(RouteReplacement.STANDARD, route("bad", """
            - matches: [{path: {type: RegularExpression, value: "(unclosed"}}]
              backendRefs: [{name: echo, port: 80}]
        """));

    Condition accepted = condition(result, "bad", "Accepted");
    assertEquals("False", accepted.getStatus());
    assertEquals("UnsupportedValue", accepted.getReason());
    assertTrue(accepted.getMessage().contains("Dropped Rule 0: spec.rules[0].matches[0].path.value"),
        accepted.getMessage());
    assertNull(condition(result, "bad", "PartiallyInvalid"), "must not be set on a fully invalid route");
    assertPublishable(result);
  }

  /** The Gateway API stage reuses status objects across translations: conditions must not pile up. */
  @Test
  void statusesAreTheSameOnEveryTranslation() {
    ResourceSnapshot snapshot = Translations.snapshot(BASE + route("bad", CRLF_HEADER));
    try (Translator translator = new Translator()) {
      TranslationResult first = translator.translate(snapshot);
      TranslationResult second = translator.translate(snapshot);
      assertEquals(first.statuses(), second.statuses());
      assertEquals(first.gateways(), second.gateways());
    }
  }
}
