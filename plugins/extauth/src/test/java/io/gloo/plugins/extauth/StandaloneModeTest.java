package io.gloo.plugins.extauth;

import io.gloo.core.testing.TestPluginContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.testing.Await;
import io.gloo.core.testing.TestCertificates;
import io.gloo.plugins.extauth.model.AuthConfigSpec;
import io.gloo.plugins.extauth.service.AuthServer;
import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.policy.PolicySink;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control-plane plugin (inside {@code gloo serve}) publishes its compiled AuthConfigs on its config-stream port with
 * mutual TLS from its CA; a standalone plugin ({@code mode=standalone}, as {@code gloo extauth-server} starts it, with
 * an {@code extauth-server} certificate) pulls them, serves them, keeps serving them while the control plane is away,
 * picks up a change after it comes back, and never logs a secret. Nobody else gets the configs.
 */
class StandaloneModeTest {

  @TempDir
  Path tmp;

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
    int streamPort = TestPluginContext.freePort();
    int authPort = TestPluginContext.freePort();
    TestCertificates certs = new TestCertificates(tmp);
    Map<String, String> cpConfig = Map.of("port", String.valueOf(cpPort), "configStreamPort",
        String.valueOf(streamPort));
    TestConfigs.Secrets secrets = new TestConfigs.Secrets()
        .put("ns", "alice", "extauth.solo.io/apikey", Map.of("team", "a"), Map.of("api-key", "alice-api-key-123"))
        .put("ns", "client", "extauth.solo.io/oauth", Map.of(), Map.of("client-secret", "very-secret-client"));

    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    ExtAuthPlugin controlPlane = new ExtAuthPlugin();
    ExtAuthPlugin standalone = new ExtAuthPlugin();
    TestPluginContext cpContext = new TestPluginContext("extauth", cpConfig, certs.controlPlane());
    TestPluginContext saContext = new TestPluginContext("extauth", Map.of("mode", "standalone",
        "controlPlane", "127.0.0.1:" + streamPort, "port", String.valueOf(authPort)), certs.replica("extauth-server"));
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", authPort).usePlaintext().build();
    try {
      controlPlane.start(cpContext);
      publish(controlPlane, secrets);
      standalone.start(saContext);
      var client = AuthorizationGrpc.newBlockingStub(channel);

      Await.until(new java.util.concurrent.LinkedBlockingQueue<>(), Duration.ofSeconds(20),
          () -> check(client, "alice-api-key-123") == 200, () -> "the standalone server never allowed the key");
      assertEquals(401, check(client, "wrong"));
      // metrics as core exports them: checks by decision, latency histograms, and the same config version on
      // both sides (the replica serves what the control plane published)
      assertTrue(saContext.sample("gloo_plugin_extauth_checks_total", "decision", "allow") >= 1.0,
          saContext.scrape());
      assertEquals(1.0, saContext.sample("gloo_plugin_extauth_checks_total", "decision", "deny"));
      assertEquals(1.0, saContext.sample("gloo_plugin_extauth_check_duration_seconds_count", "decision", "deny"));
      double version = cpContext.sample("gloo_plugin_extauth_config_version", "plugin", "extauth");
      assertTrue(version > 0, cpContext.scrape());
      assertEquals(version, saContext.sample("gloo_plugin_extauth_config_version", "plugin", "extauth"));

      // the control plane goes away: the standalone server keeps the last configs
      cpContext.close();
      controlPlane.stop();
      Thread.sleep(500);
      assertEquals(200, check(client, "alice-api-key-123"));

      // it comes back on the same port with the key's Secret deleted: the replica reconnects and follows
      ExtAuthPlugin restarted = new ExtAuthPlugin();
      cpContext = new TestPluginContext("extauth", cpConfig, certs.controlPlane());
      restarted.start(cpContext);
      publish(restarted, secrets.remove("ns", "alice"));
      Await.until(new java.util.concurrent.LinkedBlockingQueue<>(), Duration.ofSeconds(30),
          () -> check(client, "alice-api-key-123") == 401, () -> "the deleted key kept working");
      double changed = cpContext.sample("gloo_plugin_extauth_config_version", "plugin", "extauth");
      assertTrue(changed > 0 && changed != version, "a new version after the change: " + changed);
      assertEquals(changed, saContext.sample("gloo_plugin_extauth_config_version", "plugin", "extauth"));
      restarted.stop();
    } finally {
      channel.shutdownNow();
      standalone.stop();
      saContext.close();
      cpContext.close();
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("auth configs from 127.0.0.1:" + streamPort), log);
    assertFalse(log.contains("PRIVATE KEY"), "key material in the log");
    for (String secret : List.of("alice-api-key-123", "very-secret-client",
        io.gloo.plugins.extauth.compile.AuthConfigCompiler.sha256("alice-api-key-123".getBytes(StandardCharsets.UTF_8)))) {
      assertFalse(log.contains(secret), "a secret (or key digest) appeared in the log");
    }
  }

  /**
   * The auth configs (client secrets, derived session keys, API-key digests) reach only an {@code extauth-server}
   * (or control-plane) certificate from the CA: a subscriber without one gets nothing, a Gateway's or the rate-limit
   * server's is denied, and the refusals log no key material.
   */
  @Test
  void theAuthConfigStreamIsServedOnlyToExtAuthServers() throws Exception {
    TestCertificates certs = new TestCertificates(tmp);
    int streamPort = TestPluginContext.freePort();
    TestConfigs.Secrets secrets = new TestConfigs.Secrets()
        .put("ns", "alice", "extauth.solo.io/apikey", Map.of("team", "a"), Map.of("api-key", "alice-api-key-123"))
        .put("ns", "client", "extauth.solo.io/oauth", Map.of(), Map.of("client-secret", "very-secret-client"));
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    ExtAuthPlugin controlPlane = new ExtAuthPlugin();
    try (TestPluginContext context = new TestPluginContext("extauth", Map.of("port",
        String.valueOf(TestPluginContext.freePort()), "configStreamPort", String.valueOf(streamPort)),
        certs.controlPlane())) {
      controlPlane.start(context);
      publish(controlPlane, secrets);
      String target = "127.0.0.1:" + streamPort;

      assertEquals(Status.Code.UNAVAILABLE, refused(target, TestCertificates.plaintext()), "plaintext");
      assertEquals(Status.Code.UNAVAILABLE, refused(target, certs.withoutClientCertificate()), "no certificate");
      assertEquals(Status.Code.PERMISSION_DENIED, refused(target, certs.clientCredentials(
          SpiffeId.gateway("ns", "gw"))), "a Gateway's certificate");
      assertEquals(Status.Code.PERMISSION_DENIED, refused(target, certs.clientCredentials(
          SpiffeId.service("ratelimit-server"))), "the rate-limit server's certificate");

      String configs = TestCertificates.firstConfig(target, ExtAuthPlugin.CONFIG_STREAM,
          certs.clientCredentials(SpiffeId.service("extauth-server")));
      assertTrue(configs.contains("ns.keys") && configs.contains("ns.introspect"), "both configs");
    } finally {
      controlPlane.stop();
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("PERMISSION_DENIED") || log.contains("is not allowed"), log);
    for (String secret : List.of("alice-api-key-123", "very-secret-client", "PRIVATE KEY",
        io.gloo.plugins.extauth.compile.AuthConfigCompiler.sha256("alice-api-key-123".getBytes(StandardCharsets.UTF_8)))) {
      assertFalse(log.contains(secret), "a secret, key digest or private key appeared in the log");
    }
  }

  private static Status.Code refused(String target, io.grpc.ChannelCredentials credentials) {
    return assertThrows(StatusRuntimeException.class,
        () -> TestCertificates.firstConfig(target, ExtAuthPlugin.CONFIG_STREAM, credentials)).getStatus().getCode();
  }
}
