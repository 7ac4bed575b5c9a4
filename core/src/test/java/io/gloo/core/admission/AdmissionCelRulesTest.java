package io.gloo.core.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Every CEL rule of the v1 Gateway and HTTPRoute CRDs rejects what it forbids, with the CRD's own message (cases in
 * {@code admission/cel-rules.yaml}, one per rule message), and no rule message goes untested.
 */
class AdmissionCelRulesTest {

  static final YAMLMapper YAML = new YAMLMapper();
  private static final String EXPECT = "# expect: ";
  /** Rules that cannot fail on schema-valid data (the schema's enum already says it), so never run alone. */
  private static final Set<String> UNREACHABLE = Set.of("type must be one of ['Exact', 'PathPrefix', 'RegularExpression']");

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> out = new ArrayList<>();
    for (String doc : text().split("\n---\n")) {
      int at = doc.indexOf(EXPECT);
      String expected = doc.substring(at + EXPECT.length(), doc.indexOf('\n', at));
      out.add(Arguments.of(expected, doc));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void ruleRejectsWithTheCrdMessage(String expected, String document) throws IOException {
    List<Violation> violations = admit((ObjectNode) YAML.readTree(document));
    assertTrue(violations.stream().anyMatch(v -> v.message().equals(expected)),
        "expected '" + expected + "' among " + violations);
  }

  @Test
  void everyRuleMessageOfGatewayAndHttpRouteHasACase() throws IOException {
    Set<String> tested = new TreeSet<>();
    cases().forEach(a -> tested.add((String) a.get()[0]));
    Set<String> untested = new TreeSet<>();
    for (String kind : List.of("Gateway", "HTTPRoute")) {
      Crd crd = CrdCatalog.standard().find("gateway.networking.k8s.io", kind).orElseThrow();
      messages(crd.served("v1").orElseThrow().openApiV3Schema().path("properties").path("spec"), untested);
    }
    untested.removeAll(tested);
    untested.removeAll(UNREACHABLE);
    assertEquals(Set.of(), untested);
  }

  @Test
  void aValidGatewayAndRouteAreAdmitted() throws IOException {
    String gateway = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: g, namespace: default}
        spec:
          gatewayClassName: c
          listeners:
          - {name: http, port: 80, protocol: HTTP}
          - {name: https, port: 443, protocol: HTTPS, hostname: a.example.com, tls: {certificateRefs: [{name: s}]}}
        """;
    String route = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: r, namespace: default}
        spec:
          parentRefs: [{name: g, sectionName: http}, {name: g, sectionName: https}]
          rules:
          - matches: [{path: {type: PathPrefix, value: /api}}]
            filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}]
            backendRefs: [{name: s, port: 80}]
          - filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]
        """;
    assertEquals(List.of(), admit((ObjectNode) YAML.readTree(gateway)));
    assertEquals(List.of(), admit((ObjectNode) YAML.readTree(route)));
  }

  static List<Violation> admit(ObjectNode object) {
    String[] apiVersion = object.path("apiVersion").asString().split("/");
    Crd crd = CrdCatalog.standard().find(apiVersion[0], object.path("kind").asString()).orElseThrow();
    return Admission.standard().admit(object, crd, crd.served(apiVersion[1]).orElseThrow());
  }

  private static void messages(JsonNode schema, Set<String> out) {
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      if (!rule.path("rule").asString().contains("oldSelf")) {
        out.add(rule.path("message").asString().strip());
      }
    }
    for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
      messages(p.getValue(), out);
    }
    if (schema.has("items")) {
      messages(schema.get("items"), out);
    }
    if (schema.path("additionalProperties").isObject()) {
      messages(schema.get("additionalProperties"), out);
    }
  }

  private static String text() throws IOException {
    try (InputStream in = AdmissionCelRulesTest.class.getResourceAsStream("/admission/cel-rules.yaml")) {
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return all.substring(all.indexOf(EXPECT)); // the file's header comment is not a case
    }
  }
}
