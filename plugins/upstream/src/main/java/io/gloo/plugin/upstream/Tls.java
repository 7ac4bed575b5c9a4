package io.gloo.plugin.upstream;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.gloo.plugin.upstream.UpstreamSpec.SslConfig;
import io.gloo.spi.translate.ResourceLookup;
import java.util.Map;
import java.util.Optional;

/** Upstream TLS: {@code sslConfig}, and the plain TLS of static upstreams ({@code useTls}, port 443). */
final class Tls {

  static final String TRANSPORT_SOCKET = "envoy.transport_sockets.tls";
  static final String TLS_CRT = "tls.crt";
  static final String TLS_KEY = "tls.key";
  static final String CA_CRT = "ca.crt";

  private Tls() {}

  /**
   * The UpstreamTlsContext of {@code sslConfig}. Certificate and key come inline from the Secret (a
   * {@code kubernetes.io/tls} Secret's {@code tls.crt}/{@code tls.key}, unless {@code oneWayTls}); its {@code ca.crt}
   * becomes the trusted CA.
   *
   * @throws InvalidUpstream when the Secret is missing or lacks what is needed
   */
  static UpstreamTlsContext fromSslConfig(SslConfig ssl, String upstreamNamespace, ResourceLookup lookup) {
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
    CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder();
    boolean oneWay = Boolean.TRUE.equals(ssl.oneWayTls());
    if (ssl.secretRef() != null) {
      String ns = ssl.secretRef().namespace() == null || ssl.secretRef().namespace().isBlank()
          ? upstreamNamespace : ssl.secretRef().namespace();
      String name = ssl.secretRef().name();
      Optional<Map<String, byte[]>> secret = lookup.secret(ns, name);
      if (secret.isEmpty()) {
        throw new InvalidUpstream("sslConfig.secretRef", "Secret " + ns + "/" + name
            + " not found (or not readable from here)");
      }
      Map<String, byte[]> data = secret.get();
      byte[] crt = data.get(TLS_CRT);
      byte[] key = data.get(TLS_KEY);
      byte[] ca = data.get(CA_CRT);
      if ((crt == null) != (key == null)) {
        throw new InvalidUpstream("sslConfig.secretRef", "Secret " + ns + "/" + name + " has "
            + (crt == null ? TLS_KEY + " but no " + TLS_CRT : TLS_CRT + " but no " + TLS_KEY));
      }
      if (crt == null && ca == null) {
        throw new InvalidUpstream("sslConfig.secretRef", "Secret " + ns + "/" + name + " has neither "
            + TLS_CRT + "/" + TLS_KEY + " nor " + CA_CRT);
      }
      if (crt != null && !oneWay) {
        common.addTlsCertificates(TlsCertificate.newBuilder()
            .setCertificateChain(DataSource.newBuilder().setInlineBytes(ByteString.copyFrom(crt)))
            .setPrivateKey(DataSource.newBuilder().setInlineBytes(ByteString.copyFrom(key))));
      }
      if (ca != null) {
        validation.setTrustedCa(DataSource.newBuilder().setInlineBytes(ByteString.copyFrom(ca)));
      }
    } else if (ssl.sslFiles() != null) {
      var f = ssl.sslFiles();
      if (f.tlsCert() != null && !oneWay) {
        common.addTlsCertificates(TlsCertificate.newBuilder()
            .setCertificateChain(DataSource.newBuilder().setFilename(f.tlsCert()))
            .setPrivateKey(DataSource.newBuilder().setFilename(f.tlsKey())));
      }
      if (f.rootCa() != null) {
        validation.setTrustedCa(DataSource.newBuilder().setFilename(f.rootCa()));
      }
    }
    if (ssl.verifySubjectAltName() != null && !ssl.verifySubjectAltName().isEmpty()) {
      if (!validation.hasTrustedCa()) {
        throw new InvalidUpstream("sslConfig.verifySubjectAltName",
            "needs a trusted CA (ca.crt in the secretRef Secret, or sslFiles.rootCa) to verify against");
      }
      // Gloo matches a name against any SAN; Envoy's typed matchers need a type: match it as DNS and as URI.
      for (String san : ssl.verifySubjectAltName()) {
        for (SubjectAltNameMatcher.SanType type : new SubjectAltNameMatcher.SanType[] {
            SubjectAltNameMatcher.SanType.DNS, SubjectAltNameMatcher.SanType.URI}) {
          validation.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder().setSanType(type)
              .setMatcher(StringMatcher.newBuilder().setExact(san)));
        }
      }
    }
    if (validation.hasTrustedCa()) {
      common.setValidationContext(validation);
    }
    if (ssl.alpnProtocols() != null) {
      common.addAllAlpnProtocols(ssl.alpnProtocols());
    }
    if (ssl.parameters() != null) {
      var p = ssl.parameters();
      TlsParameters.Builder params = TlsParameters.newBuilder();
      if (p.minimumProtocolVersion() != null) {
        params.setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.valueOf(p.minimumProtocolVersion()));
      }
      if (p.maximumProtocolVersion() != null) {
        params.setTlsMaximumProtocolVersion(TlsParameters.TlsProtocol.valueOf(p.maximumProtocolVersion()));
      }
      if (p.cipherSuites() != null) {
        params.addAllCipherSuites(p.cipherSuites());
      }
      if (p.ecdhCurves() != null) {
        params.addAllEcdhCurves(p.ecdhCurves());
      }
      common.setTlsParams(params);
    }
    UpstreamTlsContext.Builder tls = UpstreamTlsContext.newBuilder().setCommonTlsContext(common);
    if (ssl.sni() != null && !ssl.sni().isEmpty()) {
      tls.setSni(ssl.sni());
    }
    if (Boolean.TRUE.equals(ssl.allowRenegotiation())) {
      tls.setAllowRenegotiation(true);
    }
    return tls.build();
  }

  /** TLS without client certificate or verification, as Gloo does for {@code static.useTls}. */
  static UpstreamTlsContext plain(String sni) {
    UpstreamTlsContext.Builder tls = UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder());
    if (sni != null) {
      tls.setSni(sni);
    }
    return tls.build();
  }

  static TransportSocket socket(UpstreamTlsContext tls) {
    return TransportSocket.newBuilder().setName(TRANSPORT_SOCKET).setTypedConfig(Any.pack(tls)).build();
  }
}
