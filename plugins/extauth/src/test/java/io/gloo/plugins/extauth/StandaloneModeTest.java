package io.gloo.plugins.extauth;

import io.gloo.core.testing.TestPluginContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.gloo.core.testing.Await;
import io.gloo.plugins.extauth.model.AuthConfigSpec;
import io.gloo.plugins.extauth.service.AuthServer;
import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.policy.PolicySink;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A control-plane plugin (inside {@code gloo serve}) publishes its compiled AuthConfigs on its port; a standalone
 * plugin ({@code mode=standalone}, as {@code gloo extauth-server} starts it) pulls them, serves them, keeps serving
 * them while the control plane is away, picks up a change after it comes back, and never logs a secret.
 */
class StandaloneModeTest {

  private static final String INTROSPECTION = """
      configs:
      - oauth2:
          accessTokenValidation:
            introspection: {introspectionUrl: 'http://127.0.0.1:1/i', clientId: c, clientSecretRef: {name: client}}
      """;

  @SuppressWarnings("unchecked")
  private static void publish(ExtAuthPlugin controlPlane, TestConfigs.Secrets secrets) {
    PolicySink<AuthConfigSpec> sink = (PolicySink<AuthConfigSpec>) controlPlane.policyKinds().get(0).sink();
    String yaml = "configs:\n- apiKeyAuth: {labelSelector: {team: a}}\n";
    sink.publish(List.of(new PolicySink.Published<>(new PolicyRef(AuthConfigKind.GROUP_KIND, "ns", "keys"), 1,
        TestConfigs.spec(yaml), secrets, new TestConfigs.Reports()),
        new PolicySink.Published<>(new PolicyRef(AuthConfigKind.GROUP_KIND, "ns", "introspect"), 1,
        TestConfigs.spec(INTROSPECTION), secrets,
        new TestConfigs.Reports())));
  }

  private static int check(AuthorizationGrpc.AuthorizationBlockingStub client, String key) {
    CheckResponse r = client.withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(AuthServer.req("ns.keys").header("api-key", key).build());
    return AuthServer.status(r);
  }

  @Test
  void standaloneServesWhatTheControlPlanePublishes() throws Exception {
    int cpPort = TestPluginContext.freePort();
    int authPort = TestPluginContext.freePort();
    TestConfigs.Secrets secrets = new TestConfigs.Secrets()
        .put("ns", "alice", "extauth.solo.io/apikey", Map.of("team", "a"), Map.of("api-key", "alice-api-key-123"))
        .put("ns", "client", "extauth.solo.io/oauth", Map.of(), Map.of("client-secret", "very-secret-client"));

    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    ExtAuthPlugin controlPlane = new ExtAuthPlugin();
    ExtAuthPlugin standalone = new ExtAuthPlugin();
    TestPluginContext cpContext = new TestPluginContext("extauth", Map.of("port", String.valueOf(cpPort)));
    TestPluginContext saContext = new TestPluginContext("extauth", Map.of("mode", "standalone",
        "controlPlane", "127.0.0.1:" + cpPort, "port", String.valueOf(authPort)));
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", authPort).usePlaintext().build();
    try {
      controlPlane.start(cpContext);
      publish(controlPlane, secrets);
      standalone.start(saContext);
      var client = AuthorizationGrpc.newBlockingStub(channel);

      Await.until(new java.util.concurrent.LinkedBlockingQueue<>(), Duration.ofSeconds(20),
          () -> check(client, "alice-api-key-123") == 200, () -> "the standalone server never allowed the key");
      assertEquals(401, check(client, "wrong"));

      // the control plane goes away: the standalone server keeps the last configs
      cpContext.close();
      controlPlane.stop();
      Thread.sleep(500);
      assertEquals(200, check(client, "alice-api-key-123"));

      // it comes back on the same port with the key's Secret deleted: the replica reconnects and follows
      ExtAuthPlugin restarted = new ExtAuthPlugin();
      cpContext = new TestPluginContext("extauth", Map.of("port", String.valueOf(cpPort)));
      restarted.start(cpContext);
      publish(restarted, secrets.remove("ns", "alice"));
      Await.until(new java.util.concurrent.LinkedBlockingQueue<>(), Duration.ofSeconds(30),
          () -> check(client, "alice-api-key-123") == 401, () -> "the deleted key kept working");
      restarted.stop();
    } finally {
      channel.shutdownNow();
      standalone.stop();
      saContext.close();
      cpContext.close();
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("auth configs from 127.0.0.1:" + cpPort), log);
    for (String secret : List.of("alice-api-key-123", "very-secret-client",
        io.gloo.plugins.extauth.compile.AuthConfigCompiler.sha256("alice-api-key-123".getBytes(StandardCharsets.UTF_8)))) {
      assertFalse(log.contains(secret), "a secret (or key digest) appeared in the log");
    }
  }
}
