package io.gloo.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.cli.CliTest.Run;
import io.gloo.core.server.GlooServer;
import io.gloo.core.server.ServeOptions;
import io.gloo.core.testing.Manifests;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A user's mistake gets one line on stderr, {@code gloo <command>: ...}, a non-zero exit status, no stack trace. */
class CliErrorsTest {

  @TempDir
  Path dir;

  @BeforeEach
  void manifests() {
    Manifests.write(dir, "gateway.yaml", Manifests.docs(Manifests.gatewayClass(),
        Manifests.gateway("default", "gw", 8080)));
  }

  /** The single line a run printed on stderr (the test fails if there are more, or any stack trace). */
  private static String oneLine(Run run) {
    List<String> lines = run.err().lines().toList();
    assertEquals(1, lines.size(), "one line on stderr, got:\n" + run.err());
    assertTrue(!run.err().contains("Exception") && !run.err().contains("\tat "), run.err());
    return lines.get(0);
  }

  @Test
  void aTakenAdminPortNamesTheAddressAndWhatListensThere() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run run = CliTest.run("serve", "--config-dir", dir.toString(), "--bind", "127.0.0.1", "--xds-port", "0",
          "--admin-port", String.valueOf(taken.getLocalPort()), "--plugins-dir", dir.resolve("no-plugins").toString());

      assertEquals(1, run.exit());
      assertEquals("gloo serve: cannot listen on 127.0.0.1:" + taken.getLocalPort()
          + " (admin API): address already in use", oneLine(run));
      assertEquals("", run.out());
    }
  }

  @Test
  void aTakenXdsPortNamesTheAddressAndWhatListensThere() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run run = CliTest.run("serve", "--config-dir", dir.toString(), "--bind", "127.0.0.1", "--admin-port", "0",
          "--xds-port", String.valueOf(taken.getLocalPort()), "--plugins-dir", dir.resolve("no-plugins").toString());

      assertEquals(1, run.exit());
      assertEquals("gloo serve: cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (xDS): address already in use",
          oneLine(run));
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "serve --xds-port abc | gloo serve: Invalid value for option '--xds-port': 'abc' is not an int"
          + " (see 'gloo serve --help')",
      "serve --debounce xyz | gloo serve: Invalid value for option '--debounce': 'xyz' is not a duration"
          + " (e.g. 25ms, 2s, 1m) (see 'gloo serve --help')",
      "serve --debounce -5s | gloo serve: Invalid value for option '--debounce': '-5s' is not a duration"
          + " (e.g. 25ms, 2s, 1m) (see 'gloo serve --help')",
      "translate -f . -o xml | gloo translate: Invalid value for option '--output': 'xml' is not an output format"
          + " (json or yaml) (see 'gloo translate --help')",
      "status --config-dir . -o xml | gloo status: Invalid value for option '--output': 'xml' is not an output"
          + " format (table, json or yaml) (see 'gloo status --help')",
      "bootstrap --gateway a/b --xds-address notaport | gloo bootstrap: Invalid value for option '--xds-address':"
          + " 'notaport' is not HOST:PORT (e.g. 127.0.0.1:9977, a port 1-65535) (see 'gloo bootstrap --help')",
      "bootstrap --gateway a/b --xds-address :9977 | gloo bootstrap: Invalid value for option '--xds-address':"
          + " ':9977' is not HOST:PORT (e.g. 127.0.0.1:9977, a port 1-65535) (see 'gloo bootstrap --help')",
      "bootstrap --gateway a/b --xds-address host:70000 | gloo bootstrap: Invalid value for option"
          + " '--xds-address': 'host:70000' is not HOST:PORT (e.g. 127.0.0.1:9977, a port 1-65535)"
          + " (see 'gloo bootstrap --help')",
      "translate | gloo translate: Missing required option: '--file=<paths>' (see 'gloo translate --help')",
  })
  void aBadFlagValueIsOneUsageLine(String args, String expected) {
    Run run = CliTest.run(args.trim().split(" "));
    assertEquals(2, run.exit(), run.err());
    assertEquals(expected, oneLine(run));
    assertEquals("", run.out());
  }

  @Test
  void aMistypedCommandOrOptionIsOneLineWithASuggestion() {
    Run command = CliTest.run("stauts");
    assertEquals(2, command.exit());
    assertTrue(oneLine(command).startsWith("gloo: Unmatched argument at index 0: 'stauts'; did you mean status"),
        command.err());
    Run option = CliTest.run("serve", "--debonce", "1s");
    assertEquals(2, option.exit());
    assertEquals("gloo serve: Unknown options: '--debonce', '1s'; did you mean --debounce? (see 'gloo serve --help')",
        oneLine(option));
  }

  @Test
  void goodHostPortsPass() {
    for (String address : List.of("127.0.0.1:9977", "gloo.example.com:1", "[::1]:65535")) {
      Run run = CliTest.run("bootstrap", "--gateway", "a/b", "--xds-address", address, "--xds-insecure");
      assertEquals(0, run.exit(), address + ": " + run.err());
    }
  }

  @Test
  void aMalformedRouteCheckFileSaysWhereAndWhat() throws Exception {
    Path syntax = Files.writeString(dir.resolve("syntax.yaml"), """
        tests:
          - test_name: a
            input: {authority: x, path: /
        """);
    Path shape = Files.writeString(dir.resolve("shape.yaml"), """
        tests:
          - test_name: a
            input: [1]
            validate: {cluster_name: c}
        """);
    Path type = Files.writeString(dir.resolve("type.yaml"), """
        tests:
          - test_name: a
            input: {authority: x, path: /}
            validate:
              cluster_name: [1, 2]
        """);

    assertEquals("gloo route-check: " + syntax + ":4:1: invalid YAML: expected ',' or '}', but got <stream end>"
        + " (while parsing a flow mapping)", routeCheck(syntax));
    assertEquals("gloo route-check: " + shape + ":3: tests[0] (a).input: expected an object, got [1]",
        routeCheck(shape));
    String typeLine = routeCheck(type);
    assertTrue(typeLine.startsWith("gloo route-check: " + type + ":5: tests[0] (a).validate: "), typeLine);
    assertEquals("gloo route-check: cannot read test file " + dir.resolve("missing.yaml")
        + ": no such file or directory", routeCheck(dir.resolve("missing.yaml")));
  }

  private String routeCheck(Path tests) {
    Run run = CliTest.run("route-check", "-f", dir.resolve("gateway.yaml").toString(), "--tests", tests.toString());
    assertEquals(2, run.exit(), run.err());
    assertEquals("", run.out(), "no half report");
    return oneLine(run);
  }

  @Test
  void statusDoesNotShowAnotherDirectorysServer(@TempDir Path elsewhere) throws Exception {
    Path other = Files.createDirectory(elsewhere.resolve("other"));
    Manifests.write(other, "gateway.yaml", Manifests.docs(Manifests.gatewayClass(),
        Manifests.gateway("default", "elsewhere", 8080)));
    try (GlooServer server = GlooServer.start(new ServeOptions(other, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50)))) {
      String admin = "http://127.0.0.1:" + server.adminPort();

      Run mine = CliTest.run("status", "--config-dir", dir.toString(), "--admin", admin);
      List<String> lines = mine.out().lines().toList();
      assertEquals("# offline translation of " + dir + " (the server at " + admin + " serves " + other
          + ", not this directory)", lines.get(0));
      assertTrue(mine.out().contains("Gateway/default/gw"), mine.out());
      assertTrue(!mine.out().contains("elsewhere"), mine.out());

      // The server's own directory, named another way (relative to it, through ..), is the server's.
      Run theirs = CliTest.run("status", "--config-dir", other.resolve("../other").toString(), "--admin", admin);
      assertTrue(theirs.out().startsWith("# from the running server at " + admin), theirs.out());
      assertTrue(theirs.out().contains("Gateway/default/elsewhere"), theirs.out());

      Run json = CliTest.run("status", "--config-dir", dir.toString(), "--admin", admin, "-o", "json");
      assertEquals("gloo status: offline translation of " + dir + " (the server at " + admin + " serves " + other
          + ", not this directory)", oneLine(json));
      assertTrue(!json.out().contains("elsewhere"), json.out());
    }
  }

  @Test
  void translateSaysWhenNoGatewayClassIsOurs() {
    Manifests.write(dir, "gateway.yaml", Manifests.gateway("default", "gw", 8080)); // the class is gone

    Run run = CliTest.run("translate", "-f", dir.toString(), "-o", "json");

    assertEquals(1, run.exit());
    assertEquals("problem: " + dir.resolve("gateway.yaml") + ": Gateway default/gw is not served: its GatewayClass"
        + " 'gloo-gateway' is not defined in these manifests; no GatewayClass with controllerName"
        + " solo.io/gloo-gateway is named by any Gateway, so nothing is translated", oneLine(run));
  }
}
