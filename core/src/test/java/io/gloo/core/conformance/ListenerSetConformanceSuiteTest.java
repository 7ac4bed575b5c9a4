package io.gloo.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs the ListenerSet conformance tests transcribed in {@code conformance/gateway-api-listenerset} (with the shared
 * suite's base manifests and Secrets) over the translator and the route evaluator: every one passes, with its status
 * checks and request cases evaluated, none skipped but what needs a data plane (addresses, pods).
 */
class ListenerSetConformanceSuiteTest {

  @Test
  void everyListenerSetTestPasses() {
    Optional<Path> shared = ConformanceSuite.defaultDir();
    Assumptions.assumeTrue(shared.isPresent(), "shared/conformance/gateway-api not found (set -Dgloo.shared.dir)");
    Path dir = ConformanceSuite.listenerSetDir()
        .orElseThrow(() -> new AssertionError("conformance/gateway-api-listenerset not found"));
    ConformanceSuite suite = ConformanceSuite.load(shared.get(), List.of(dir));
    List<ConformanceSuite.TestSpec> ours = suite.tests().stream()
        .filter(t -> t.features().contains("ListenerSet")).toList();
    assertEquals(13, ours.size(), "transcribed ListenerSet tests");
    ConformanceRunner runner = new ConformanceRunner(suite);
    List<ConformanceRunner.TestResult> results = ours.stream().map(runner::run).toList();
    String table = new ConformanceReport(results).table();
    System.out.println(table);
    List<String> failures = results.stream().flatMap(r -> r.checks().stream())
        .filter(c -> c.verdict() == CheckResult.Verdict.FAIL).map(CheckResult::toString).toList();
    assertEquals(List.of(), failures, table);
    long cases = results.stream().flatMap(r -> r.checks().stream())
        .filter(c -> c.type().equals("case") && c.verdict() == CheckResult.Verdict.PASS).count();
    assertEquals(2 + 4 + 11 + 36, cases, "request cases evaluated and passing");
    long statusPasses = results.stream().flatMap(r -> r.checks().stream())
        .filter(c -> c.type().equals("status") && c.verdict() == CheckResult.Verdict.PASS).count();
    assertTrue(statusPasses >= 80, "only " + statusPasses + " status checks passed");
    assertTrue(results.stream().allMatch(r -> r.claimed() && !r.failed()), table);
  }
}
