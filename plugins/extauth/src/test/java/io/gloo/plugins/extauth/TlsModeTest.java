package io.gloo.plugins.extauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.testing.PluginTranslation;
import io.gloo.core.testing.TestCertificates;
import io.gloo.core.testing.TestPluginContext;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import io.gloo.plugins.extauth.service.AuthServer;
import io.gloo.plugins.extauth.translate.ExtAuthzFilters;
import io.gloo.plugins.routeoption.RouteOptionPlugin;
import io.gloo.plugins.virtualhostoption.VirtualHostOptionPlugin;
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
 * {@code extauth.tls=true}: Check requires a proxy's (or the control plane's) certificate from the CA, and the
 * {@code ext_authz} cluster Envoy gets presents the proxy's certificate files and accepts only the control plane.
 */
class TlsModeTest {

  @TempDir
  Path tmp;

  @Test
  void theExtAuthzClusterPresentsTheProxysCertificateAndRequiresTheControlPlane() throws Exception {
    TranslationResult result = PluginTranslation.translate(PluginTranslation.load(GoldenFiles.inputs("config-ref")),
        Map.of("routeoption", new RouteOptionPlugin(), "virtualhostoption", new VirtualHostOptionPlugin(),
            "extauth", new ExtAuthPlugin(Map.of("tls", "true", "tls.certDir", "/certs"))));
    Cluster cluster = result.gateways().values().iterator().next().clusters().stream()
        .filter(c -> c.getName().equals(ExtAuthzFilters.CLUSTER)).findFirst().orElseThrow();
    UpstreamTlsContext tls = cluster.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    assertEquals("/certs/tls.crt", tls.getCommonTlsContext().getTlsCertificates(0).getCertificateChain()
        .getFilename());
    assertEquals("/certs/tls.key", tls.getCommonTlsContext().getTlsCertificates(0).getPrivateKey().getFilename());
    assertEquals("/certs/ca.crt", tls.getCommonTlsContext().getValidationContext().getTrustedCa().getFilename());
    assertEquals("spiffe://gloo/control-plane", tls.getCommonTlsContext().getValidationContext()
        .getMatchTypedSubjectAltNames(0).getMatcher().getExact());
    assertEquals("spiffe://gloo/service/extauth-server", tls.getCommonTlsContext().getValidationContext()
        .getMatchTypedSubjectAltNames(1).getMatcher().getExact(), "or its standalone replica");
    assertEquals(2, tls.getCommonTlsContext().getValidationContext().getMatchTypedSubjectAltNamesCount());

    TranslationResult plain = PluginTranslation.translate(PluginTranslation.load(GoldenFiles.inputs("config-ref")),
        Map.of("routeoption", new RouteOptionPlugin(), "virtualhostoption", new VirtualHostOptionPlugin(),
            "extauth", new ExtAuthPlugin()));
    assertFalse(plain.gateways().values().iterator().next().clusters().stream()
        .filter(c -> c.getName().equals(ExtAuthzFilters.CLUSTER)).findFirst().orElseThrow().hasTransportSocket(),
        "plaintext by default");
  }

  @Test
  void checkAnswersOnlyProxiesWithACertificateFromTheCa() throws Exception {
    TestCertificates certs = new TestCertificates(tmp);
    int port = TestPluginContext.freePort();
    ExtAuthPlugin plugin = new ExtAuthPlugin();
    try (TestPluginContext context = new TestPluginContext("extauth", Map.of("port", String.valueOf(port),
        "configStreamPort", String.valueOf(TestPluginContext.freePort()), "tls", "true"), certs.controlPlane())) {
      plugin.start(context);
      assertEquals(Status.Code.UNAVAILABLE, refused(port, TestCertificates.plaintext()), "plaintext");
      assertEquals(Status.Code.PERMISSION_DENIED, refused(port, certs.clientCredentials(
          SpiffeId.service("ratelimit-server"))), "not a proxy");
      // a Gateway's proxy gets an answer (403: no such config), i.e. the call reached the service
      assertEquals(403, check(port, certs.clientCredentials(SpiffeId.gateway("default", "gw"))));
    } finally {
      plugin.stop();
    }
  }

  /**
   * {@code gloo extauth-server} with {@code tls=true}: Check is served with the replica's own certificate, which a
   * proxy accepts as Envoy's cluster does (control plane or extauth-server), to proxies only.
   */
  @Test
  void aStandaloneServerServesCheckOverMutualTlsWithItsOwnCertificate() throws Exception {
    TestCertificates certs = new TestCertificates(tmp);
    int port = TestPluginContext.freePort();
    ExtAuthPlugin plugin = new ExtAuthPlugin();
    String[] envoyAccepts = {"spiffe://gloo/control-plane", "spiffe://gloo/service/extauth-server"};
    try (TestPluginContext context = new TestPluginContext("extauth", Map.of("mode", "standalone",
        "controlPlane", "127.0.0.1:" + TestPluginContext.freePort(), "port", String.valueOf(port), "tls", "true"),
        certs.replicaWithTls("extauth-server"))) {
      plugin.start(context);
      assertEquals(Status.Code.UNAVAILABLE, refused(port, TestCertificates.plaintext()), "plaintext");
      assertEquals(Status.Code.PERMISSION_DENIED, refused(port, certs.proxyCredentials(
          SpiffeId.service("ratelimit-server"), envoyAccepts)), "not a proxy");
      assertEquals(Status.Code.UNAVAILABLE, refused(port, certs.proxyCredentials(SpiffeId.gateway("default", "gw"),
          "spiffe://gloo/service/ratelimit-server")), "a client expecting another service refuses this one");
      // a Gateway's proxy gets an answer (403: no such config yet), i.e. the call reached the service
      assertEquals(403, check(port, certs.proxyCredentials(SpiffeId.gateway("default", "gw"), envoyAccepts)));
    } finally {
      plugin.stop();
    }
  }

  private static int check(int port, ChannelCredentials credentials) throws InterruptedException {
    ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + port, credentials).build();
    try {
      return AuthServer.status(AuthorizationGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(AuthServer.req("ns.none").build()));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Status.Code refused(int port, ChannelCredentials credentials) {
    return assertThrows(StatusRuntimeException.class, () -> check(port, credentials)).getStatus().getCode();
  }
}
