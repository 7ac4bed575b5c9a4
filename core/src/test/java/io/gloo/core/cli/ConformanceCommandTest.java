package io.gloo.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.conformance.ConformanceSuite;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConformanceCommandTest {

  @Test
  void runsOneTestAndWritesAReport(@TempDir Path tmp) throws Exception {
    Optional<Path> dir = ConformanceSuite.defaultDir();
    Assumptions.assumeTrue(dir.isPresent(), "shared/conformance/gateway-api not found");
    CommandLine cli = GlooCli.commandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out));
    Path report = tmp.resolve("report.yaml");
    int code = cli.execute("conformance", "--suite", dir.get().toString(), "--test", "HTTPRouteSimpleSameNamespace",
        "--report", report.toString());
    assertEquals(0, code, out.toString());
    assertTrue(out.toString().contains("HTTPRouteSimpleSameNamespace"), out.toString());
    String yaml = Files.readString(report);
    assertTrue(yaml.contains("kind: \"ConformanceReport\"") || yaml.contains("kind: ConformanceReport"), yaml);
    assertTrue(yaml.contains("GATEWAY-HTTP") && yaml.contains("GATEWAY-GRPC"), yaml);
    assertTrue(yaml.contains("gatewayAPIVersion: \"v1.6.1\"") || yaml.contains("gatewayAPIVersion: v1.6.1"), yaml);
    assertEquals(2, cli.execute("conformance", "--suite", dir.get().toString(), "--test", "NoSuchTest"));
  }

  @Test
  void profilesChooseTheReportsEntriesAndExtraSuitesAddTests(@TempDir Path tmp) throws Exception {
    Optional<Path> dir = ConformanceSuite.defaultDir();
    Assumptions.assumeTrue(dir.isPresent(), "shared/conformance/gateway-api not found");
    Path repository = ConformanceSuite.repositoryDir().orElseThrow();
    CommandLine cli = GlooCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    Path report = tmp.resolve("report.yaml");
    int code = cli.execute("conformance", "--suite", dir.get().toString(), "--extra-suite", repository.toString(),
        "--test", "GRPCExactMethodMatching", "--profiles", "GATEWAY-GRPC", "--report", report.toString());
    assertEquals(0, code, out + "\n" + err);
    String yaml = Files.readString(report);
    assertTrue(yaml.contains("GATEWAY-GRPC") && !yaml.contains("GATEWAY-HTTP"), yaml);
    assertTrue(yaml.contains("Passed: 1"), "the gRPC test from the extra suite counts: " + yaml);

    assertEquals(2, cli.execute("conformance", "--suite", dir.get().toString(), "--profiles", "GATEWAY-MESH"));
    assertTrue(err.toString().contains("unknown profile GATEWAY-MESH"), err.toString());
    assertEquals(2, cli.execute("conformance", "--suite", dir.get().toString(), "--extra-suite",
        tmp.resolve("missing").toString()));
    assertTrue(err.toString().contains("no expectations directory"), err.toString());
  }
}
