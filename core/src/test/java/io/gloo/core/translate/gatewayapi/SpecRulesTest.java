package io.gloo.core.translate.gatewayapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translations;
import io.gloo.core.translate.XdsResources;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Gateway API rules the translator must follow beyond the conformance suite: attachment independent of listener
 * health, OverlappingTLSConfig, the 16-ancestor cap, PartiallyInvalid wording, and values the API server's schema
 * or Envoy refuse (ports, hostnames, header names) turned into conditions instead of xDS.
 */
class SpecRulesTest {

  private static final ResourceKey GW = new ResourceKey("Gateway", "default", "gw");

  static final String CLASS = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata: {name: gloo-gateway}
      spec: {controllerName: solo.io/gloo-gateway}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: app, namespace: default}
      spec: {ports: [{port: 8080}]}
      ---
      """;

  static TranslationResult translate(String yaml) {
    return Translations.translate(CLASS + yaml);
  }

  /** The golden case's self-signed {@code *.example.com} certificate Secret, in namespace default. */
  static String wildcardSecret() throws IOException {
    String input = Files.readString(GoldenFiles.sourceDir("golden/https").resolve("input.yaml"));
    for (String doc : input.split("(?m)^---$")) {
      if (doc.contains("name: wildcard-cert, namespace: default")) {
        return doc.strip() + "\n---\n";
      }
    }
    throw new AssertionError("no wildcard-cert in golden/https");
  }

  static ListenerStatus listener(TranslationResult r, String name) {
    GatewayStatus status = (GatewayStatus) r.statuses().get(GW);
    return status.getListeners().stream().filter(l -> l.getName().equals(name)).findFirst().orElseThrow();
  }

  static Condition condition(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElse(null);
  }

  static RouteParentStatus parent(TranslationResult r, String route, String section) {
    HTTPRouteStatus status = (HTTPRouteStatus) r.statuses().get(new ResourceKey("HTTPRoute", "default", route));
    assertNotNull(status, "status of HTTPRoute " + route);
    return status.getParents().stream().filter(p -> java.util.Objects.equals(section, p.getParentRef()
        .getSectionName())).findFirst().orElseThrow(() -> new AssertionError(status.getParents().toString()));
  }

  static List<String> domains(XdsResources xds) {
    List<String> out = new ArrayList<>();
    for (RouteConfiguration rc : xds.routes()) {
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        out.addAll(vh.getDomainsList());
      }
    }
    return out;
  }

  static String route(String name, String sectionName, String hostnames) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: %s, namespace: default}
        spec:
          parentRefs: [{name: gw%s}]
          %s
          rules: [{backendRefs: [{name: app, port: 8080}]}]
        ---
        """.formatted(name, sectionName == null ? "" : ", sectionName: " + sectionName,
        hostnames == null ? "" : "hostnames: " + hostnames);
  }

  // ---- attachment vs listener health

  @Test
  void routesAttachToListenersThatCannotBeServedAndAreCounted() {
    TranslationResult r = translate("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          gatewayClassName: gloo-gateway
          listeners:
          - {name: http, protocol: HTTP, port: 80}
          - name: missing-cert
            protocol: HTTPS
            port: 443
            tls: {certificateRefs: [{name: nope}]}
          - {name: dup-a, protocol: HTTP, port: 8080, hostname: a.example.com}
          - {name: dup-b, protocol: HTTP, port: 8080, hostname: a.example.com}
        ---
        """ + route("to-missing", "missing-cert", null) + route("to-dup", "dup-a", null));
    ListenerStatus missing = listener(r, "missing-cert");
    assertEquals(1, missing.getAttachedRoutes());
    assertEquals("False", condition(missing.getConditions(), "Programmed").getStatus());
    assertEquals(1, listener(r, "dup-a").getAttachedRoutes());
    assertEquals("True", condition(listener(r, "dup-a").getConditions(), "Conflicted").getStatus());
    for (String route : List.of("to-missing", "to-dup")) {
      Condition accepted = condition(parent(r, route, route.equals("to-missing") ? "missing-cert" : "dup-a")
          .getConditions(), "Accepted");
      assertEquals("True", accepted.getStatus(), route + ": " + accepted);
    }
    // neither unhealthy listener is served: only port 80 reaches Envoy
    XdsResources xds = r.gateways().get(GW);
    assertEquals(List.of(80), xds.listeners().stream()
        .map(l -> l.getAddress().getSocketAddress().getPortValue()).toList());
  }

  // ---- listener values

  @Test
  void listenerPortsOutsideThePortRangeAreNotAcceptedAndNeverReachEnvoy() {
    TranslationResult r = translate("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          gatewayClassName: gloo-gateway
          listeners:
          - {name: ok, protocol: HTTP, port: 80}
          - {name: negative, protocol: HTTP, port: -5}
          - {name: zero, protocol: HTTP, port: 0}
          - {name: huge, protocol: HTTP, port: 70000}
        ---
        """ + route("r", null, null));
    for (String name : List.of("negative", "zero", "huge")) {
      ListenerStatus l = listener(r, name);
      Condition accepted = condition(l.getConditions(), "Accepted");
      assertEquals("False", accepted.getStatus(), name);
      assertEquals("PortUnavailable", accepted.getReason(), name);
      assertTrue(accepted.getMessage().contains(".port: "), accepted.getMessage());
      assertEquals("False", condition(l.getConditions(), "Programmed").getStatus(), name);
      assertEquals("Invalid", condition(l.getConditions(), "Programmed").getReason(), name);
    }
    assertTrue(condition(listener(r, "huge").getConditions(), "Accepted").getMessage()
        .startsWith("spec.listeners[3].port: port 70000"));
    assertEquals("True", condition(listener(r, "ok").getConditions(), "Programmed").getStatus());
    XdsResources xds = r.gateways().get(GW);
    assertEquals(List.of(80), xds.listeners().stream()
        .map(l -> l.getAddress().getSocketAddress().getPortValue()).toList());
    GatewayStatus gw = (GatewayStatus) r.statuses().get(GW);
    assertEquals("ListenersNotValid", condition(gw.getConditions(), "Accepted").getReason());
  }

  @Test
  void malformedListenerHostnameIsNotAccepted() {
    TranslationResult r = translate("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          gatewayClassName: gloo-gateway
          listeners:
          - {name: ok, protocol: HTTP, port: 80}
          - {name: bad, protocol: HTTP, port: 81, hostname: "a..b"}
        ---
        """);
    Condition accepted = condition(listener(r, "bad").getConditions(), "Accepted");
    assertEquals("False", accepted.getStatus());
    assertTrue(accepted.getMessage().startsWith("spec.listeners[1].hostname: "), accepted.getMessage());
    assertEquals(1, r.gateways().get(GW).listeners().size());
  }

  // ---- route hostnames

  @Test
  void invalidRouteHostnamesAreIgnoredWithAMessageAndNeverBecomeEnvoyDomains() {
    TranslationResult r = translate("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          gatewayClassName: gloo-gateway
          listeners: [{name: http, protocol: HTTP, port: 80}]
        ---
        """ + route("mixed", null, "[\"foo.*.example.com\", \"*.*.com\", \"a..b\", \"*\", \"good.example.com\"]")
        + route("all-bad", null, "[\"*\", \"a..b\"]"));
    assertEquals(List.of("good.example.com"), domains(r.gateways().get(GW)));
    Condition mixed = condition(parent(r, "mixed", null).getConditions(), "Accepted");
    assertEquals("True", mixed.getStatus());
    for (int i = 0; i < 4; i++) {
      assertTrue(mixed.getMessage().contains("spec.hostnames[" + i + "]"), mixed.getMessage());
    }
    Condition allBad = condition(parent(r, "all-bad", null).getConditions(), "Accepted");
    assertEquals("False", allBad.getStatus());
    assertEquals("UnsupportedValue", allBad.getReason());
    assertTrue(allBad.getMessage().contains("spec.hostnames[1]"), allBad.getMessage());
    assertEquals(1, listener(r, "http").getAttachedRoutes());
  }

  @Test
  void hostnameSyntax() {
    for (String bad : List.of("foo.*.example.com", "*.*.com", "a..b", "*", "", "-a.com", "1.2.3.4", "a_b.com",
        "x".repeat(64) + ".com", "a." + "b".repeat(250))) {
      assertNotNull(SpecValues.hostname(bad), bad);
    }
    for (String good : List.of("example.com", "*.example.com", "a-b.c", "localhost", "Foo.Example.COM")) {
      assertNull(SpecValues.hostname(good), good);
    }
  }

  // ---- header names and PartiallyInvalid

  @Test
  void anOversizedHeaderNameDropsItsRuleWithTheSpecsPartiallyInvalidPrefix() {
    String longName = "x".repeat(10 * 1024);
    TranslationResult r = translate("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          gatewayClassName: gloo-gateway
          listeners: [{name: http, protocol: HTTP, port: 80}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: headers, namespace: default}
        spec:
          parentRefs: [{name: gw}]
          rules:
          - matches: [{path: {type: PathPrefix, value: /edit}}]
            filters:
            - type: RequestHeaderModifier
              requestHeaderModifier: {set: [{name: %s, value: v}]}
            backendRefs: [{name: app, port: 8080}]
          - matches: [{path: {type: PathPrefix, value: /match}, headers: [{name: "bad header", value: v}]}]
            backendRefs: [{name: app, port: 8080}]
          - matches: [{path: {type: PathPrefix, value: /query}, queryParams: [{name: "%s", value: v}]}]
            backendRefs: [{name: app, port: 8080}]
          - backendRefs: [{name: app, port: 8080}]
        ---
        """.formatted(longName, longName));
    RouteParentStatus p = parent(r, "headers", null);
    assertEquals("True", condition(p.getConditions(), "Accepted").getStatus());
    Condition partial = condition(p.getConditions(), "PartiallyInvalid");
    assertNotNull(partial, p.toString());
    assertEquals("UnsupportedValue", partial.getReason());
    assertTrue(partial.getMessage().startsWith("Dropped Rule"), partial.getMessage());
    assertTrue(partial.getMessage().contains("rule 0 filters[0].requestHeaderModifier.set[0].name"),
        partial.getMessage());
    assertTrue(partial.getMessage().contains("rule 1 matches[0]: headers[0].name"), partial.getMessage());
    assertTrue(partial.getMessage().contains("rule 2 matches[0]: queryParams[0].name: query parameter name of 10240"),
        partial.getMessage());
    assertTrue(partial.getMessage().length() < 2048, "the message does not carry the 10 KB name");
    String xds = r.gateways().get(GW).routes().toString();
    assertFalse(xds.contains(longName), "the header name never reaches Envoy");
    assertFalse(xds.contains("bad header"));
  }

  @Test
  void redirectAndRewriteHostnamesMustBePrecise() {
    var redirect = new io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilterBuilder()
        .withType("RequestRedirect").withNewRequestRedirect().withHostname("*.example.com").endRequestRedirect()
        .build();
    assertTrue(FilterValues.invalid(redirect).startsWith("requestRedirect.hostname: "), FilterValues.invalid(redirect));
    var rewrite = new io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilterBuilder()
        .withType("URLRewrite").withNewUrlRewrite().withHostname("a..b").endUrlRewrite().build();
    assertTrue(FilterValues.invalid(rewrite).startsWith("urlRewrite.hostname: "), FilterValues.invalid(rewrite));
    var fine = new io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilterBuilder()
        .withType("URLRewrite").withNewUrlRewrite().withHostname("api.example.com").endUrlRewrite().build();
    assertNull(FilterValues.invalid(fine));
  }

  @Test
  void partiallyInvalidIsNotSetOnAParentThatDidNotAcceptTheRoute() {
    TranslationResult r = translate("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          gatewayClassName: gloo-gateway
          listeners: [{name: http, protocol: HTTP, port: 80}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: partial, namespace: default}
        spec:
          parentRefs: [{name: gw}, {name: gw, sectionName: nope}]
          rules:
          - matches: [{path: {type: PathPrefix, value: /a}, headers: [{name: "bad header", value: v}]}]
            backendRefs: [{name: app, port: 8080}]
          - backendRefs: [{name: app, port: 8080}]
        ---
        """);
    assertNotNull(condition(parent(r, "partial", null).getConditions(), "PartiallyInvalid"));
    RouteParentStatus rejected = parent(r, "partial", "nope");
    assertEquals("False", condition(rejected.getConditions(), "Accepted").getStatus());
    assertNull(condition(rejected.getConditions(), "PartiallyInvalid"), rejected.toString());
  }

  // ---- OverlappingTLSConfig

  @Test
  void overlappingHttpsHostnamesOnAPortAreMarkedOnBothListeners() throws IOException {
    TranslationResult r = translate(wildcardSecret() + """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          gatewayClassName: gloo-gateway
          listeners:
          - {name: a, protocol: HTTPS, port: 443, hostname: foo.example.com, tls: {certificateRefs: [{name: wildcard-cert}]}}
          - {name: b, protocol: HTTPS, port: 443, hostname: foo.example.org, tls: {certificateRefs: [{name: wildcard-cert}]}}
          - {name: c, protocol: HTTPS, port: 443, hostname: "*.example.com", tls: {certificateRefs: [{name: wildcard-cert}]}}
          - {name: d, protocol: HTTPS, port: 8443, hostname: foo.example.com, tls: {certificateRefs: [{name: wildcard-cert}]}}
          - {name: e, protocol: HTTP, port: 80, hostname: "*.example.com"}
          - {name: f, protocol: HTTP, port: 80, hostname: foo.example.com}
        ---
        """);
    for (String name : List.of("a", "c")) {
      Condition overlap = condition(listener(r, name).getConditions(), "OverlappingTLSConfig");
      assertNotNull(overlap, name);
      assertEquals("True", overlap.getStatus());
      assertEquals("OverlappingHostnames", overlap.getReason());
      assertTrue(overlap.getMessage().contains(name.equals("a") ? "c" : "a"), overlap.getMessage());
      // still served: the condition informs, it does not reject
      assertEquals("True", condition(listener(r, name).getConditions(), "Programmed").getStatus());
    }
    for (String name : List.of("b", "d", "e", "f")) {
      assertNull(condition(listener(r, name).getConditions(), "OverlappingTLSConfig"), name);
    }
  }

  @Test
  void overlapRules() {
    assertTrue(OverlappingTls.overlap("*.example.com", "foo.example.com"));
    assertTrue(OverlappingTls.overlap(null, "foo.example.com"));
    assertTrue(OverlappingTls.overlap("*.example.com", "*.a.example.com"));
    assertFalse(OverlappingTls.overlap("foo.example.com", "foo.example.org"));
    assertFalse(OverlappingTls.overlap("foo.example.com", "FOO.example.com"));
    assertFalse(OverlappingTls.overlap(null, null));
    assertFalse(OverlappingTls.overlap("*.example.com", "example.com"));
  }

  // ---- PolicyStatus.Ancestors MaxItems=16

  @Test
  void backendTlsPolicyListsAtMostSixteenAncestorsTheOldestGateways() {
    StringBuilder yaml = new StringBuilder("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: ca, namespace: default}
        data: {ca.crt: "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n"}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: BackendTLSPolicy
        metadata: {name: tls, namespace: default}
        spec:
          targetRefs: [{group: "", kind: Service, name: app}]
          validation: {wellKnownCACertificates: System, hostname: app.example.com}
        ---
        """);
    for (int i = 0; i < 18; i++) {
      // created in reverse name order: the oldest are gw-17, gw-16, ...
      yaml.append("""
          apiVersion: gateway.networking.k8s.io/v1
          kind: Gateway
          metadata: {name: gw-%02d, namespace: default, creationTimestamp: "2026-01-01T00:00:%02dZ"}
          spec:
            gatewayClassName: gloo-gateway
            listeners: [{name: http, protocol: HTTP, port: 80}]
          ---
          apiVersion: gateway.networking.k8s.io/v1
          kind: HTTPRoute
          metadata: {name: r-%02d, namespace: default}
          spec:
            parentRefs: [{name: gw-%02d}]
            rules: [{backendRefs: [{name: app, port: 8080}]}]
          ---
          """.formatted(i, 59 - i, i, i));
    }
    TranslationResult r = translate(yaml.toString());
    PolicyStatus status = (PolicyStatus) r.statuses().get(new ResourceKey("BackendTLSPolicy", "default", "tls"));
    List<String> names = status.getAncestors().stream().map(PolicyAncestorStatus::getAncestorRef)
        .map(ref -> ref.getName()).sorted().toList();
    assertEquals(BackendTlsPolicies.MAX_ANCESTORS, names.size());
    assertFalse(names.contains("gw-00"), names.toString());
    assertFalse(names.contains("gw-01"), names.toString());
    assertTrue(names.contains("gw-17"), names.toString());
  }
}
