package io.gloo.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Report counting as upstream's reports.go does, on hand-made results, and the schema rejecting bad reports. */
class ConformanceReportTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static ConformanceRunner.TestResult result(String name, List<String> features, CheckResult.Verdict... v) {
    List<CheckResult> checks = java.util.Arrays.stream(v).map(x -> new CheckResult(name, "case", "c", x, ""))
        .toList();
    return new ConformanceRunner.TestResult(new ConformanceSuite.TestSpec(name, features, false,
        JSON.createObjectNode()), checks);
  }

  private static final CheckResult.Verdict PASS = CheckResult.Verdict.PASS;
  private static final CheckResult.Verdict FAIL = CheckResult.Verdict.FAIL;
  private static final CheckResult.Verdict SKIP = CheckResult.Verdict.SKIPPED;

  private final List<ConformanceRunner.TestResult> results = List.of(
      result("CorePass", List.of("Gateway", "HTTPRoute"), PASS, SKIP),
      result("CoreOnlySkipped", List.of("Gateway", "HTTPRoute"), SKIP, SKIP),
      result("GatewayOnly", List.of("Gateway"), PASS),
      result("ExtendedClaimedFail", List.of("Gateway", "HTTPRoute", "HTTPRouteCORS"), PASS, FAIL),
      result("ExtendedNotClaimed", List.of("Gateway", "HTTPRoute", "HTTPRouteRetryConnectionError"), FAIL),
      result("GrpcCore", List.of("Gateway", "GRPCRoute"), PASS));

  @Test
  void testsCountInEveryProfileThatCoversThemAndOnlySkippedChecksMakeASkip() {
    ProfileResult http = ProfileResult.of(ConformanceProfile.GATEWAY_HTTP, results);
    assertEquals(List.of("CorePass", "GatewayOnly"), http.core().passedTests());
    assertEquals(List.of("CoreOnlySkipped"), http.core().skippedTests(), "all checks skipped is Skipped, not Passed");
    assertEquals("partial", http.core().result());
    assertEquals(List.of("ExtendedClaimedFail"), http.extended().failedTests());
    assertEquals("failure", http.extended().result());
    assertFalse(http.extended().failedTests().contains("ExtendedNotClaimed"), "unsupported features are not counted");
    ProfileResult grpc = ProfileResult.of(ConformanceProfile.GATEWAY_GRPC, results);
    assertEquals(List.of("GatewayOnly", "GrpcCore"), grpc.core().passedTests(),
        "a profile asked for runs its core tests; Gateway-only tests count in every Gateway profile");
    assertTrue(grpc.summary().startsWith("Core tests succeeded. Extended tests succeeded."), grpc.summary());
  }

  @Test
  void aProducedReportValidatesAndABrokenOneDoesNot() throws IOException {
    Path schema = ConformanceSuite.repositoryDir().orElseThrow().resolve("conformance-report.schema.json");
    ObjectNode report = new ConformanceReport(results).tree("1.0", "v1.6.1", ConformanceProfile.ALL);
    assertEquals(List.of(), ReportSchema.violations(schema, report));
    assertEquals("GATEWAY-HTTP", report.path("profiles").get(0).path("name").asString());
    assertTrue(report.path("profiles").get(0).path("extended").path("unsupportedFeatures").toString()
        .contains("HTTPRouteRetryConnectionError"));

    ObjectNode badResult = report.deepCopy();
    ((ObjectNode) badResult.path("profiles").get(0).path("core")).put("result", "passed");
    assertFalse(ReportSchema.violations(schema, badResult).isEmpty(), "result must be success|partial|failure");
    ObjectNode noStatistics = report.deepCopy();
    ((ObjectNode) noStatistics.path("profiles").get(1).path("core")).remove("statistics");
    assertFalse(ReportSchema.violations(schema, noStatistics).isEmpty(), "statistics is required");
    ObjectNode unknownField = report.deepCopy();
    unknownField.put("profile", "GATEWAY-HTTP");
    assertFalse(ReportSchema.violations(schema, unknownField).isEmpty(), "unknown top-level fields are rejected");
  }
}
