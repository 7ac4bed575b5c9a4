package io.gloo.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The harness pieces: placeholders, endpoint synthesis, certificates, patches, status matching, and failing. */
class ConformanceHarnessTest {

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  @Test
  void fillsPlaceholders() {
    String filled = ConformanceSuite.fillPlaceholders(
        "gatewayClassName: \"{GATEWAY_CLASS_NAME}\"\ncontrollerName: {GATEWAY_CONTROLLER_NAME} {CONTROLLER_NAME}");
    assertEquals("gatewayClassName: \"gloo-gateway\"\ncontrollerName: solo.io/gloo-gateway solo.io/gloo-gateway",
        filled);
  }

  @Test
  void replacesAddressPlaceholdersInGateways() {
    ConformanceWorld world = new ConformanceWorld();
    world.apply("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: g, namespace: ns}
        spec:
          gatewayClassName: "{GATEWAY_CLASS_NAME}"
          addresses:
          - value: PLACEHOLDER_UNUSABLE_ADDRS
          - value: PLACEHOLDER_USABLE_ADDRS
          listeners: [{name: http, port: 80, protocol: HTTP}]
        """);
    ObjectNode gw = world.get("Gateway", "ns", "g");
    assertEquals("gloo-gateway", gw.path("spec").path("gatewayClassName").asString());
    assertEquals(ConformanceSuite.UNUSABLE_ADDRESS, gw.path("spec").path("addresses").get(0).path("value").asString());
    assertEquals("IPAddress", gw.path("spec").path("addresses").get(1).path("type").asString());
    assertEquals(1, gw.path("metadata").path("generation").asLong());
  }

  @Test
  void synthesizesOneReadyEndpointPerService() {
    ConformanceWorld world = new ConformanceWorld();
    world.apply("""
        apiVersion: v1
        kind: Service
        metadata: {name: svc, namespace: ns}
        spec:
          selector: {app: echo}
          ports:
          - {name: http, port: 8080, targetPort: 3000}
          - {name: named, port: 8081, targetPort: web}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: echo-deploy, namespace: ns}
        spec:
          template:
            metadata: {labels: {app: echo}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: external, namespace: ns}
        spec: {type: ExternalName, externalName: example.com}
        """);
    world.synthesizeEndpoints();
    ObjectNode slice = world.get("EndpointSlice", "ns", "svc-conformance");
    assertNotNull(slice);
    assertEquals("svc", slice.path("metadata").path("labels").path("kubernetes.io/service-name").asString());
    String address = slice.path("endpoints").get(0).path("addresses").get(0).asString();
    assertTrue(address.startsWith("10."));
    assertTrue(slice.path("endpoints").get(0).path("conditions").path("ready").asBoolean());
    assertEquals(3000, slice.path("ports").get(0).path("port").asInt());
    assertEquals(8081, slice.path("ports").get(1).path("port").asInt(), "a named targetPort falls back to port");
    assertEquals("ns/svc", world.serviceAt(address));
    assertTrue(world.podName("ns/svc").startsWith("echo-deploy-"), "pods are named after the Deployment");
    assertEquals(null, world.get("EndpointSlice", "ns", "external-conformance"));
  }

  @Test
  void patchesBumpTheGeneration() {
    ConformanceWorld world = new ConformanceWorld();
    world.apply("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: g, namespace: ns}
        spec:
          gatewayClassName: x
          listeners: [{name: http, port: 80, protocol: HTTP}]
        """);
    world.patch("Gateway", "ns", "g", JSON.readTree("""
        [{"op": "add", "path": "/spec/listeners/-", "value": {"name": "alt", "port": 8080, "protocol": "HTTP"}}]"""));
    ObjectNode gw = world.get("Gateway", "ns", "g");
    assertEquals(2, gw.path("spec").path("listeners").size());
    assertEquals(2, gw.path("metadata").path("generation").asLong());
    world.patch("Gateway", "ns", "g", JSON.readTree("[{\"op\": \"remove\", \"path\": \"/spec/listeners/0\"}]"));
    assertEquals("alt", world.get("Gateway", "ns", "g").path("spec").path("listeners").get(0).path("name").asString());
  }

  @Test
  void issuesParsableCertificates() throws Exception {
    SuiteCertificates.Issued ca = SuiteCertificates.issue(new SuiteCertificates.Spec(
        SuiteCertificates.name(Map.of("CN", "gatewayapi", "O", List.of("Kubernetes Gateway API"), "C", List.of("US"))),
        BigInteger.valueOf(2024), true, List.of("DigitalSignature", "CertSign"), List.of("ClientAuth", "ServerAuth"),
        List.of(), List.of(), 365), null);
    SuiteCertificates.Issued leaf = SuiteCertificates.issue(new SuiteCertificates.Spec(
        SuiteCertificates.name(Map.of("CN", "default", "O", List.of("Acme Co"))), BigInteger.TEN, false,
        List.of("KeyEncipherment", "DigitalSignature"), List.of("ServerAuth"), List.of("abc.example.com"),
        List.of("spiffe://abc.example.com/test-identity"), 365), ca);
    CertificateFactory f = CertificateFactory.getInstance("X.509");
    X509Certificate caCert = (X509Certificate) f.generateCertificate(new ByteArrayInputStream(ca.der()));
    X509Certificate leafCert = (X509Certificate) f.generateCertificate(new ByteArrayInputStream(leaf.der()));
    caCert.verify(caCert.getPublicKey());
    leafCert.verify(caCert.getPublicKey());
    assertTrue(caCert.getBasicConstraints() >= 0);
    assertEquals(caCert.getSubjectX500Principal(), leafCert.getIssuerX500Principal());
    assertTrue(leafCert.getSubjectAlternativeNames().stream().anyMatch(n -> n.get(1).equals("abc.example.com")));
    assertTrue(leaf.privateKeyPem().startsWith("-----BEGIN RSA PRIVATE KEY-----"));
    assertTrue(leaf.certificatePem().startsWith("-----BEGIN CERTIFICATE-----"));
  }

  @Test
  void conditionMatcherReportsMismatches() {
    JsonNode actual = JSON.readTree("""
        [{"type": "Accepted", "status": "True", "reason": "Accepted"},
         {"type": "ResolvedRefs", "status": "False", "reason": "BackendNotFound", "message": "no svc"}]""");
    List<String> diffs = new ArrayList<>();
    StatusChecker.conditions(actual, JSON.readTree("""
        [{"type": "Accepted", "status": "True", "reason": null},
         {"type": "ResolvedRefs", "status": null, "reason": "BackendNotFound"}]"""), "parent", diffs);
    assertEquals(List.of(), diffs);
    StatusChecker.conditions(actual, JSON.readTree("""
        [{"type": "ResolvedRefs", "status": "True", "reason": "ResolvedRefs"},
         {"type": "Programmed", "status": "True", "reason": null}]"""), "parent", diffs);
    assertEquals(2, diffs.size(), diffs.toString());
    assertTrue(diffs.get(0).contains("ResolvedRefs=False (BackendNotFound: no svc)"), diffs.get(0));
    assertTrue(diffs.get(1).contains("no Programmed condition"), diffs.get(1));
  }

  @Test
  void redirectComparison() {
    List<String> diffs = new ArrayList<>();
    MessageExpectations.compareRedirect("https://example.org/path", JSON.readTree(
        "{\"scheme\": \"https\", \"host\": \"example.org\", \"port\": \"\", \"path\": \"/path\"}"), diffs);
    assertEquals(List.of(), diffs);
    MessageExpectations.compareRedirect("http://example.org:8080/other", JSON.readTree(
        "{\"scheme\": \"https\", \"host\": null, \"port\": \"443\", \"path\": \"/path\"}"), diffs);
    assertEquals(3, diffs.size(), diffs.toString());
  }

  @Test
  void aWrongExpectationIsAFailure() {
    Optional<Path> dir = ConformanceSuite.defaultDir();
    Assumptions.assumeTrue(dir.isPresent(), "shared/conformance/gateway-api not found");
    ConformanceSuite suite = ConformanceSuite.load(dir.get());
    ConformanceSuite.TestSpec spec = suite.tests().stream()
        .filter(t -> t.shortName().equals("HTTPRouteSimpleSameNamespace")).findFirst().orElseThrow();
    ConformanceRunner runner = new ConformanceRunner(suite);

    CheckResult good = caseResult(runner.run(spec));
    assertEquals(CheckResult.Verdict.PASS, good.verdict(), good.toString());

    ObjectNode wrong = (ObjectNode) spec.json().deepCopy();
    ObjectNode expect = (ObjectNode) wrong.path("cases").get(0).path("expect");
    expect.put("backend", "infra-backend-v2");
    CheckResult bad = caseResult(runner.run(new ConformanceSuite.TestSpec(spec.shortName(), spec.features(),
        spec.provisional(), wrong)));
    assertEquals(CheckResult.Verdict.FAIL, bad.verdict(), bad.toString());
    assertTrue(bad.detail().contains("want backend infra-backend-v2"), bad.detail());

    expect.put("backend", "infra-backend-v1");
    expect.putArray("statusCodes").add(404);
    CheckResult badStatus = caseResult(runner.run(new ConformanceSuite.TestSpec(spec.shortName(), spec.features(),
        spec.provisional(), wrong)));
    assertEquals(CheckResult.Verdict.FAIL, badStatus.verdict(), badStatus.toString());

    ObjectNode wrongStatus = (ObjectNode) spec.json().deepCopy();
    ObjectNode sc = (ObjectNode) wrongStatus.path("statusChecks").get(2);
    ((ObjectNode) sc.path("conditions").get(0)).put("status", "False");
    ConformanceRunner.TestResult r = runner.run(new ConformanceSuite.TestSpec(spec.shortName(), spec.features(),
        spec.provisional(), wrongStatus));
    assertTrue(r.checks().stream().anyMatch(c -> c.type().equals("status") && c.verdict() == CheckResult.Verdict.FAIL
        && c.name().startsWith(sc.path("assertion").asString())), r.checks().toString());
    assertFalse(new ConformanceReport(List.of(r)).table().isEmpty());
  }

  private static CheckResult caseResult(ConformanceRunner.TestResult r) {
    return r.checks().stream().filter(c -> c.type().equals("case")).findFirst().orElseThrow();
  }
}
