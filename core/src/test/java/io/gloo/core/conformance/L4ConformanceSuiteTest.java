package io.gloo.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Runs the TLSRoute, TCPRoute and UDPRoute conformance tests transcribed in {@code conformance/gateway-api-l4} over the
 * translator and the L4 evaluator: every test passes ({@link ClaimedFeatures#TLS}, {@link ClaimedFeatures#TCP},
 * {@link ClaimedFeatures#UDP} are all claimed), the weighted-routing tests by evaluated distributions.
 */
class L4ConformanceSuiteTest {

  @Test
  void claimedL4FeaturesPassTheirTests() {
    ConformanceSuite suite = ConformanceSuite.load(ConformanceSuite.l4Dir()
        .orElseThrow(() -> new AssertionError("conformance/gateway-api-l4 not found above " + System.getProperty("user.dir"))));
    List<ConformanceRunner.TestResult> results = new ConformanceRunner(suite).run(Set.of());
    ConformanceReport report = new ConformanceReport(results);
    String table = report.table();
    System.out.println(table);
    assertEquals(30, results.size(), "transcribed L4 tests");
    List<CheckResult> harnessErrors = results.stream().flatMap(r -> r.checks().stream())
        .filter(c -> c.type().equals("setup")).toList();
    assertEquals(List.of(), harnessErrors, "the harness failed on some tests");
    long cases = results.stream().flatMap(r -> r.checks().stream())
        .filter(c -> c.type().equals("case") && c.verdict() == CheckResult.Verdict.PASS).count();
    assertTrue(cases >= 30, "only " + cases + " connection cases passed");
    assertFalse(report.claimedFailures(), () -> "claimed L4 features fail conformance checks:\n" + table);
    List<String> failing = results.stream().filter(ConformanceRunner.TestResult::failed)
        .map(r -> r.spec().shortName()).toList();
    assertEquals(List.of(), failing, table);
    // weighted UDP backends: split by one cluster's endpoint weights, the distribution evaluated (not skipped)
    ConformanceRunner.TestResult udpWeighted = results.stream()
        .filter(r -> r.spec().shortName().equals("UDPRouteWeightedRouting")).findFirst().orElseThrow();
    assertEquals(List.of(CheckResult.Verdict.PASS), udpWeighted.checks().stream()
        .filter(c -> c.type().equals("case")).map(CheckResult::verdict).toList(), table);
  }
}
