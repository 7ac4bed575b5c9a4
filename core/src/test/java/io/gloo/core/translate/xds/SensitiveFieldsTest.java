package io.gloo.core.translate.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.gloo.core.translate.TranslationJson;
import org.junit.jupiter.api.Test;

class SensitiveFieldsTest {

  private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
  private static final String CERT = "-----BEGIN CERTIFICATE-----\nMIIDazCCAlOgAwIBAgIUQ\n-----END CERTIFICATE-----";

  private static Cluster clusterWithInlineKey() {
    UpstreamTlsContext tls = UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
        .addTlsCertificates(TlsCertificate.newBuilder()
            .setCertificateChain(DataSource.newBuilder().setInlineString(CERT))
            .setPrivateKey(DataSource.newBuilder().setInlineString(KEY))
            .setPassword(DataSource.newBuilder().setInlineString("hunter2")))).build();
    return Cluster.newBuilder().setName("upstream_default_tls")
        .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
            .setTypedConfig(Any.pack(tls)))
        .build();
  }

  @Test
  void privateKeysAndPasswordsInsidePackedTlsContextsAreRedacted() {
    String json = TranslationJson.message(clusterWithInlineKey()).toString();
    assertFalse(json.contains("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), json);
    assertFalse(json.contains("hunter2"), json);
    assertTrue(json.contains(SensitiveFields.REDACTED), json);
    assertTrue(json.contains("MIIDazCCAlOgAwIBAgIUQ"), "certificates are public and stay visible: " + json);
  }

  @Test
  void messagesWithoutSensitiveFieldsAreReturnedAsIs() {
    io.envoyproxy.envoy.config.core.v3.SocketAddress plain =
        io.envoyproxy.envoy.config.core.v3.SocketAddress.newBuilder().setAddress("10.0.0.1").setPortValue(80).build();
    assertTrue(plain == SensitiveFields.redact(plain), "a type that cannot hold secrets is not copied");
    assertEquals("upstream_default_tls", ((Cluster) SensitiveFields.redact(clusterWithInlineKey())).getName());
  }
}
