package io.gloo.core.translate.gatewayapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.evaluate.RouteDecision;
import io.gloo.core.evaluate.RouteEvaluator;
import io.gloo.core.evaluate.TestRequest;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translations;
import io.gloo.core.translate.Translator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Gloo Gateway's DirectResponse as the route evaluator sees it (the golden case {@code direct-response} pins the xDS
 * and the statuses): the answer is the DirectResponse's, and follows it when only the DirectResponse changes (the
 * route's translation is not reused then).
 */
class DirectResponseTest {

  private static final String ROUTE = """
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
        listeners: [{name: http, protocol: HTTP, port: 80}]
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: maintenance, namespace: default}
      spec:
        parentRefs: [{name: gw}]
        rules:
          - matches: [{path: {type: PathPrefix, value: /shop}}]
            filters:
              - type: ExtensionRef
                extensionRef: {group: gateway.gloo.solo.io, kind: DirectResponse, name: down}
      """;

  private static String directResponse(int status, String body) {
    return "---\napiVersion: gateway.gloo.solo.io/v1alpha1\nkind: DirectResponse\n"
        + "metadata: {name: down, namespace: default}\nspec: {status: " + status + ", body: \"" + body + "\"}\n";
  }

  /** The route's objects (the same instances each time, as a config source serves unchanged objects) and more. */
  private static ResourceSnapshot snapshot(List<HasMetadata> route, String more) {
    List<HasMetadata> all = new ArrayList<>(route);
    if (!more.isEmpty()) {
      all.addAll(Translations.parse(more));
    }
    return ResourceSnapshot.of(all, List.of());
  }

  private static RouteDecision shop(TranslationResult result) {
    return RouteEvaluator.evaluate(result.gateways().get(new ResourceKey("Gateway", "default", "gw")),
        TestRequest.get("example.com", "/shop/cart"));
  }

  @Test
  void answersWithTheDirectResponseAndFollowsItsChanges() {
    var route = Translations.parse(ROUTE);
    try (Translator translator = new Translator()) {
      RouteDecision first = shop(translator.translate(snapshot(route, directResponse(503, "back soon"))));
      assertEquals(RouteDecision.Outcome.DIRECT_RESPONSE, first.outcome());
      assertEquals(503, first.status());
      assertEquals("back soon", first.body());

      // only the DirectResponse changed (the HTTPRoute is the same object): the route's previous translation must
      // not be reused
      RouteDecision second = shop(translator.translate(snapshot(route, directResponse(200, "open"))));
      assertEquals(200, second.status());
      assertEquals("open", second.body());

      // gone: the rule answers 500 and the route says why
      TranslationResult third = translator.translate(snapshot(route, ""));
      assertEquals(500, shop(third).status());
      String status = String.valueOf(third.statuses().get(new ResourceKey("HTTPRoute", "default", "maintenance")));
      assertTrue(status.contains("ExtensionRef DirectResponse default/down not found"), status);
      assertTrue(status.contains("BackendNotFound"), status);
    }
  }
}
