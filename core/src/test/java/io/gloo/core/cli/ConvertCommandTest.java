package io.gloo.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gloo convert}: Edge manifests in, Gateway API YAML out with notes as comments; bad input is one line. */
class ConvertCommandTest {

  private static final Path ROUTES = Path.of("src/test/resources/edge-golden/routes");
  private static final Path DELEGATION = Path.of("src/test/resources/edge-golden/delegation");

  @TempDir
  Path temp;

  private record Run(int exit, String out, String err) {}

  private static Run convert(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = GlooCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 1];
    all[0] = "convert";
    System.arraycopy(args, 0, all, 1, args.length);
    int exit = cli.execute(all);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void convertsAVirtualServiceWithCommentsAndASummary() {
    Run run = convert("-f", ROUTES.resolve("virtualservice.yaml").toString(), ROUTES.resolve("services.yaml")
        .toString());
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("kind: \"HTTPRoute\""), run.out());
    assertTrue(run.out().contains("name: \"gateway-proxy\""), "one Gateway per Edge proxy: " + run.out());
    assertTrue(run.out().contains("type: \"RequestRedirect\""), run.out());
    assertTrue(run.out().contains("statusCode: 308"), "PERMANENT_REDIRECT: " + run.out());
    assertTrue(run.out().contains("# gloo convert: VirtualService default/shop route 1: header x-debug invertMatch"
        + " has no Gateway API equivalent (an HTTPRouteMatch only matches a header or parameter that is present"),
        run.out());
    assertTrue(run.out().contains("value: \"(?i)/Health\""), "case-insensitive exact path: " + run.out());
    assertTrue(run.err().matches("(?s)gloo convert: 1 Edge resources converted, \\d+ resources written, \\d+ notes"
        + " \\(comments at the resources\\)\n"), run.err());
  }

  @Test
  void delegationBecomesHttpRouteBackendRefsWithReferenceGrants() {
    Run run = convert("-f", DELEGATION.resolve("virtualservice.yaml").toString(),
        DELEGATION.resolve("routetables.yaml").toString(), "-o", "json");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("\"kind\" : \"List\""), run.out());
    assertTrue(run.out().replaceAll("\\s", "").contains("{\"group\":\"gateway.networking.k8s.io\",\"kind\":"
        + "\"HTTPRoute\",\"name\":\"users\",\"namespace\":\"apis\"}"), run.out());
    assertTrue(run.err().contains("# gloo convert: HTTPRoute apis/stray: RouteTable apis/stray route 2: no action"),
        run.err());
  }

  @Test
  void badInputIsOneLineAndNonZero() throws IOException {
    Path bad = temp.resolve("bad.yaml");
    Files.writeString(bad, "kind: VirtualService\nspec: [unclosed\n");
    Run run = convert("-f", bad.toString());
    assertEquals(1, run.exit());
    assertTrue(run.err().startsWith("gloo convert: " + bad + ": not valid YAML"), run.err());
    assertEquals(1, run.err().lines().count(), run.err());

    Run missing = convert("-f", temp.resolve("nope.yaml").toString());
    assertEquals(1, missing.exit());
    assertEquals("gloo convert: " + temp.resolve("nope.yaml") + ": no such file or directory\n", missing.err());

    Run target = convert("-f", bad.toString(), "--to", "edge");
    assertEquals(2, target.exit());
    assertTrue(target.err().startsWith("gloo convert: "), target.err());
    assertEquals(1, target.err().lines().count(), target.err());
  }
}
