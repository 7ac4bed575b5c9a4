package io.gloo.core.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gloo.core.evaluate.RouteDecision.Outcome;
import org.junit.jupiter.api.Test;

/** Requests to Services with a BackendTLSPolicy (golden case {@code backend-tls}). */
class RouteEvaluatorBackendTlsTest {

  private static RouteDecision get(RouteEvaluator ev, String path) {
    return ev.evaluate(TestRequest.builder().port(80).authority("abc.example.com").path(path).build());
  }

  @Test
  void tlsBackendsAreForwardedToAndUnacceptedPoliciesAnswer500() {
    RouteEvaluator ev = new RouteEvaluator(RouteEvaluatorGatewayFeaturesTest.xds("backend-tls"));
    RouteDecision ca = get(ev, "/ca");
    assertEquals(Outcome.FORWARD, ca.outcome());
    assertEquals("kube_default_secure_443", ca.cluster());
    assertEquals("kube_default_public_443", get(ev, "/system").cluster());
    assertEquals("kube_default_secure_80", get(ev, "/whole").cluster());
    // the policy has no valid CA certificate: never plaintext, the route answers 500
    assertEquals(500, get(ev, "/noca").status());
  }
}
