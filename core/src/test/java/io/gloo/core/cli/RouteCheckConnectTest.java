package io.gloo.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gloo route-check --connect}: L4 decisions (the golden TLS listeners) from the command line. */
class RouteCheckConnectTest {

  private static final Path TLS = Path.of("src/test/resources/golden/l4-tls/input.yaml");

  @TempDir
  Path empty;

  private record Run(int exit, String out, String err) {}

  private Run routeCheck(String connect) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = GlooCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute("route-check", "-f", TLS.toString(), "--connect", connect, "--plugins-dir",
        empty.resolve("no-plugins").toString(), "-o=json");
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void aTlsConnectionGoesWhereItsSniSays() {
    Run exact = routeCheck("tls:443:abc.example.com");
    assertEquals(0, exact.exit(), exact.err());
    assertTrue(exact.out().contains("\"FORWARD\"") && exact.out().contains("kube_default_b_3000"), exact.out());
    Run none = routeCheck("tls:443:example.org");
    assertTrue(none.out().contains("NO_FILTER_CHAIN"), none.out());
    Run tcp = routeCheck("tcp:9999");
    assertTrue(tcp.out().contains("NO_LISTENER"), tcp.out());
  }

  @Test
  void aMalformedConnectionIsOneLine() {
    Run bad = routeCheck("sctp:443");
    assertEquals(2, bad.exit());
    assertEquals("gloo route-check: --connect sctp:443: want tcp:PORT, tls:PORT:SNI or udp:PORT", bad.err().strip());
  }
}
