package io.gloo.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The harness's models of what a live data plane shows (backend TLS, the client-certificate handshake, timeouts,
 * WebSocket upgrades) decide both ways: the transcribed tests pass for the reason the data plane would give, and an
 * expectation edited to want the other outcome fails.
 */
class DataPlaneModelsTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void backendTlsFailsOnAnUntrustedCertificateOrAHostnameNotInItsSans() throws IOException {
    ConformanceRunner.TestResult r = run("BackendTLSPolicy.json", j -> { });
    assertEquals(List.of(), failures(r), r.checks().toString());
    assertTrue(caseDetail(r, "mismatched cert").contains("rejected"), r.checks().toString());
    // upstream's host-mismatch request names a host the route does not serve (404); with the route's host it is
    // the hostname check of the backend certificate that fails
    ConformanceRunner.TestResult routed = run("BackendTLSPolicy.json", j -> ((ObjectNode) j.path("cases").get(2)
        .path("request")).put("host", "abc.example.com"));
    assertEquals(List.of(), failures(routed), routed.checks().toString());
    assertTrue(caseDetail(routed, "mismatched hostname").contains("match none"), routed.checks().toString());
    // the backend reports the SNI Envoy sends: wanting another one fails
    ConformanceRunner.TestResult wrongSni = run("BackendTLSPolicy.json", j -> ((ObjectNode) j.path("cases").get(1)
        .path("expect").path("backendTLS")).put("sni", "other.example.com"));
    assertTrue(failures(wrongSni).stream().anyMatch(c -> c.detail().contains("SNI abc.example.com")),
        wrongSni.checks().toString());
  }

  @Test
  void theBackendSeesTheGatewaysClientCertificate() throws IOException {
    ConformanceRunner.TestResult r = runShared("GatewayTLSBackendClientCertificate.json", j -> { });
    assertEquals(List.of(), failures(r), r.checks().toString());
    assertTrue(r.checks().stream().anyMatch(c -> c.type().equals("case") && c.verdict() == CheckResult.Verdict.PASS),
        r.checks().toString());
    ConformanceRunner.TestResult other = runShared("GatewayTLSBackendClientCertificate.json",
        j -> ((ObjectNode) j.path("cases").get(0).path("expect").path("backendTLS").path("clientCertificate"))
            .put("secret", "gateway-conformance-infra/tls-validity-checks-client-certificate"));
    assertTrue(failures(other).stream().anyMatch(c -> c.detail().contains("the backend saw client certificate")),
        other.checks().toString());
  }

  @Test
  void subjectAltNameValidationDecidesDnsAndUriSans() throws IOException {
    ConformanceRunner.TestResult r = run("BackendTLSPolicySANValidation.json", j -> { });
    assertEquals(List.of(), failures(r), r.checks().toString());
    assertEquals(6, r.checks().stream().filter(c -> c.type().equals("case") && c.verdict() == CheckResult.Verdict.PASS)
        .count(), r.checks().toString());
    assertTrue(caseDetail(r, "mismatched uri SAN").contains("match none"), r.checks().toString());
  }

  @Test
  void aClientCertificateOfAnotherCaFailsTheHandshake() throws IOException {
    ConformanceRunner.TestResult r = runShared("GatewayFrontendClientCertificateValidation.json", j -> { });
    assertEquals(List.of(), failures(r), r.checks().toString());
    ConformanceRunner.TestResult swapped = runShared("GatewayFrontendClientCertificateValidation.json",
        j -> ((ObjectNode) j.path("cases").get(0).path("request")).put("clientCertificate",
            "gateway-conformance-infra/tls-validity-checks-per-port-client-certificate"));
    assertTrue(failures(swapped).stream().anyMatch(c -> c.detail().contains("does not chain")),
        swapped.checks().toString());
    ConformanceRunner.TestResult none = runShared("GatewayFrontendClientCertificateValidation.json",
        j -> ((ObjectNode) j.path("cases").get(0).path("request")).putNull("clientCertificate"));
    assertTrue(failures(none).stream().anyMatch(c -> c.detail().contains("require_client_certificate")),
        none.checks().toString());
  }

  @Test
  void aDelayWithinTheRouteTimeoutIsNoTimeout() throws IOException {
    ConformanceRunner.TestResult r = runShared("HTTPRouteTimeoutBackendRequest.json", j -> { });
    assertEquals(List.of(), failures(r), r.checks().toString());
    ConformanceRunner.TestResult quick = runShared("HTTPRouteTimeoutBackendRequest.json",
        j -> ((ObjectNode) j.path("cases").get(1).path("request")).put("path", "/backend-timeout?delay=100ms"));
    assertTrue(failures(quick).stream().anyMatch(c -> c.detail().contains("status 200, want [504]")),
        quick.checks().toString());
  }

  @Test
  void onlyTheEchoServersWsPathUpgrades() throws IOException {
    ConformanceRunner.TestResult r = run("HTTPRouteBackendProtocolWebSocket.json", j -> { });
    assertEquals(List.of(), failures(r), r.checks().toString());
    ConformanceRunner.TestResult plain = run("HTTPRouteBackendProtocolWebSocket.json",
        j -> ((ObjectNode) j.path("cases").get(0).path("request")).put("path", "/echo"));
    assertTrue(failures(plain).stream().anyMatch(c -> c.detail().contains("status 200, want [101]")),
        plain.checks().toString());
  }

  private static String caseDetail(ConformanceRunner.TestResult r, String nameContains) {
    return r.checks().stream().filter(c -> c.type().equals("case") && c.name().contains(nameContains))
        .map(CheckResult::detail).findFirst().orElseThrow(() -> new AssertionError("no case " + nameContains));
  }

  private static List<CheckResult> failures(ConformanceRunner.TestResult r) {
    return r.checks().stream().filter(c -> c.verdict() == CheckResult.Verdict.FAIL).toList();
  }

  /** A test transcribed in this repository ({@code conformance/expectations}, manifests under {@code conformance/}). */
  private static ConformanceRunner.TestResult run(String file, Consumer<ObjectNode> edit) throws IOException {
    Path repo = ConformanceSuite.repositoryDir().orElseThrow();
    return run(repo.resolve("expectations").resolve(file), repo, edit);
  }

  /** A test of the shared suite's transcription. */
  private static ConformanceRunner.TestResult runShared(String file, Consumer<ObjectNode> edit) throws IOException {
    Path shared = suiteDir();
    return run(shared.resolve("expectations").resolve(file), null, edit);
  }

  private static Path suiteDir() {
    Optional<Path> dir = ConformanceSuite.defaultDir();
    Assumptions.assumeTrue(dir.isPresent(), "shared/conformance/gateway-api not found");
    return dir.get();
  }

  private static ConformanceRunner.TestResult run(Path file, Path home, Consumer<ObjectNode> edit) throws IOException {
    ConformanceSuite suite = ConformanceSuite.load(suiteDir());
    JsonNode json = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
    edit.accept((ObjectNode) json);
    List<String> features = new java.util.ArrayList<>();
    json.path("features").forEach(f -> features.add(f.asString()));
    return new ConformanceRunner(suite).run(new ConformanceSuite.TestSpec(json.path("shortName").asString(), features,
        json.path("provisional").asBoolean(false), json, home));
  }
}
