package io.gloo.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.gloo.core.server.GlooServer;
import io.gloo.core.server.ServeOptions;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.Manifests;
import io.gloo.core.xds.BootstrapGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The {@code gloo} commands as a user runs them: arguments in, text and exit status out. */
class CliTest {

  @TempDir
  Path dir;

  @BeforeEach
  void manifests() {
    Manifests.write(dir, "gateway.yaml", Manifests.docs(Manifests.gatewayClass(),
        Manifests.gateway("default", "gw", 8080)));
    Manifests.write(dir, "echo.yaml", Manifests.docs(
        Manifests.service("default", "echo", 80),
        Manifests.endpointSlice("default", "echo", 8080, "10.0.0.1"),
        Manifests.httpRoute("default", "echo", "gw", null, "/echo", "echo:80")));
  }

  /** What one run printed and returned. */
  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = GlooCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void translatePrintsJsonAndOpensNoPort() throws Exception {
    Set<String> listeningBefore = listeningSockets();
    Set<String> threadsBefore = threadNames();

    Run run = run("translate", "-f", dir.toString(), "-o", "json");

    assertEquals(0, run.exit(), run.err());
    assertEquals("", run.err());
    JsonNode json = JsonMapper.builder().build().readTree(run.out());
    JsonNode gw = json.path("gateways").path("default/gw");
    assertEquals(8080, gw.path("listeners").get(0).path("address").path("socketAddress").path("portValue").asInt());
    assertEquals("kube_default_echo_80", gw.path("clusters").get(0).path("name").asString());
    assertTrue(json.path("statuses").has("Gateway/default/gw"), json.path("statuses").toString());
    JsonNode conditions = json.path("statuses").path("HTTPRoute/default/echo").path("parents").get(0)
        .path("conditions");
    Set<String> trueConditions = new HashSet<>();
    conditions.forEach(c -> {
      if (c.path("status").asString().equals("True")) {
        trueConditions.add(c.path("type").asString());
      }
    });
    assertEquals(Set.of("Accepted", "ResolvedRefs"), trueConditions, conditions.toString());

    // No listening socket appeared and no server thread (gRPC, admin, watcher) was left behind.
    assertEquals(listeningBefore, listeningSockets());
    Set<String> newThreads = threadNames();
    newThreads.removeAll(threadsBefore);
    assertTrue(newThreads.stream().noneMatch(t -> t.contains("grpc") || t.contains("gloo-admin")
        || t.contains("gloo-directory-watch") || t.contains("HTTP-Dispatcher")), newThreads.toString());
  }

  @Test
  void translateExitsOneOnAMalformedFileAndStillTranslatesTheRest() {
    Manifests.write(dir, "bad.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: x: y\n");

    Run run = run("translate", "-f", dir.toString(), "-o", "json");

    assertEquals(1, run.exit());
    assertTrue(run.err().contains("problem: ") && run.err().contains("bad.yaml:4:"), run.err());
    assertTrue(JsonMapper.builder().build().readTree(run.out()).path("gateways").has("default/gw"), run.out());
  }

  @Test
  void bootstrapPrintsValidYamlNamingTheNodeAndTheXdsServer() throws Exception {
    // plaintext, for a server run with --xds-insecure (BootstrapCommandTest covers the mTLS default)
    Run run = run("bootstrap", "--gateway", "default/gw", "--xds-address", "10.0.0.1:9977", "--xds-insecure");

    assertEquals(0, run.exit(), run.err());
    JsonNode yaml = YAMLMapper.builder().build().readTree(run.out());
    assertEquals("gloo-proxy~default~gw", yaml.path("node").path("id").asString());
    assertEquals("default~gw", yaml.path("node").path("cluster").asString());
    assertEquals("default/gw", yaml.path("node").path("metadata").path("gloo.gateway").asString());
    JsonNode address = yaml.path("static_resources").path("clusters").get(0).path("load_assignment")
        .path("endpoints").get(0).path("lb_endpoints").get(0).path("endpoint").path("address")
        .path("socket_address");
    assertEquals("10.0.0.1", address.path("address").asString());
    assertEquals(9977, address.path("port_value").asInt());

    // It is a valid Envoy v3 bootstrap: it parses back into the proto, identical to the generator's.
    Bootstrap.Builder parsed = Bootstrap.newBuilder();
    JsonFormat.parser()
        .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder().add(HttpProtocolOptions.getDescriptor()).build())
        .merge(JsonMapper.builder().build().writeValueAsString(yaml), parsed);
    assertEquals(BootstrapGenerator.bootstrap(new ResourceKey("Gateway", "default", "gw"), "10.0.0.1:9977"),
        parsed.build());
  }

  @Test
  void bootstrapRejectsAGatewayWithoutNamespace() {
    Run run = run("bootstrap", "--gateway", "gw");
    assertEquals(2, run.exit());
    assertEquals("", run.out());
    assertTrue(run.err().contains("NAMESPACE/NAME"), run.err());
  }

  @Test
  void statusFallsBackToOfflineTranslation() {
    Run run = run("status", "--config-dir", dir.toString(), "--admin", "http://127.0.0.1:1");

    assertEquals(0, run.exit(), run.out() + run.err());
    List<String> lines = run.out().lines().toList();
    assertTrue(lines.get(0).startsWith("# offline translation of " + dir), lines.get(0));
    assertTrue(lines.contains("HTTPRoute/default/echo  parent gw  Accepted=True  ResolvedRefs=True"), run.out());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("Gateway/default/gw  Accepted=True")), run.out());
  }

  @Test
  void statusExitsOneAndExplainsWhenARouteHasAProblem() {
    Manifests.write(dir, "broken.yaml", Manifests.httpRoute("default", "broken", "gw", null, "/b", "nope:80"));

    Run run = run("status", "--config-dir", dir.toString(), "--admin", "http://127.0.0.1:1");

    assertEquals(1, run.exit(), run.out());
    assertTrue(run.out().contains("HTTPRoute/default/broken  parent gw  Accepted=True  ResolvedRefs=False(BackendNotFound)"),
        run.out());
    assertTrue(run.out().contains("ResolvedRefs: ") && run.out().contains("nope"), run.out());
    assertTrue(run.out().contains("HTTPRoute/default/echo  parent gw  Accepted=True  ResolvedRefs=True"), run.out());
  }

  @Test
  void statusAsksTheRunningServerFirst() throws Exception {
    try (GlooServer server = GlooServer.start(new ServeOptions(dir, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(50)))) {
      Run run = run("status", "--config-dir", dir.toString(), "--admin",
          "http://127.0.0.1:" + server.adminPort(), "-o", "json");
      assertEquals(0, run.exit(), run.err());
      JsonNode json = JsonMapper.builder().build().readTree(run.out());
      assertTrue(json.path("statuses").has("HTTPRoute/default/echo"), run.out());
      assertTrue(json.has("proxies"), "only the server knows about proxies: " + run.out());

      Run table = run("status", "--config-dir", dir.toString(), "--admin", "http://127.0.0.1:" + server.adminPort());
      assertTrue(table.out().startsWith("# from the running server at http://127.0.0.1:" + server.adminPort()),
          table.out());
    }
  }

  @Test
  void missingRequiredOptionIsAUsageError() {
    Run run = run("translate");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("--file"), run.err());
  }

  // --- helpers ---

  private static Set<String> threadNames() {
    Set<String> names = new HashSet<>();
    Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
    return names;
  }

  /** local address:port of every listening TCP socket this process holds (Linux /proc). */
  private static Set<String> listeningSockets() throws IOException {
    Path fds = Path.of("/proc/self/fd");
    Assumptions.assumeTrue(Files.isDirectory(fds) && Files.exists(Path.of("/proc/net/tcp")), "needs Linux /proc");
    Set<String> inodes = new HashSet<>();
    Pattern socket = Pattern.compile("socket:\\[(\\d+)]");
    try (Stream<Path> links = Files.list(fds)) {
      for (Path link : links.toList()) {
        try {
          Matcher m = socket.matcher(Files.readSymbolicLink(link).toString());
          if (m.matches()) {
            inodes.add(m.group(1));
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    }
    Set<String> listening = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(table);
      if (!Files.exists(p)) {
        continue;
      }
      List<String> lines = Files.readAllLines(p);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
        if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
          listening.add(f[1]);
        }
      }
    }
    return listening;
  }

  @Test
  void listeningSocketsSeesAServer() throws Exception {
    // The no-port check above can fail: a listening server socket is visible to it.
    Set<String> before = listeningSockets();
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      Set<String> during = listeningSockets();
      assertFalse(during.equals(before), "a listening socket must be seen");
    }
  }

  @Test
  void aStandaloneServiceWithoutItsPluginSaysSoAndExits() {
    Run run = run("ratelimit-server", "--plugins-dir", dir.toString(), "--control-plane", "127.0.0.1:1");
    assertEquals(1, run.exit(), run.out());
    assertTrue(run.err().contains("plugin ratelimit did not start: not found in"), run.err());
    Run help = run("extauth-server", "--help");
    assertEquals(0, help.exit());
    assertTrue(help.out().contains("svc.cluster.local:8084"), help.out()); // the default control plane's stream
  }

  /** Unusable client certificate flags: one line naming what is wrong, exit 2, nothing started. */
  @Test
  void aStandaloneServiceWithUnusableCertificatesSaysWhyInOneLine() throws Exception {
    Run missing = run("ratelimit-server", "--plugins-dir", dir.toString(), "--cert-dir",
        dir.resolve("no-such-dir").toString());
    assertEquals(2, missing.exit(), missing.err());
    assertEquals(1, missing.err().strip().lines().count(), missing.err());
    assertTrue(missing.err().contains("tls.crt is not a file"), missing.err());

    Run partial = run("extauth-server", "--plugins-dir", dir.toString(), "--tls-cert", "a.crt");
    assertEquals(2, partial.exit(), partial.err());
    assertTrue(partial.err().contains("give --cert-dir, or all of --tls-cert, --tls-key and --tls-ca"), partial.err());

    java.nio.file.Path certs = java.nio.file.Files.createDirectories(dir.resolve("garbage"));
    for (String file : List.of("tls.crt", "tls.key", "ca.crt")) {
      java.nio.file.Files.writeString(certs.resolve(file), "not pem");
    }
    Run garbage = run("ratelimit-server", "--plugins-dir", dir.toString(), "--cert-dir", certs.toString());
    assertEquals(2, garbage.exit(), garbage.err());
    assertEquals(1, garbage.err().strip().lines().count(), garbage.err());
    assertTrue(garbage.err().contains("are not a PEM certificate and its private key"), garbage.err());
  }

  /** tls=true serves Envoy with the replica's own certificate: without one the replica does not start. */
  @Test
  void aStandaloneServiceInTlsModeNeedsItsCertificate() {
    Run run = run("ratelimit-server", "--plugins-dir", dir.toString(), "--control-plane", "127.0.0.1:1",
        "--plugin-config", "tls=true");
    assertEquals(2, run.exit(), run.err());
    assertEquals("gloo ratelimit-server: ratelimit.tls=true serves Envoy over mutual TLS with this replica's"
        + " certificate: give --cert-dir (gloo certs issue --for ratelimit-server)", run.err().strip());
  }

  @Test
  void serveRefusesToWidenTheAdminDumpsWithoutAToken() {
    Run run = run("serve", "--config-dir", dir.toString(), "--admin-bind", "0.0.0.0", "--admin-port", "0",
        "--xds-port", "0");
    assertEquals(2, run.exit(), run.err());
    assertEquals("gloo serve: --admin-bind 0.0.0.0 serves the admin dumps beyond loopback: give --admin-token-file"
        + " FILE (a bearer token of at least 16 characters)", run.err().strip());
  }
}
