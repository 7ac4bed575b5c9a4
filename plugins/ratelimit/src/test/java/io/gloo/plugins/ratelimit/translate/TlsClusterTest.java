package io.gloo.plugins.ratelimit.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.gloo.plugins.ratelimit.RateLimitSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ratelimit.tls=true}: Envoy's rate-limit cluster presents the proxy's certificate, trusts the CA alone. */
class TlsClusterTest {

  @Test
  void theRateLimitClusterPresentsTheProxysCertificateOnlyInTlsMode() throws Exception {
    UpstreamTlsContext tls = RateLimitTranslator.cluster(RateLimitSettings.from(Map.of("tls", "true")))
        .getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    var common = tls.getCommonTlsContext();
    assertEquals("/etc/gloo/xds-tls/tls.crt", common.getTlsCertificates(0).getCertificateChain().getFilename());
    assertEquals("/etc/gloo/xds-tls/tls.key", common.getTlsCertificates(0).getPrivateKey().getFilename());
    assertEquals("/etc/gloo/xds-tls/ca.crt", common.getValidationContext().getTrustedCa().getFilename());
    assertEquals("spiffe://gloo/control-plane", common.getValidationContext().getMatchTypedSubjectAltNames(0)
        .getMatcher().getExact());
    assertEquals("spiffe://gloo/service/ratelimit-server", common.getValidationContext()
        .getMatchTypedSubjectAltNames(1).getMatcher().getExact(), "or its standalone replica");
    assertEquals(2, common.getValidationContext().getMatchTypedSubjectAltNamesCount());
    assertEquals("h2", common.getAlpnProtocols(0));
    assertFalse(RateLimitTranslator.cluster(RateLimitSettings.defaults()).hasTransportSocket(), "plaintext by default");
  }
}
