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
}
