package io.gloo.plugins.ratelimit;

import io.gloo.core.testing.TestPluginContext;
import static io.gloo.plugins.ratelimit.service.ServiceHarness.d;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.testing.PluginTranslation;
import io.gloo.core.testing.TestCertificates;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.plugins.ratelimit.service.MutableClock;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes' worth of plugin: the control plane's (rules from its sink, streamed on its config-stream port with
 * mutual TLS from its CA) and a standalone replica's ({@code mode=standalone}, rules pulled from the control plane
 * with a {@code ratelimit-server} certificate). The replica enforces what the control plane publishes, and keeps
 * enforcing its last rules after the control plane stops. Who else may read the rule stream: nobody.
 */
class StandaloneModeTest {

  @TempDir
  Path tmp;

  @Test
  void aStandaloneReplicaEnforcesTheControlPlanesRulesAndKeepsThemWhenItGoesAway() throws Exception {
    MutableClock clock = new MutableClock(1_704_067_210_000L);
    TestCertificates certs = new TestCertificates(tmp);
    int controlPort = TestPluginContext.freePort();
    int streamPort = TestPluginContext.freePort();
    int replicaPort = TestPluginContext.freePort();
    TestPluginContext control = new TestPluginContext("ratelimit", Map.of("port", Integer.toString(controlPort),
        "configStreamPort", Integer.toString(streamPort)), certs.controlPlane());
    RateLimitPlugin controlPlane = new RateLimitPlugin(clock, RateLimitGoldenTest.GRANTS);
    controlPlane.start(control);
    try (TestPluginContext replicaContext = new TestPluginContext("ratelimit", Map.of("port", Integer.toString(replicaPort),
        "mode", "standalone", "controlPlane", "127.0.0.1:" + streamPort), certs.replica("ratelimit-server"))) {
      RateLimitPlugin replica = new RateLimitPlugin(clock);
      replica.start(replicaContext);
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", replicaPort).usePlaintext().build();
      try {
        var stub = RateLimitServiceGrpc.newBlockingStub(channel);
        RateLimitRequest perIp = RateLimitRequest.newBuilder().setDomain("custom")
            .addDescriptors(d("gloo.config", RateLimitGoldenTest.selector("default.per-ip", "config"),
                "remote_address", "10.0.0.9")).build();
        // no rules yet: nothing is limited
        assertEquals(Code.OK, stub.shouldRateLimit(perIp).getStatuses(0).getCode());
        assertEquals(false, replica.limiter().rules().domainNames().contains("default.per-ip"));

        // the control plane translates: its sink compiles and publishes; the replica receives them
        PluginTranslation.translate(PluginTranslation.load(GoldenFiles.inputs("refs-and-inline")),
            Map.of("routeoption", new io.gloo.plugins.routeoption.RouteOptionPlugin(), "ratelimit", controlPlane));
        await(() -> replica.limiter().rules().domainNames().contains("default.per-ip"));
        for (int i = 0; i < 5; i++) {
          assertEquals(Code.OK, stub.shouldRateLimit(perIp).getOverallCode(), "request " + i);
        }
        assertEquals(Code.OVER_LIMIT, stub.shouldRateLimit(perIp).getOverallCode()); // per-ip: 5 per second

        // the control plane goes away: the replica keeps its last rules
        control.close();
        clock.advanceMillis(1_000); // a new window
        for (int i = 0; i < 5; i++) {
          assertEquals(Code.OK, stub.shouldRateLimit(perIp).getOverallCode(), "request " + i);
        }
        assertEquals(Code.OVER_LIMIT, stub.shouldRateLimit(perIp).getOverallCode());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } finally {
      control.close();
    }
  }

  /**
   * The rule stream answers only a {@code ratelimit-server} (or control-plane) certificate from the CA: no
   * certificate gets no rules at all, a Gateway's or the ext-auth server's is denied.
   */
  @Test
  void theRuleStreamIsServedOnlyToRateLimitServers() throws Exception {
    TestCertificates certs = new TestCertificates(tmp);
    int streamPort = TestPluginContext.freePort();
    try (TestPluginContext control = new TestPluginContext("ratelimit", Map.of("port",
        Integer.toString(TestPluginContext.freePort()), "configStreamPort", Integer.toString(streamPort)),
        certs.controlPlane())) {
      RateLimitPlugin controlPlane = new RateLimitPlugin();
      controlPlane.start(control);
      PluginTranslation.translate(PluginTranslation.load(GoldenFiles.inputs("refs-and-inline")),
          Map.of("routeoption", new io.gloo.plugins.routeoption.RouteOptionPlugin(), "ratelimit", controlPlane));
      String target = "127.0.0.1:" + streamPort;

      assertEquals(Status.Code.UNAVAILABLE, refused(target, TestCertificates.plaintext()), "plaintext");
      assertEquals(Status.Code.UNAVAILABLE, refused(target, certs.withoutClientCertificate()), "no certificate");
      assertEquals(Status.Code.PERMISSION_DENIED, refused(target, certs.clientCredentials(
          SpiffeId.gateway("default", "gw"))), "a Gateway's certificate");
      assertEquals(Status.Code.PERMISSION_DENIED, refused(target, certs.clientCredentials(
          SpiffeId.service("extauth-server"))), "the ext-auth server's certificate");

      String rules = TestCertificates.firstConfig(target, RateLimitPlugin.RULES_SERVICE,
          certs.clientCredentials(SpiffeId.service("ratelimit-server")));
      assertTrue(rules.contains("default.per-ip"), rules);
    }
  }

  private static Status.Code refused(String target, io.grpc.ChannelCredentials credentials) {
    return assertThrows(StatusRuntimeException.class,
        () -> TestCertificates.firstConfig(target, RateLimitPlugin.RULES_SERVICE, credentials)).getStatus().getCode();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 20 s");
      }
      Thread.sleep(20);
    }
  }
}
