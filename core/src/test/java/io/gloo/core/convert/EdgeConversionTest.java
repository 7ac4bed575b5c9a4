package io.gloo.core.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The conversion's mapping, resource by resource (the round trip is {@link EdgeRoundTripTest}). */
class EdgeConversionTest {

  @TempDir
  Path temp;

  private EdgeConversion.Result convert(String yaml) throws IOException {
    Path f = temp.resolve("in.yaml");
    Files.writeString(f, yaml);
    return EdgeConversion.convert(ConvertedManifests.read(List.of(f)));
  }

  private static JsonNode find(EdgeConversion.Result r, String kind, String name) {
    return r.resources().stream().map(EdgeConversion.Resource::object)
        .filter(o -> o.path("kind").asString().equals(kind) && o.path("metadata").path("name").asString().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + r.resources()));
  }

  private static final String VS = """
      apiVersion: gateway.solo.io/v1
      kind: VirtualService
      metadata: {name: shop, namespace: web}
      spec:
        virtualHost:
          domains: [shop.example.com]
          options: {cors: {allowOrigin: ["*"]}}
          routes:
            - matchers: [{prefix: /api}]
              routeAction: {upstreamGroup: {name: split, namespace: backends}}
            - name: Admin
              matchers: [{exact: /api/admin, methods: [GET, POST]}]
              options: {timeout: 1s}
              routeAction: {single: {kube: {ref: {name: admin, namespace: backends}, port: 8080}}}
      ---
      apiVersion: gloo.solo.io/v1
      kind: UpstreamGroup
      metadata: {name: split, namespace: backends}
      spec:
        destinations:
          - weight: 3
            destination: {upstream: {name: a, namespace: backends}}
          - weight: 1
            destination: {kube: {ref: {name: b, namespace: backends}, port: 80}}
      """;

  @Test
  void routesBecomeRulesWithWeightedBackendRefsAndGrants() throws IOException {
    EdgeConversion.Result r = convert(VS);
    JsonNode route = find(r, "HTTPRoute", "shop");
    assertEquals("[\"shop.example.com\"]", route.path("spec").path("hostnames").toString());
    assertEquals("{\"name\":\"gateway-proxy\",\"namespace\":\"gloo-system\",\"sectionName\":\"gateway-proxy\"}",
        route.path("spec").path("parentRefs").get(0).toString());
    JsonNode rules = route.path("spec").path("rules");
    assertEquals("[{\"group\":\"gloo.solo.io\",\"kind\":\"Upstream\",\"name\":\"a\",\"namespace\":\"backends\","
        + "\"weight\":3},{\"name\":\"b\",\"namespace\":\"backends\",\"port\":80,\"weight\":1}]",
        rules.get(0).path("backendRefs").toString(), "the UpstreamGroup inlined");
    assertEquals("admin", rules.get(1).path("name").asString());
    assertEquals(2, rules.get(1).path("matches").size(), "one match per method");
    assertEquals("POST", rules.get(1).path("matches").get(1).path("method").asString());
    JsonNode grant = find(r, "ReferenceGrant", "gloo-convert-httproute-web");
    assertEquals("backends", grant.path("metadata").path("namespace").asString());
    assertEquals(2, grant.path("spec").path("to").size(), "Upstream and Service: " + grant);
    JsonNode option = find(r, "RouteOption", "shop-admin");
    assertEquals("admin", option.path("spec").path("targetRefs").get(0).path("sectionName").asString());
    assertEquals("1s", option.path("spec").path("options").path("timeout").asString());
    JsonNode vho = find(r, "VirtualHostOption", "web-shop");
    assertEquals("gloo-system", vho.path("metadata").path("namespace").asString());
    assertTrue(r.notes().all().stream().anyMatch(n -> n.contains("route 1: path /api/admin is already matched by"
        + " route 0 (prefix /api), so Gloo Edge never serves it there")), r.notes().all().toString());
    assertTrue(r.notes().all().stream().anyMatch(n -> n.contains("UpstreamGroup backends/split is inlined")));
  }

  @Test
  void edgeGatewaysOfOneProxyBecomeListenersOfOneGateway() throws IOException {
    EdgeConversion.Result r = convert("""
        apiVersion: gateway.solo.io/v1
        kind: Gateway
        metadata: {name: http, namespace: edge}
        spec: {bindPort: 8080, useProxyProto: true, httpGateway: {virtualServiceSelector: {app: shop}}}
        ---
        apiVersion: gateway.solo.io/v1
        kind: Gateway
        metadata: {name: https, namespace: edge}
        spec: {bindPort: 8443, ssl: true}
        ---
        apiVersion: gateway.solo.io/v1
        kind: VirtualService
        metadata: {name: shop, namespace: web, labels: {app: shop}}
        spec:
          virtualHost: {routes: [{directResponseAction: {status: 200, body: ok}}]}
        ---
        apiVersion: gateway.solo.io/v1
        kind: VirtualService
        metadata: {name: secure, namespace: web}
        spec:
          sslConfig: {secretRef: {name: cert}, sniDomains: [a.example.com, b.example.com]}
          virtualHost: {domains: [a.example.com, b.example.com], routes: [{redirectAction: {hostRedirect: x}}]}
        """);
    JsonNode gw = find(r, "Gateway", "gateway-proxy");
    assertEquals("edge", gw.path("metadata").path("namespace").asString());
    JsonNode listeners = gw.path("spec").path("listeners");
    assertEquals(3, listeners.size(), listeners.toString());
    assertEquals("HTTP", listeners.get(0).path("protocol").asString());
    assertEquals("b.example.com", listeners.get(2).path("hostname").asString());
    assertEquals("web", listeners.get(2).path("tls").path("certificateRefs").get(0).path("namespace").asString());
    find(r, "ReferenceGrant", "gloo-convert-gateway-edge");
    find(r, "DirectResponse", "shop-route-0");
    find(r, "GatewayClass", "gloo-gateway");
    assertEquals(301, find(r, "HTTPRoute", "secure").path("spec").path("rules").get(0).path("filters").get(0)
        .path("requestRedirect").path("statusCode").asInt(), "Edge's default redirect code, written out");
    assertTrue(r.notes().all().stream().anyMatch(n -> n.contains("useProxyProto has no Gateway API equivalent")));
  }

  @Test
  void stringPrefixesBecomeRegexesDirectResponsesAreServedAndDelegatedOptionsAreMerged() throws IOException {
    EdgeConversion.Result r = convert("""
        apiVersion: gateway.solo.io/v1
        kind: VirtualService
        metadata: {name: shop, namespace: web}
        spec:
          virtualHost:
            routes:
              - matchers: [{prefix: /v1.0}]
                optionsConfigRefs:
                  delegateOptions: [{name: shared}, {name: absent}]
                options: {timeout: 1s}
                routeAction: {single: {kube: {ref: {name: api}, port: 80}}}
              - matchers: [{prefix: /old}]
                options: {prefixRewrite: /new}
                routeAction: {single: {kube: {ref: {name: api}, port: 80}}}
              - matchers: [{prefix: /teams}]
                delegateAction: {ref: {name: teams}}
              - matchers: [{prefix: /}]
                directResponseAction: {status: 404, body: nothing here}
              - matchers: [{prefix: /moved}]
                redirectAction: {prefixRewrite: /here}
        ---
        apiVersion: gateway.solo.io/v1
        kind: RouteTable
        metadata: {name: teams, namespace: web}
        spec:
          routes:
            - matchers: [{prefix: /teams/a}]
              routeAction: {single: {kube: {ref: {name: a}, port: 80}}}
        ---
        apiVersion: gateway.solo.io/v1
        kind: RouteOption
        metadata: {name: shared, namespace: web}
        spec:
          options: {timeout: 9s, retries: {numRetries: 2}}
        """);
    JsonNode rules = find(r, "HTTPRoute", "shop").path("spec").path("rules");
    assertEquals("{\"type\":\"RegularExpression\",\"value\":\"/v1\\\\.0.*\"}",
        rules.get(0).path("matches").get(0).path("path").toString(), "Gloo's string prefix, exactly");
    assertEquals("{\"type\":\"RegularExpression\",\"value\":\"/old.*\"}",
        rules.get(1).path("matches").get(0).path("path").toString());
    assertEquals("{\"regexRewrite\":{\"pattern\":{\"regex\":\"^/old\"},\"substitution\":\"/new\"}}",
        find(r, "RouteOption", "shop-route-1").path("spec").path("options").toString(),
        "the prefix rewrite that a regex match keeps exact");
    assertEquals("PathPrefix", rules.get(4).path("matches").get(0).path("path").path("type").asString(),
        "a redirect's prefixRewrite needs ReplacePrefixMatch, which needs a PathPrefix");
    assertEquals("PathPrefix", rules.get(2).path("matches").get(0).path("path").path("type").asString(),
        "a delegating parent's prefix is only a string-prefix check on its children");
    assertEquals("{\"type\":\"RegularExpression\",\"value\":\"/teams/a.*\"}",
        find(r, "HTTPRoute", "teams").path("spec").path("rules").get(0).path("matches").get(0).path("path")
            .toString());
    assertEquals("{\"type\":\"PathPrefix\",\"value\":\"/\"}",
        rules.get(3).path("matches").get(0).path("path").toString());
    JsonNode options = find(r, "RouteOption", "shop-route-0").path("spec").path("options");
    assertEquals("{\"timeout\":\"1s\",\"retries\":{\"numRetries\":2}}", options.toString(),
        "inline options win, then the reference's other fields");
    JsonNode dr = find(r, "DirectResponse", "shop-route-3");
    assertEquals("{\"status\":404,\"body\":\"nothing here\"}", dr.path("spec").toString());
    List<String> notes = r.notes().all();
    assertTrue(notes.stream().anyMatch(n -> n.contains("names RouteOption web/absent, which the input does not"
        + " hold")), notes.toString());
    assertTrue(notes.stream().anyMatch(n -> n.contains("prefix /moved kept as PathPrefix because the route"
        + " rewrites")),
        notes.toString());
    assertTrue(notes.stream().noneMatch(n -> n.contains("DirectResponse yet") || n.contains("/v1.0")
        || n.contains("/teams")), notes.toString());
  }
}
