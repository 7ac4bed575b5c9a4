package io.gloo.core.cli;

import io.gloo.core.conformance.ConformanceProfile;
import io.gloo.core.conformance.ConformanceReport;
import io.gloo.core.conformance.ConformanceRunner;
import io.gloo.core.conformance.ConformanceSuite;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gloo conformance}: runs the transcribed Gateway API conformance suite offline (translator + route evaluator,
 * no cluster, no Envoy) and prints a per-test and per-feature table; optionally writes a ConformanceReport.
 */
@Command(name = "conformance", mixinStandardHelpOptions = true,
    description = {"Run the Gateway API conformance expectations offline against the translator and route evaluator.",
        "Checks that need a live data plane are reported as SKIPPED(needs data plane).",
        "Exit status: 0 when every test of the claimed features passes, 1 when one fails, 2 on unusable input."})
final class ConformanceCommand implements Callable<Integer> {

  @Option(names = "--suite", description = "Suite directory (holding expectations/INDEX.json); default: "
      + "conformance/gateway-api under a 'shared' directory next to the repository.")
  Path suiteDir;

  @Option(names = "--extra-suite", arity = "1..*", description = "More tests: directories with expectations/*.json"
      + " (and manifests the suite lacks, e.g. tests/x.yaml); default: conformance/ of this repository when found.")
  List<Path> extraSuites = new ArrayList<>();

  @Option(names = "--report", description = "Write a Gateway API ConformanceReport (YAML) to this file.")
  Path report;

  @Option(names = "--profiles", split = ",", description = "Profiles in the report (default: all of them): "
      + "GATEWAY-HTTP,GATEWAY-GRPC,GATEWAY-TLS,GATEWAY-TCP,GATEWAY-UDP.")
  List<String> profiles = new ArrayList<>();

  @Option(names = "--test", arity = "1..*", description = "Only these tests (ShortNames).")
  List<String> tests = new ArrayList<>();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Path dir = suiteDir != null ? suiteDir : ConformanceSuite.defaultDir().orElse(null);
      if (dir == null || !Files.isRegularFile(dir.resolve("expectations/INDEX.json"))) {
        err.println("conformance: no suite at " + (dir == null ? "(none found; use --suite DIR)" : dir));
        return 2;
      }
      List<ConformanceProfile> asked = new ArrayList<>();
      for (String p : profiles) {
        Optional<ConformanceProfile> profile = ConformanceProfile.named(p.trim());
        if (profile.isEmpty()) {
          err.println("conformance: unknown profile " + p + " (known: "
              + ConformanceProfile.ALL.stream().map(ConformanceProfile::name).toList() + ")");
          return 2;
        }
        asked.add(profile.get());
      }
      if (asked.isEmpty()) {
        asked.addAll(ConformanceProfile.ALL);
      }
      List<Path> extra = new ArrayList<>(extraSuites);
      if (extra.isEmpty()) {
        extra.addAll(ConformanceSuite.repositoryDirs());
      }
      for (Path e : extra) {
        if (!Files.isDirectory(e.resolve("expectations"))) {
          err.println("conformance: no expectations directory in " + e);
          return 2;
        }
      }
      ConformanceSuite suite = ConformanceSuite.load(dir, extra);
      Set<String> only = new LinkedHashSet<>(tests);
      Set<String> known = new LinkedHashSet<>();
      suite.tests().forEach(t -> known.add(t.shortName()));
      for (String t : only) {
        if (!known.contains(t)) {
          err.println("conformance: unknown test " + t);
          return 2;
        }
      }
      List<ConformanceRunner.TestResult> results = new ConformanceRunner(suite).run(only);
      ConformanceReport r = new ConformanceReport(results);
      out.print(r.table());
      if (report != null) {
        String v = GlooCli.class.getPackage().getImplementationVersion();
        Files.writeString(report, r.yaml(v == null ? "dev" : v, suite.gatewayApiVersion(), asked));
        out.println("report written to " + report);
      }
      return r.claimedFailures() ? 1 : 0;
    } catch (IOException | RuntimeException e) {
      err.println("conformance: " + e.getMessage());
      return 2;
    } finally {
      out.flush();
      err.flush();
    }
  }
}
