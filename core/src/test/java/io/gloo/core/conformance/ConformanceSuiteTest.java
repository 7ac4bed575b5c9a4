package io.gloo.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs the transcribed Gateway API conformance suite over the translator and fails when a case or status check of a
 * claimed feature fails ({@link ClaimedFeatures}), or when the harness itself breaks on a test. The table is printed
 * either way.
 */
class ConformanceSuiteTest {

  @Test
  void claimedFeaturesPassTheSuite() {
    Optional<Path> dir = ConformanceSuite.defaultDir();
    Assumptions.assumeTrue(dir.isPresent(), "shared/conformance/gateway-api not found (set -Dgloo.shared.dir)");
    ConformanceSuite suite = ConformanceSuite.load(dir.get());
    List<ConformanceRunner.TestResult> results = new ConformanceRunner(suite).run(Set.of());
    ConformanceReport report = new ConformanceReport(results);
    String table = report.table();
    System.out.println(table);
    assertEquals(suite.tests().size(), results.size());
    List<CheckResult> harnessErrors = results.stream().flatMap(r -> r.checks().stream())
        .filter(c -> c.type().equals("setup")).toList();
    assertEquals(List.of(), harnessErrors, "the harness failed on some tests");
    long evaluated = results.stream().flatMap(r -> r.checks().stream())
        .filter(c -> c.type().equals("case") && c.verdict() != CheckResult.Verdict.SKIPPED).count();
    assertTrue(evaluated > 150, "only " + evaluated + " request cases were evaluated");
    assertFalse(report.claimedFailures(), () -> "claimed features fail conformance checks:\n" + table);
  }
}
