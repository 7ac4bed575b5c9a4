package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.gloo.core.store.SourceProblem;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Served versions are converted as an API server converts them; unserved versions and unknown kinds are problems. */
class ServedVersionsTest {

  private final ManifestParser parser = new ManifestParser();

  @Test
  void servedOlderVersionsAreConvertedToTheStoredVersion() {
    ManifestParser.Result result = parser.parse("old.yaml", """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: GatewayClass
        metadata: {name: gloo}
        spec: {controllerName: solo.io/gloo-gateway}
        ---
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: Gateway
        metadata: {name: gw}
        spec:
          gatewayClassName: gloo
          listeners: [{name: http, port: 80, protocol: HTTP}]
        ---
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: HTTPRoute
        metadata: {name: r}
        spec:
          parentRefs: [{name: gw}]
          rules: [{backendRefs: [{name: svc, port: 80}]}]
        ---
        apiVersion: gateway.networking.k8s.io/v1alpha3
        kind: BackendTLSPolicy
        metadata: {name: p}
        spec:
          targetRefs: [{group: "", kind: Service, name: svc}]
          validation: {hostname: svc.example.com, wellKnownCACertificates: System}
        """);
    assertEquals(List.of(), result.problems());
    List<HasMetadata> read = result.resources();
    assertEquals(4, read.size());
    assertTrue(read.get(0) instanceof GatewayClass);
    assertTrue(read.get(1) instanceof Gateway);
    assertTrue(read.get(2) instanceof HTTPRoute);
    for (HasMetadata r : read) {
      assertEquals("gateway.networking.k8s.io/v1", r.getApiVersion(), r.getKind());
    }
    assertEquals(80, ((Gateway) read.get(1)).getSpec().getListeners().get(0).getPort());
  }

  @Test
  void anOlderVersionIsAdmittedAgainstItsOwnSchema() {
    ManifestParser.Result result = parser.parse("old.yaml", """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: Gateway
        metadata: {name: gw}
        spec:
          gatewayClassName: gloo
          listeners: [{name: a, port: 443, protocol: HTTPS, tls: {mode: Passthrough}}]
        """);
    assertEquals(List.of(), result.resources());
    assertEquals("Gateway default/gw: spec.listeners: tls mode must be Terminate for protocol HTTPS",
        result.problems().get(0).message());
  }

  @Test
  void unservedVersionsUnknownKindsAndUnservedGlooKindsAreProblemsOnTheirFile() {
    ManifestParser.Result result = parser.parse("kinds.yaml", """
        apiVersion: gateway.networking.k8s.io/v9
        kind: Gateway
        metadata: {name: a}
        ---
        apiVersion: gateway.networking.k8s.io/v1alpha2
        kind: GRPCRoute
        metadata: {name: b}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoutes
        metadata: {name: c}
        ---
        apiVersion: v1
        kind: Servce
        metadata: {name: d}
        ---
        apiVersion: gateway.solo.io/v1
        kind: ListenerOption
        metadata: {name: e}
        ---
        apiVersion: gateway.solo.io/v1
        kind: RouteOption
        metadata: {name: f}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: TrafficSplit
        metadata: {name: g}
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: h}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: i}
        """);
    assertEquals(List.of(), result.resources());
    List<String> messages = result.problems().stream().map(SourceProblem::message).toList();
    assertEquals(List.of(
        "Gateway (gateway.networking.k8s.io/v9): version v9 of Gateway is not served; Gateway API v1.6.1 serves v1, "
            + "v1beta1",
        "GRPCRoute (gateway.networking.k8s.io/v1alpha2): version v1alpha2 of GRPCRoute is not served; "
            + "Gateway API v1.6.1 serves v1",
        "HTTPRoutes (gateway.networking.k8s.io/v1): unknown kind HTTPRoutes in gateway.networking.k8s.io; "
            + "did you mean HTTPRoute?",
        "Servce (v1): unknown kind Servce in the core group; did you mean Service?",
        "ListenerOption (gateway.solo.io/v1) is not served by any loaded plugin; no plugin of this distribution "
            + "serves this Gloo kind (Gloo Gateway's ListenerOption is not implemented); it is ignored",
        "RouteOption (gateway.solo.io/v1) is not served by any loaded plugin; the 'routeoption' plugin of the "
            + "enterprise distribution serves it (load it with --plugins-dir); it is ignored",
        "TrafficSplit (gateway.networking.k8s.io/v1) is not a kind of Gateway API v1.6.1 that this control plane reads; "
            + "it is ignored",
        "Widget (example.com/v1) is not served by any loaded plugin nor known to gloo; it is ignored"), messages);
    assertEquals(List.of(1, 5, 9, 13, 17, 21, 25, 29),
        result.problems().stream().map(SourceProblem::line).toList());
    // reported, but the file is not broken: its last good version is not held for documents that are not read
    assertEquals(false, result.hasProblems());
    assertEquals(true, parser.parse("bad.yaml", "apiVersion: v1\nkind: Widgets\nmetadata: {name: a}\n---\n"
        + "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\n"
        + "spec: {rules: [{backendRefs: [{name: s}]}]}\n").hasProblems());
  }
}
