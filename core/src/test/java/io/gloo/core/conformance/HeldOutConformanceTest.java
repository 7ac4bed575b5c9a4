package io.gloo.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tests of the upstream suite that the shared expectations do not list (transcribed in this repository's
 * {@code conformance/expectations}), run over the suite's own manifests, and edited variants of them: the harness must
 * run them without a setup error, and they must pass.
 */
class HeldOutConformanceTest {

  @Test
  void serviceTypesHeadlessAndManualEndpointSlicesReachTheBackend() throws IOException {
    ConformanceRunner.TestResult result = run("HTTPRouteServiceTypes.json");
    assertEquals(List.of(), failures(result), result.checks().toString());
    assertEquals(3, result.checks().stream()
        .filter(c -> c.type().equals("case") && c.verdict() == CheckResult.Verdict.PASS).count(),
        result.checks().toString());
  }

  @Test
  void gatewayClassObservedGenerationBumpUsesTheGatewayClassHelpers() throws IOException {
    ConformanceRunner.TestResult result = run("GatewayClassObservedGenerationBump.json");
    assertEquals(List.of(), failures(result), result.checks().toString());
    assertTrue(result.checks().stream().anyMatch(c -> c.name().startsWith("GWCMustHaveAcceptedConditionAny")
        && c.verdict() == CheckResult.Verdict.PASS), result.checks().toString());
    assertTrue(result.checks().stream().anyMatch(c -> c.name().startsWith("GenerationChanged")
        && c.verdict() == CheckResult.Verdict.PASS), result.checks().toString());
  }

  @Test
  void mergePatchStepsAsGoClientMergeFromSendsThem() throws IOException {
    ConformanceRunner.TestResult result = run("GatewayClassObservedGenerationBump.json", json -> {
      ObjectNode step = (ObjectNode) json.path("steps").get(0);
      step.set("patch", JSON.readTree("{\"spec\": {\"description\": \"new\"}}"));
    });
    assertEquals(List.of(), failures(result), result.checks().toString());
    assertTrue(result.checks().stream().anyMatch(c -> c.name().startsWith("GenerationChanged")
        && c.verdict() == CheckResult.Verdict.PASS), result.checks().toString());
  }

  @Test
  void aMalformedPatchIsASetupFailureThatSaysWhy() throws IOException {
    ConformanceRunner.TestResult result = run("GatewayClassObservedGenerationBump.json", json -> {
      ObjectNode step = (ObjectNode) json.path("steps").get(0);
      step.set("patch", JSON.readTree("[{\"op\": \"replace\", \"value\": \"new\"}]"));
    });
    CheckResult setup = result.checks().stream().filter(c -> c.type().equals("setup")).findFirst().orElseThrow();
    assertTrue(setup.detail().contains("has no path"), setup.detail());
  }

  @Test
  void externalNameAndHeadlessServicesDoNotBreakTheHarness() throws IOException {
    ConformanceRunner.TestResult result = run("HTTPRouteServiceTypes.json", json -> {
      ObjectNode step = ((tools.jackson.databind.node.ArrayNode) json.path("steps")).addObject();
      step.put("step", 1).put("action", "apply").put("manifest", """
          apiVersion: v1
          kind: Service
          metadata: {name: external, namespace: gateway-conformance-infra}
          spec: {type: ExternalName, externalName: example.com, ports: [{port: 8080}]}
          ---
          apiVersion: gateway.networking.k8s.io/v1
          kind: HTTPRoute
          metadata: {name: external, namespace: gateway-conformance-infra}
          spec:
            parentRefs: [{name: same-namespace}]
            rules: [{matches: [{path: {type: Exact, value: /external}}], backendRefs: [{name: external, port: 8080}]}]
          """);
      ObjectNode after = ((tools.jackson.databind.node.ArrayNode) json.path("steps")).addObject();
      after.put("afterStep", 1).putArray("cases");
      after.putArray("statusChecks").add(JSON.readTree("""
          {"assertion": "HTTPRouteMustHaveRouteAcceptedConditionsTrue", "kind": "HTTPRoute",
           "namespace": "gateway-conformance-infra", "name": "external",
           "parent": {"namespace": "gateway-conformance-infra", "name": "same-namespace"}}"""));
    });
    assertEquals(List.of(), result.checks().stream().filter(c -> c.type().equals("setup")).toList());
    assertEquals(List.of(), failures(result), result.checks().toString());
  }

  private static final tools.jackson.databind.ObjectMapper JSON = JsonMapper.builder().build();

  private static List<CheckResult> failures(ConformanceRunner.TestResult result) {
    return result.checks().stream().filter(c -> c.verdict() == CheckResult.Verdict.FAIL).toList();
  }

  static ConformanceRunner.TestResult run(String file) throws IOException {
    return run(file, json -> { });
  }

  static ConformanceRunner.TestResult run(String file, java.util.function.Consumer<ObjectNode> edit)
      throws IOException {
    Optional<Path> dir = ConformanceSuite.defaultDir();
    Assumptions.assumeTrue(dir.isPresent(), "shared/conformance/gateway-api not found");
    ConformanceSuite suite = ConformanceSuite.load(dir.get());
    Path transcribed = ConformanceSuite.repositoryDir().orElseThrow().resolve("expectations").resolve(file);
    JsonNode json = JsonMapper.builder().build().readTree(Files.readString(transcribed, StandardCharsets.UTF_8));
    edit.accept((ObjectNode) json);
    List<String> features = new java.util.ArrayList<>();
    json.path("features").forEach(f -> features.add(f.asString()));
    return new ConformanceRunner(suite).run(new ConformanceSuite.TestSpec(json.path("shortName").asString(),
        features, json.path("provisional").asBoolean(false), json));
  }
}
