package io.gloo.core.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.cli.GlooCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gloo route-check} on examples/route-check. */
class RouteCheckCommandTest {

  private static Path examples() {
    Path p = Path.of("../examples/route-check");
    return Files.isDirectory(p) ? p : Path.of("examples/route-check");
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = GlooCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void exampleTestsPass() {
    Run r = run("route-check", "-f", examples().resolve("manifests.yaml").toString(),
        "--tests", examples().resolve("quickstart-tests.yaml").toString(), "--details");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("PASS  v2 prefix goes to store-v2"), r.out());
    assertTrue(r.out().contains("14 tests: 14 passed, 0 failed"), r.out());
  }

  @Test
  void aFailingExpectationFailsTheRunAndNamesTheTest(@TempDir Path dir) throws IOException {
    Path tests = dir.resolve("tests.json");
    Files.writeString(tests, """
        {"tests": [
          {"test_name": "right", "input": {"authority": "store.example.com", "path": "/v2", "method": "GET"},
           "validate": {"cluster_name": "kube_default_store-v2_8080"}},
          {"test_name": "wrong cluster", "input": {"authority": "store.example.com", "path": "/v2", "method": "GET"},
           "validate": {"cluster_name": "kube_default_store-v1_8080", "status": 200}}
        ]}
        """);
    Run r = run("route-check", "-f", examples().resolve("manifests.yaml").toString(), "--tests", tests.toString());
    assertNotEquals(0, r.code());
    assertTrue(r.out().contains("FAIL  wrong cluster: cluster_name: expected 'kube_default_store-v1_8080', got "
        + "'kube_default_store-v2_8080'"), r.out());
    assertTrue(r.out().contains("PASS  right"), r.out());
    assertTrue(r.out().contains("2 tests: 1 passed, 1 failed"), r.out());
  }

  @Test
  void unknownFieldsAreRejected(@TempDir Path dir) throws IOException {
    Path tests = dir.resolve("tests.yaml");
    Files.writeString(tests, """
        tests:
          - test_name: typo
            input: {authority: store.example.com, path: /, method: GET}
            validate: {cluster: x}
        """);
    Run r = run("route-check", "-f", examples().resolve("manifests.yaml").toString(), "--tests", tests.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown field(s) [cluster]"), r.err());
  }

  @Test
  void oneRequestPrintsTheDecision() {
    Run r = run("route-check", "-f", examples().resolve("manifests.yaml").toString(),
        "--request", "POST http://store.example.com:8080/api/orders?id=7", "-H", "X-Trace: abc", "-o", "json");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("\"outcome\" : \"FORWARD\""), r.out());
    assertTrue(r.out().contains("\"path\" : \"/orders?id=7\""), r.out());
    assertTrue(r.out().contains("\"authority\" : \"api.internal\""), r.out());
  }
}
