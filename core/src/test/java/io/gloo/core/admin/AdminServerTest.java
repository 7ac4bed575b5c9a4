package io.gloo.core.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gloo.core.server.GlooServer;
import io.gloo.core.server.ServeOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API over real sockets: slow clients do not stall the probes, and the dumps are refused beyond loopback
 * unless widened with a token. The beyond-loopback cases connect to this host's own non-loopback address (the
 * connection's source is then that address, not loopback); without one they are skipped and
 * {@link AdminAccessTest} covers the rules.
 */
class AdminServerTest {

  private static final String TOKEN = "admin-token-abcdefghijklmnop";

  @TempDir
  Path dir;

  private GlooServer server;
  private final List<Socket> sockets = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() throws Exception {
    for (Socket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private void start(String bind, AdminAccess access) throws Exception {
    server = GlooServer.start(new ServeOptions(dir, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress(bind, 0), Duration.ofMillis(25)), access);
  }

  /** This host's first non-loopback IPv4 address, if any. */
  private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  private HttpResponse<String> get(InetAddress host, String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host.getHostAddress() + ":"
        + server.adminPort() + path)).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The status line of a request written on a fresh socket whose reads time out after {@code readTimeoutMillis}. */
  private static String statusLine(int port, String path, int readTimeoutMillis) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(readTimeoutMillis); // a read that waits longer throws SocketTimeoutException: the test fails
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }
  }

  @Test
  void halfOpenConnectionsDoNotStallTheProbes() throws Exception {
    start("127.0.0.1", AdminAccess.loopbackOnly());
    int port = server.adminPort();
    // Warm up once (class loading), with a generous timeout: what is checked below is the stalled case.
    assertEquals("HTTP/1.1 200 OK", statusLine(port, "/healthz", 10_000));
    assertEquals("HTTP/1.1 200 OK", statusLine(port, "/readyz", 10_000));
    for (int i = 0; i < 200; i++) {
      Socket s = new Socket();
      sockets.add(s);
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      // half a request line, then nothing: each would hold a worker of a thread-per-request server
      s.getOutputStream().write((i % 2 == 0 ? "GET /heal" : "GET /statuses HTTP/1.1\r\nHost: x\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
    }
    // Not a timing test (the machine may be loaded): a server whose workers the half-open clients hold frees one
    // only when the 10 s idle timeout closes that client, so it cannot answer within 5 s; and the 200 clients must
    // still be connected afterwards (the probe was not answered by dropping them). The time taken is printed: on a
    // quiet 2-core machine it is a few milliseconds.
    long started = System.nanoTime();
    assertEquals("HTTP/1.1 200 OK", statusLine(port, "/healthz", 5_000),
        "/healthz answers while 200 half-open clients are connected");
    long healthMicros = (System.nanoTime() - started) / 1_000;
    assertTrue(statusLine(port, "/readyz", 5_000).startsWith("HTTP/1.1 200"));
    System.out.println("/healthz with 200 half-open connections answered in " + healthMicros + " µs");
    for (Socket s : sockets) {
      s.setSoTimeout(1);
      try {
        int read = s.getInputStream().read();
        fail("a half-open client was answered or closed by the server: read " + read);
      } catch (java.net.SocketTimeoutException stillOpen) {
        // expected: the server still holds the connection open, waiting for the rest of the request
      }
    }
    assertEquals("HTTP/1.1 200 OK", statusLine(port, "/statuses", 10_000), "dumps still served on loopback");
  }

  @Test
  void theEndpointsKeepTheirBehaviour() throws Exception {
    start("127.0.0.1", AdminAccess.loopbackOnly());
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    HttpResponse<String> health = get(loopback, "/healthz", null);
    assertEquals(200, health.statusCode());
    assertEquals("ok\n", health.body());
    assertEquals("text/plain", health.headers().firstValue("Content-Type").orElse(""));
    assertTrue(get(loopback, "/readyz", null).body().startsWith("ready: "));
    assertTrue(get(loopback, "/metrics", null).body().contains("gloo_translations"));
    assertEquals(200, get(loopback, "/statuses", null).statusCode());
    assertEquals(200, get(loopback, "/snapshots", null).statusCode());
    HttpResponse<String> noGateway = get(loopback, "/route-check?request=GET%20http://a/", null);
    assertEquals(400, noGateway.statusCode());
    assertTrue(noGateway.body().startsWith("name one of the served Gateways"), noGateway.body());
    assertEquals(404, get(loopback, "/plugins", null).statusCode(), "no plugin manager: no plugins");
    assertEquals(404, get(loopback, "/nothing-here", null).statusCode());
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort()
        + "/healthz")).POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
    HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort()
        + "/healthz")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, head.statusCode());
    assertEquals("", head.body());
  }

  @Test
  void aLoggersLevelChangesAtRunTime() throws Exception {
    start("127.0.0.1", AdminAccess.loopbackOnly());
    org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger("io.gloo.admintest.Something");
    assertTrue(!logger.isDebugEnabled(), "INFO by default");
    HttpResponse<String> set = post("/logging?logger=io.gloo.admintest&level=debug");
    assertEquals(200, set.statusCode(), set.body());
    assertTrue(set.body().contains("\"io.gloo.admintest\":\"DEBUG\""), set.body());
    assertTrue(logger.isDebugEnabled(), "a logger under the name follows it at once");
    assertTrue(get(InetAddress.getByName("127.0.0.1"), "/logging", null).body().contains("\"io.gloo.admintest\""));
    assertEquals(400, post("/logging?logger=io.gloo.admintest&level=loud").statusCode());
    assertEquals(400, post("/logging?level=debug").statusCode());
    assertEquals(200, post("/logging?logger=io.gloo.admintest&level=reset").statusCode());
    assertTrue(!logger.isDebugEnabled(), "reset: inherits INFO again");
    assertTrue(!get(InetAddress.getByName("127.0.0.1"), "/logging", null).body().contains("admintest"));
  }

  private HttpResponse<String> post(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void dumpsAreRefusedBeyondLoopbackByDefault() throws Exception {
    Optional<InetAddress> external = nonLoopbackAddress();
    Assumptions.assumeTrue(external.isPresent(), "no non-loopback address on this host");
    start("0.0.0.0", AdminAccess.loopbackOnly());
    InetAddress address = external.get();
    for (String dump : List.of("/snapshots", "/statuses", "/plugins", "/route-check", "/logging", "/nothing-here")) {
      HttpResponse<String> refused = get(address, dump, "Bearer " + TOKEN);
      assertEquals(403, refused.statusCode(), dump + ": " + refused.body());
      assertTrue(refused.body().contains("loopback"), refused.body());
    }
    assertEquals(200, get(address, "/healthz", null).statusCode());
    assertEquals(200, get(address, "/readyz", null).statusCode());
    assertEquals(200, get(address, "/metrics", null).statusCode());
    assertEquals(200, get(InetAddress.getByName("127.0.0.1"), "/statuses", null).statusCode());
  }

  @Test
  void widenedDumpsNeedTheTokenBeyondLoopback() throws Exception {
    Optional<InetAddress> external = nonLoopbackAddress();
    Assumptions.assumeTrue(external.isPresent(), "no non-loopback address on this host");
    Path tokenFile = Files.writeString(dir.resolveSibling(dir.getFileName() + "-token"), TOKEN + "\n");
    try {
      start("0.0.0.0", AdminAccess.of("0.0.0.0", tokenFile));
    } finally {
      Files.delete(tokenFile); // read once at start
    }
    InetAddress address = external.get();
    HttpResponse<String> none = get(address, "/statuses", null);
    assertEquals(401, none.statusCode(), none.body());
    assertEquals("Bearer realm=\"gloo-admin\"", none.headers().firstValue("WWW-Authenticate").orElse(""));
    assertTrue(!none.body().contains(TOKEN));
    assertEquals(401, get(address, "/statuses", "Bearer not-" + TOKEN).statusCode());
    HttpResponse<String> ok = get(address, "/statuses", "Bearer " + TOKEN);
    assertEquals(200, ok.statusCode(), ok.body());
    assertTrue(ok.body().contains("\"statuses\""), ok.body());
    assertEquals(200, get(address, "/healthz", null).statusCode());
    assertEquals(200, get(InetAddress.getByName("127.0.0.1"), "/snapshots", null).statusCode(),
        "loopback needs no token");
  }
}
