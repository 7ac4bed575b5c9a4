package io.gloo.plugins.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.testing.TestCertificates;
import io.gloo.core.testing.TestPluginContext;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ratelimit.tls=true}: ShouldRateLimit requires a proxy's (or the control plane's) certificate from the CA,
 * (the cluster Envoy gets: {@code translate.TlsClusterTest}).
 */
class TlsModeTest {

  @TempDir
  Path tmp;

  @Test
  void shouldRateLimitAnswersOnlyProxiesWithACertificateFromTheCa() throws Exception {
    TestCertificates certs = new TestCertificates(tmp);
    int port = TestPluginContext.freePort();
    try (TestPluginContext context = new TestPluginContext("ratelimit", Map.of("port", String.valueOf(port),
        "configStreamPort", String.valueOf(TestPluginContext.freePort()), "tls", "true"), certs.controlPlane())) {
      new RateLimitPlugin().start(context);
      assertEquals(Status.Code.UNAVAILABLE, refused(port, TestCertificates.plaintext()), "plaintext");
      assertEquals(Status.Code.PERMISSION_DENIED, refused(port, certs.clientCredentials(
          SpiffeId.service("extauth-server"))), "not a proxy");
      assertEquals(Code.OK, shouldRateLimit(port, certs.clientCredentials(SpiffeId.gateway("default", "gw"))));
    }
  }

  /**
   * {@code gloo ratelimit-server} with {@code tls=true}: ShouldRateLimit is served with the replica's own
   * certificate, which a proxy accepts as Envoy's cluster does (control plane or ratelimit-server), to proxies only.
   */
  @Test
  void aStandaloneReplicaServesShouldRateLimitOverMutualTlsWithItsOwnCertificate() throws Exception {
    TestCertificates certs = new TestCertificates(tmp);
    int port = TestPluginContext.freePort();
    String[] envoyAccepts = {"spiffe://gloo/control-plane", "spiffe://gloo/service/ratelimit-server"};
    try (TestPluginContext context = new TestPluginContext("ratelimit", Map.of("mode", "standalone",
        "controlPlane", "127.0.0.1:" + TestPluginContext.freePort(), "port", String.valueOf(port), "tls", "true"),
        certs.replicaWithTls("ratelimit-server"))) {
      new RateLimitPlugin().start(context);
      assertEquals(Status.Code.UNAVAILABLE, refused(port, TestCertificates.plaintext()), "plaintext");
      assertEquals(Status.Code.PERMISSION_DENIED, refused(port, certs.proxyCredentials(
          SpiffeId.service("extauth-server"), envoyAccepts)), "not a proxy");
      assertEquals(Status.Code.UNAVAILABLE, refused(port, certs.clientCredentials(SpiffeId.gateway("default", "gw"))),
          "a client expecting only the control plane refuses the replica");
      assertEquals(Code.OK, shouldRateLimit(port, certs.proxyCredentials(SpiffeId.gateway("default", "gw"),
          envoyAccepts)));
    }
  }

  private static Code shouldRateLimit(int port, ChannelCredentials credentials) throws InterruptedException {
    ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + port, credentials).build();
    try {
      return RateLimitServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .shouldRateLimit(RateLimitRequest.newBuilder().setDomain("custom").build()).getOverallCode();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Status.Code refused(int port, ChannelCredentials credentials) {
    return assertThrows(StatusRuntimeException.class, () -> shouldRateLimit(port, credentials)).getStatus()
        .getCode();
  }
}
