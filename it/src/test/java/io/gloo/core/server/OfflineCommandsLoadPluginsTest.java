package io.gloo.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.cli.GlooCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * gloo translate and gloo route-check load the plugins gloo serve would (same --plugins-dir and --plugin-config),
 * offline: the third-party example plugin's policy is applied, not reported as unserved, and no port is opened.
 */
class OfflineCommandsLoadPluginsTest {

  private static final Path EXAMPLE = Path.of("../examples/third-party-plugin/example.yaml");

  @TempDir
  Path temp;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = GlooCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private Path plugins() throws Exception {
    Path zip = Path.of(System.getProperty("gloo.test.plugins", "target/test-plugins"), "response-header-policy.zip");
    assertTrue(Files.isRegularFile(zip), zip + " is missing: build with Maven (mvn -pl core -am test)");
    Path dir = Files.createDirectories(temp.resolve("plugins"));
    Files.copy(zip, dir.resolve(zip.getFileName()));
    // and the test plugin that serves a gRPC service on grpc.port when serving
    Files.copy(Path.of(System.getProperty("gloo.test.plugins", "target/test-plugins"), "test-headers.zip"),
        dir.resolve("test-headers.zip"));
    return dir;
  }

  @Test
  void translateAppliesPluginPoliciesAndOpensNoPort() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Run without = run("translate", "-f", EXAMPLE.toString(), "-o", "json", "--plugins-dir",
        temp.resolve("none").toString());
    assertTrue(without.out().contains("is not served by any installed plugin"), without.out());
    assertTrue(!without.out().contains("x-frame-options"), without.out());

    Run with = run("translate", "-f", EXAMPLE.toString(), "-o", "json", "--plugins-dir", plugins().toString(),
        "--plugin-config", "test-headers.grpc.port=" + port);
    assertEquals(0, with.exit(), with.err());
    assertTrue(with.out().contains("\"x-frame-options\""), with.out());
    assertTrue(!with.out().contains("is not served by any installed plugin"), with.out());
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress("0.0.0.0", port)); // the plugin's gRPC port was never bound offline
    }
  }

  @Test
  void routeCheckAppliesPluginPolicies() throws Exception {
    Run with = run("route-check", "-f", EXAMPLE.toString(), "--plugins-dir", plugins().toString(), "--request",
        "GET http://example.com:8080/web", "-o", "json");
    assertEquals(0, with.exit(), with.err());
    assertTrue(with.out().contains("x-frame-options"), with.out());
    Run without = run("route-check", "-f", EXAMPLE.toString(), "--plugins-dir", temp.resolve("none").toString(),
        "--request", "GET http://example.com:8080/web", "-o", "json");
    assertTrue(!without.out().contains("x-frame-options"), without.out());
  }

  @Test
  void statusTranslatesOfflineWithThePlugins() throws Exception {
    Path config = Files.createDirectories(temp.resolve("config"));
    Files.copy(EXAMPLE, config.resolve("example.yaml"));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort(); // no server answers there: gloo status translates offline
    }
    Run without = run("status", "--config-dir", config.toString(), "--admin", "http://127.0.0.1:" + port,
        "--plugins-dir", temp.resolve("none").toString());
    assertTrue(without.out().contains("is not served by any installed plugin"), without.out());
    Run with = run("status", "--config-dir", config.toString(), "--admin", "http://127.0.0.1:" + port,
        "--plugins-dir", plugins().toString());
    assertTrue(with.out().startsWith("# offline translation of"), with.out());
    assertTrue(!with.out().contains("is not served by any installed plugin"), with.out());
  }

  @Test
  void aMalformedPluginConfigIsOneLine() {
    Run run = run("translate", "-f", EXAMPLE.toString(), "--plugin-config", "nodot");
    assertEquals(2, run.exit());
    assertEquals("gloo translate: plugin config nodot is not ID.KEY=VALUE\n", run.err());
  }
}
