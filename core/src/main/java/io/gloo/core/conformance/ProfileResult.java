package io.gloo.core.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * The results of one conformance profile, counted as upstream's {@code conformance/utils/suite/reports.go} does: every
 * test the profile covers ({@link ConformanceProfile#covers}) is a core or an extended test of it; a test needing a
 * feature that is not claimed is not supported and not counted (upstream {@code testNotSupported}); the rest count as
 * passed, failed or skipped. A test whose checks all need a data plane is skipped, never passed. Immutable.
 */
public record ProfileResult(ConformanceProfile profile, Status core, Status extended) {

  /** Upstream {@code confv1.Status}: result, statistics and the names of the failed and skipped tests. */
  public record Status(List<String> passedTests, List<String> failedTests, List<String> skippedTests) {
    public Status {
      passedTests = List.copyOf(passedTests);
      failedTests = List.copyOf(failedTests);
      skippedTests = List.copyOf(skippedTests);
    }

    /** Upstream {@code compileResults}: failure on a failed test, partial on a skipped one, else success. */
    public String result() {
      return !failedTests.isEmpty() ? "failure" : !skippedTests.isEmpty() ? "partial" : "success";
    }

    /** Upstream {@code buildReportSummary}. */
    String summary() {
      return switch (result()) {
        case "failure" -> "failed with " + failedTests.size() + " test failures";
        case "partial" -> "partially succeeded with " + skippedTests.size() + " test skips";
        default -> "succeeded";
      };
    }
  }

  /** Counts the results of the tests this profile covers. */
  public static ProfileResult of(ConformanceProfile profile, List<ConformanceRunner.TestResult> results) {
    List<List<String>> core = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    List<List<String>> extended = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (ConformanceRunner.TestResult r : results) {
      List<String> features = r.spec().features();
      if (!profile.covers(features) || !ClaimedFeatures.claimsAll(withoutCore(profile, features))) {
        continue;
      }
      List<List<String>> into = profile.isExtended(features) ? extended : core;
      into.get(ConformanceReport.verdict(r).ordinal()).add(r.spec().shortName());
    }
    return new ProfileResult(profile, new Status(core.get(0), core.get(1), core.get(2)),
        new Status(extended.get(0), extended.get(1), extended.get(2)));
  }

  /**
   * A profile asked for implies its core features (upstream adds them to the supported features), so a core test
   * runs even when its route kind is not claimed, and fails if it is not implemented.
   */
  private static List<String> withoutCore(ConformanceProfile profile, List<String> features) {
    return features.stream().filter(f -> !profile.coreFeatures().contains(f)).toList();
  }

  /** Upstream {@code buildSummary}, then the core features not claimed and why. */
  public String summary() {
    StringBuilder sb = new StringBuilder("Core tests ").append(core.summary()).append(". Extended tests ")
        .append(extended.summary()).append('.');
    for (String f : profile.coreFeatures().stream().sorted().toList()) {
      ClaimedFeatures.whyNot(f).ifPresent(why -> sb.append(" Core feature ").append(f).append(" not claimed: ")
          .append(why).append('.'));
    }
    return sb.toString();
  }
}
