package io.gloo.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.server.GlooServer;
import io.gloo.core.testing.ServeFixture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gloo serve with plugins: kinds registered before the first read, and re-read when plugins come and go. */
class GlooServerPluginsTest {

  @TempDir
  Path temp;

  @Test
  void pluginKindsAreParsedAndFollowThePluginsDirectory() throws Exception {
    Path plugins = temp.resolve("plugins");
    ServeFixture serve = ServeFixture.in(temp).plugins(plugins).manifest("headers.yaml", """
        apiVersion: example.gloo.io/v1alpha1
        kind: ResponseHeaders
        metadata:
          name: add-x
          namespace: web
        spec:
          headers:
            x-test: "1"
        """);
    Path archive = TestPlugins.install(TestPlugins.HEADERS, plugins);
    try (GlooServer server = serve.start()) {
      assertTrue(server.plugins().get(TestPlugins.HEADERS).orElseThrow().started());
      assertTrue(hasPolicy(server), "read on the first scan: the plugin's kind was registered before it");

      Files.delete(archive);
      await(() -> !hasPolicy(server));
      assertTrue(server.plugins().isEmpty());
      assertFalse(server.kinds().lookup("example.gloo.io/v1alpha1", "ResponseHeaders").isPresent());

      TestPlugins.install(TestPlugins.HEADERS, plugins);
      await(() -> hasPolicy(server));
      assertEquals(1, server.plugins().started().size());
    }
  }

  /**
   * A plugin whose port is taken does not start, says so in one ERROR line, and /readyz answers 503 with the
   * reason (plugin, address, port) instead of ready without it.
   */
  @Test
  void aPluginThatCannotBindItsPortMakesTheServerNotReady() throws Exception {
    Path plugins = temp.resolve("plugins");
    TestPlugins.install(TestPlugins.HEADERS, plugins);
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (ServerSocket taken = new ServerSocket(0, 1, loopback)) {
      int port = taken.getLocalPort();
      try (GlooServer server = ServeFixture.in(temp).plugins(plugins)
          .setting(TestPlugins.HEADERS, "grpc.port", String.valueOf(port)).start()) {
        String reason = "plugin " + TestPlugins.HEADERS + " cannot listen on 127.0.0.1:" + port;
        HttpResponse<String> readyz = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.adminPort() + "/readyz")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(503, readyz.statusCode(), readyz.body());
        assertTrue(readyz.body().startsWith("not ready: " + reason), readyz.body());
        assertFalse(server.plugins().get(TestPlugins.HEADERS).orElseThrow().started());
      }
    }
  }

  /** gloo serve --bind 127.0.0.1: a plugin's port listens there, and not on the host's other addresses. */
  @Test
  void pluginPortsListenOnTheServeBindAddress() throws Exception {
    Path plugins = temp.resolve("plugins");
    TestPlugins.install(TestPlugins.HEADERS, plugins);
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (GlooServer server = ServeFixture.in(temp).plugins(plugins)
        .setting(TestPlugins.HEADERS, "grpc.port", String.valueOf(port)).start()) {
      assertTrue(server.plugins().get(TestPlugins.HEADERS).orElseThrow().started());
      assertEquals(null, server.notReadyReason());
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(loopback, port), 2000); // listening on the bind address
      }
      for (InetAddress other : GrpcServicesTest.nonLoopbackAddresses()) {
        try (Socket socket = new Socket()) {
          assertThrows(ConnectException.class, () -> socket.connect(new InetSocketAddress(other, port), 2000),
              "not listening on " + other);
        }
      }
    }
  }

  private static boolean hasPolicy(GlooServer server) {
    for (HasMetadata resource : server.source().current().all()) {
      if (resource instanceof GenericKubernetesResource generic && "ResponseHeaders".equals(generic.getKind())
          && "add-x".equals(generic.getMetadata().getName())) {
        return true;
      }
    }
    return false;
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    io.gloo.core.testing.Await.until(Duration.ofSeconds(15), condition, () -> "plugins");
  }
}
