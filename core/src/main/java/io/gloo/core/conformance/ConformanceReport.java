package io.gloo.core.conformance;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Renders conformance results: a per-test and per-feature table with the failures, and the Gateway API
 * {@code ConformanceReport} YAML (gateway.networking.k8s.io/v1) with one entry per profile asked for, counted by
 * {@link ProfileResult}.
 *
 * <p>Test verdicts: failed when one check fails; skipped when none passed (all need a data plane); passed otherwise.
 */
public final class ConformanceReport {

  private static final ObjectMapper YAML = YAMLMapper.builder().build();

  public static final String ORGANIZATION = "Gloo Gateway for Java"; // an independent project, not Solo.io
  public static final String PROJECT = "gloo-gateway-java";
  public static final String URL = ""; // no published home yet
  public static final String CONTACT = "the Gloo Gateway for Java maintainers";
  /** The implementation version of the committed {@code conformance/report.yaml}: the branch it describes. */
  public static final String COMMITTED_VERSION = "main";

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

  private static Set<String> allClaimed() {
    return ClaimedFeatures.all();
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

  /** The ConformanceReport YAML for the given profiles (upstream {@code conformance/apis/v1}). */
  public String yaml(String implementationVersion, String gatewayApiVersion, List<ConformanceProfile> profiles) {
    return YAML.writeValueAsString(tree(implementationVersion, gatewayApiVersion, profiles));
  }

  /** The ConformanceReport as a tree: what {@link #yaml} writes, and what the schema test validates. */
  public ObjectNode tree(String implementationVersion, String gatewayApiVersion, List<ConformanceProfile> profiles) {
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
    ArrayNode out = root.putArray("profiles");
    for (ConformanceProfile profile : profiles) {
      ProfileResult pr = ProfileResult.of(profile, results);
      ObjectNode p = out.addObject();
      p.put("name", profile.name());
      StringBuilder why = new StringBuilder();
      for (String f : ClaimedFeatures.unsupported(profile)) {
        why.append(' ').append(f).append(": ").append(ClaimedFeatures.whyNot(f).orElse("")).append('.');
      }
      p.put("summary", pr.summary() + " Evaluated offline: translated xDS checked against Envoy's constraints and"
          + " with the route evaluator; a test whose checks all need a live data plane is skipped."
          + (why.length() == 0 ? "" : " Unsupported features, and why:" + why));
      status(p.putObject("core"), pr.core());
      ObjectNode ext = p.putObject("extended");
      status(ext, pr.extended());
      List<String> supported = ClaimedFeatures.supported(profile);
      if (!supported.isEmpty()) {
        ArrayNode a = ext.putArray("supportedFeatures");
        supported.forEach(a::add);
      }
      List<String> unsupported = ClaimedFeatures.unsupported(profile);
      if (!unsupported.isEmpty()) {
        ArrayNode a = ext.putArray("unsupportedFeatures");
        unsupported.forEach(a::add);
      }
    }
    List<String> provisional = results.stream()
        .filter(r -> r.spec().provisional() && r.claimed() && verdict(r) == TestVerdict.PASSED)
        .map(r -> r.spec().shortName()).sorted().toList();
    if (!provisional.isEmpty()) {
      ArrayNode a = root.putArray("succeededProvisionalTests");
      provisional.forEach(a::add);
    }
    return root;
  }

  /**
   * The README's feature table: per profile the tests passed (core, extended) beside the peers' published numbers,
   * then every extended feature with its claim or the reason it is not claimed. Generated, never hand-edited.
   */
  public String markdown(List<ConformanceProfile> profiles) {
    StringBuilder sb = new StringBuilder();
    sb.append("| Profile | Core passed / failed / skipped | Extended passed / failed / skipped | Extended features"
        + " claimed |\n");
    sb.append("|---|---|---|---|\n");
    for (ConformanceProfile profile : profiles) {
      ProfileResult pr = ProfileResult.of(profile, results);
      sb.append("| ").append(profile.name()).append(" | ").append(counts(pr.core())).append(" | ")
          .append(counts(pr.extended())).append(" | ").append(ClaimedFeatures.supported(profile).size()).append(" of ")
          .append(profile.extendedFeatures().size()).append(" |\n");
    }
    sb.append("\n| Feature | Profiles | Claimed |\n|---|---|---|\n");
    Map<String, List<String>> byFeature = new TreeMap<>();
    for (ConformanceProfile profile : profiles) {
      for (String f : profile.coreFeatures()) {
        byFeature.computeIfAbsent(f, k -> new ArrayList<>()).add(profile.name() + " (core)");
      }
      for (String f : profile.extendedFeatures()) {
        byFeature.computeIfAbsent(f, k -> new ArrayList<>()).add(profile.name());
      }
    }
    byFeature.forEach((f, in) -> sb.append("| ").append(f).append(" | ")
        .append(String.join(", ", in.stream().sorted().toList())).append(" | ")
        .append(ClaimedFeatures.whyNot(f).map(why -> "no: " + why).orElse("yes")).append(" |\n"));
    return sb.toString();
  }

  private static String counts(ProfileResult.Status s) {
    return s.passedTests().size() + " / " + s.failedTests().size() + " / " + s.skippedTests().size();
  }

  private static void status(ObjectNode node, ProfileResult.Status s) {
    node.put("result", s.result());
    node.putObject("statistics").put("Failed", s.failedTests().size()).put("Passed", s.passedTests().size())
        .put("Skipped", s.skippedTests().size());
    if (!s.skippedTests().isEmpty()) {
      ArrayNode a = node.putArray("skippedTests");
      s.skippedTests().forEach(a::add);
    }
    if (!s.failedTests().isEmpty()) {
      ArrayNode a = node.putArray("failedTests");
      s.failedTests().forEach(a::add);
    }
  }
}
