package io.gloo.core.xds;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.gloo.core.security.IssuedCertificate;
import io.gloo.core.security.SpiffeId;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a proxy's bootstrap authenticates to the xDS server: its client certificate and key, and the CA that must
 * have issued the server's certificate, either as absolute file paths or inline PEM. The {@code gloo-xds} cluster
 * then gets an {@code envoy.transport_sockets.tls} {@link UpstreamTlsContext} that presents the client certificate,
 * trusts only that CA, requires the server's URI SAN {@code spiffe://gloo/control-plane} (so the host name proxies
 * dial does not matter) and offers ALPN {@code h2}, which gRPC servers require.
 */
public record BootstrapTls(DataSource certificate, DataSource privateKey, DataSource caCertificate) {

  /** File names in an output or mount directory. */
  public static final String CERT_FILE = "tls.crt";
  public static final String KEY_FILE = "tls.key";
  public static final String CA_FILE = "ca.crt";

  static final String TRANSPORT_SOCKET = "envoy.transport_sockets.tls";

  public BootstrapTls {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(caCertificate, "caCertificate");
  }

  /** {@code dir/tls.crt}, {@code dir/tls.key} and {@code dir/ca.crt}, by absolute path. */
  public static BootstrapTls files(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    return new BootstrapTls(file(abs.resolve(CERT_FILE)), file(abs.resolve(KEY_FILE)), file(abs.resolve(CA_FILE)));
  }

  /** The material inline (the bootstrap itself then holds a private key: treat it as a secret). */
  public static BootstrapTls inline(IssuedCertificate issued) {
    return new BootstrapTls(inlineString(issued.certificatePem()), inlineString(issued.privateKeyPem()),
        inlineString(issued.caCertificatePem()));
  }

  /** The transport socket of the {@code gloo-xds} cluster; {@code sni} may be null (for an IP address). */
  TransportSocket transportSocket(String sni) {
    UpstreamTlsContext.Builder context = UpstreamTlsContext.newBuilder()
        .setCommonTlsContext(CommonTlsContext.newBuilder()
            .addAlpnProtocols("h2")
            .addTlsCertificates(TlsCertificate.newBuilder()
                .setCertificateChain(certificate)
                .setPrivateKey(privateKey))
            .setValidationContext(CertificateValidationContext.newBuilder()
                .setTrustedCa(caCertificate)
                .addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
                    .setSanType(SubjectAltNameMatcher.SanType.URI)
                    .setMatcher(StringMatcher.newBuilder().setExact(SpiffeId.controlPlane().uri())))));
    if (sni != null) {
      context.setSni(sni);
    }
    return TransportSocket.newBuilder()
        .setName(TRANSPORT_SOCKET)
        .setTypedConfig(com.google.protobuf.Any.pack(context.build()))
        .build();
  }

  private static DataSource file(Path path) {
    return DataSource.newBuilder().setFilename(path.toString()).build();
  }

  private static DataSource inlineString(String pem) {
    return DataSource.newBuilder().setInlineString(pem).build();
  }

  @Override
  public String toString() {
    return privateKey.hasInlineString() ? "BootstrapTls[inline]" : "BootstrapTls[" + privateKey.getFilename() + "]";
  }
}
