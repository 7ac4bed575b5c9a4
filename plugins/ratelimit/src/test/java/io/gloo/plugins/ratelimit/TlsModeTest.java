package io.gloo.plugins.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  @Test
  void aStandaloneReplicaRefusesTheTlsModeItCannotServeYet() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RateLimitSettings.from(
        Map.of("mode", "standalone", "controlPlane", "127.0.0.1:1", "tls", "true")));
    assertTrue(e.getMessage().contains("not supported by gloo ratelimit-server"), e.getMessage());
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
