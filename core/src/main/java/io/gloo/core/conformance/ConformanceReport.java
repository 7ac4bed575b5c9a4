package io.gloo.core.conformance;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Renders conformance results: a per-test and per-feature table with the failures, and the Gateway API
 * {@code ConformanceReport} YAML (gateway.networking.k8s.io/v1), profile GATEWAY-HTTP with core and extended results.
 *
 * <p>Test verdicts: failed when one check fails; skipped when none passed (all need a data plane); passed otherwise.
 * For the report, core tests are those needing only core features; an extended test is run for the claim only when
 * all its features are claimed, otherwise it is listed as skipped (unsupported feature), as the upstream suite does.
 */
public final class ConformanceReport {

  private static final ObjectMapper YAML = YAMLMapper.builder().build();

  public static final String ORGANIZATION = "Gloo Gateway for Java"; // an independent project, not Solo.io
  public static final String PROJECT = "gloo-gateway-java";
  public static final String URL = ""; // no published home yet
  public static final String CONTACT = "the Gloo Gateway for Java maintainers";

  private final List<ConformanceRunner.TestResult> results;

  public ConformanceReport(List<ConformanceRunner.TestResult> results) {
    this.results = List.copyOf(results);
  }

  enum TestVerdict { PASSED, FAILED, SKIPPED }

  static TestVerdict verdict(ConformanceRunner.TestResult r) {
    if (r.failed()) {
      return TestVerdict.FAILED;
    }
    return r.count(CheckResult.Verdict.PASS) == 0 ? TestVerdict.SKIPPED : TestVerdict.PASSED;
  }

  /** True when a test of claimed features has a failing case or status check. */
  public boolean claimedFailures() {
    return results.stream().anyMatch(r -> r.claimed() && r.failed());
  }

  /** The table: one line per test, one per feature, then every failure and skip. */
  public String table() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-58s %-7s %-8s %-15s %-15s%n", "TEST", "CLAIMED", "RESULT",
        "CASES p/f/s", "STATUS p/f/s"));
    for (ConformanceRunner.TestResult r : results) {
      sb.append(String.format(Locale.ROOT, "%-58s %-7s %-8s %-15s %-15s%n", r.spec().shortName()
              + (r.spec().provisional() ? " (provisional)" : ""), r.claimed() ? "yes" : "no", verdict(r),
          counts(r, "case"), counts(r, "status")));
    }
    sb.append('\n');
    sb.append(String.format(Locale.ROOT, "%-58s %-7s %-14s %-15s %-15s%n", "FEATURE", "CLAIMED", "TESTS pass/all",
        "CASES p/f/s", "STATUS p/f/s"));
    Map<String, List<ConformanceRunner.TestResult>> byFeature = new TreeMap<>();
    for (ConformanceRunner.TestResult r : results) {
      r.spec().features().forEach(f -> byFeature.computeIfAbsent(f, k -> new ArrayList<>()).add(r));
    }
    byFeature.forEach((f, rs) -> {
      long passed = rs.stream().filter(r -> verdict(r) == TestVerdict.PASSED).count();
      sb.append(String.format(Locale.ROOT, "%-58s %-7s %-14s %-15s %-15s%n", f,
          ClaimedFeatures.claimed(f) ? "yes" : "no", passed + "/" + rs.size(), counts(rs, "case"),
          counts(rs, "status")));
    });
    List<CheckResult> failures = new ArrayList<>();
    List<CheckResult> skips = new ArrayList<>();
    for (ConformanceRunner.TestResult r : results) {
      for (CheckResult c : r.checks()) {
        if (c.verdict() == CheckResult.Verdict.FAIL) {
          failures.add(c);
        } else if (c.verdict() == CheckResult.Verdict.SKIPPED) {
          skips.add(c);
        }
      }
    }
    sb.append('\n').append("FAILURES (").append(failures.size()).append(")\n");
    failures.forEach(c -> sb.append("  ").append(c.test()).append(": ").append(c).append('\n'));
    sb.append('\n').append("SKIPPED (").append(skips.size()).append(")\n");
    skips.forEach(c -> sb.append("  ").append(c.test()).append(": ").append(c).append('\n'));
    long claimedFailed = results.stream().filter(r -> r.claimed() && r.failed()).count();
    sb.append('\n').append(results.size()).append(" tests; claimed features: ")
        .append(new TreeSet<>(allClaimed())).append("; tests of claimed features failing: ").append(claimedFailed)
        .append('\n');
    return sb.toString();
  }

  private static List<String> allClaimed() {
    List<String> all = new ArrayList<>(ClaimedFeatures.CORE);
    all.addAll(ClaimedFeatures.EXTENDED);
    return all;
  }

  private static String counts(ConformanceRunner.TestResult r, String type) {
    return counts(List.of(r), type);
  }

  private static String counts(List<ConformanceRunner.TestResult> rs, String type) {
    long[] n = new long[3];
    for (ConformanceRunner.TestResult r : rs) {
      for (CheckResult c : r.checks()) {
        if (c.type().equals(type) || (type.equals("status") && c.type().equals("setup"))) {
          n[c.verdict().ordinal()]++;
        }
      }
    }
    return n[0] + "/" + n[1] + "/" + n[2];
  }

  /** The ConformanceReport YAML. */
  public String yaml(String implementationVersion, String gatewayApiVersion) {
    ObjectNode root = YAML.createObjectNode();
    root.put("apiVersion", "gateway.networking.k8s.io/v1");
    root.put("kind", "ConformanceReport");
    root.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    root.put("gatewayAPIChannel", "standard");
    root.put("gatewayAPIVersion", gatewayApiVersion);
    ObjectNode impl = root.putObject("implementation");
    impl.putArray("contact").add(CONTACT);
    impl.put("organization", ORGANIZATION).put("project", PROJECT).put("url", URL)
        .put("version", implementationVersion);
    root.put("mode", "default");
    ArrayNode profiles = root.putArray("profiles");
    ObjectNode http = profiles.addObject();
    http.put("name", "GATEWAY-HTTP");
    StringBuilder why = new StringBuilder();
    ClaimedFeatures.KNOWN_EXTENDED.stream().filter(f -> !ClaimedFeatures.claimed(f)).sorted().forEach(f ->
        why.append(" ").append(f).append(": ").append(ClaimedFeatures.NOT_CLAIMED.getOrDefault(f, "not implemented"))
            .append("."));
    http.put("summary", "Evaluated offline: translated xDS checked against Envoy's constraints and with the route"
        + " evaluator; checks that need a live data plane are skipped. Not claimed, and why:" + why);
    List<ConformanceRunner.TestResult> core = new ArrayList<>();
    List<ConformanceRunner.TestResult> extended = new ArrayList<>();
    for (ConformanceRunner.TestResult r : results) {
      if (r.spec().provisional()) {
        continue; // provisional tests run only on request, reported in succeededProvisionalTests
      }
      (ClaimedFeatures.CORE_FEATURES.containsAll(r.spec().features()) ? core : extended).add(r);
    }
    status(http.putObject("core"), core, true);
    ObjectNode ext = http.putObject("extended");
    status(ext, extended, false);
    ArrayNode supported = ext.putArray("supportedFeatures");
    ClaimedFeatures.EXTENDED.stream().sorted().forEach(supported::add);
    ArrayNode unsupported = ext.putArray("unsupportedFeatures");
    ClaimedFeatures.KNOWN_EXTENDED.stream().filter(f -> !ClaimedFeatures.claimed(f)).sorted()
        .forEach(unsupported::add);
    ObjectNode grpc = profiles.addObject();
    grpc.put("name", "GATEWAY-GRPC");
    grpc.put("summary", "Not claimed: no GRPCRoute expectations are transcribed, so nothing was run.");
    ObjectNode grpcCore = grpc.putObject("core");
    grpcCore.put("result", "skipped");
    grpcCore.putObject("statistics").put("Failed", 0).put("Passed", 0).put("Skipped", 0);
    ArrayNode provisional = root.putArray("succeededProvisionalTests");
    results.stream().filter(r -> r.spec().provisional() && r.claimed() && verdict(r) == TestVerdict.PASSED)
        .forEach(r -> provisional.add(r.spec().shortName()));
    return YAML.writeValueAsString(root);
  }

  /** Core tests always count; an extended test counts only when all its features are claimed. */
  private static void status(ObjectNode node, List<ConformanceRunner.TestResult> tests, boolean core) {
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    List<String> failedTests = new ArrayList<>();
    List<String> skippedTests = new ArrayList<>();
    for (ConformanceRunner.TestResult r : tests) {
      TestVerdict v = core || r.claimed() ? verdict(r) : TestVerdict.SKIPPED;
      switch (v) {
        case PASSED -> passed++;
        case FAILED -> {
          failed++;
          failedTests.add(r.spec().shortName());
        }
        case SKIPPED -> {
          skipped++;
          skippedTests.add(r.spec().shortName());
        }
      }
    }
    node.put("result", failed > 0 ? "failure" : skipped > 0 ? "partial" : "success");
    node.putObject("statistics").put("Failed", failed).put("Passed", passed).put("Skipped", skipped);
    if (!failedTests.isEmpty()) {
      ArrayNode a = node.putArray("failedTests");
      failedTests.forEach(a::add);
    }
    if (!skippedTests.isEmpty()) {
      ArrayNode a = node.putArray("skippedTests");
      skippedTests.forEach(a::add);
    }
  }
}
