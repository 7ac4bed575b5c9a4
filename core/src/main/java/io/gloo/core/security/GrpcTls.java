package io.gloo.core.security;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ServerCall;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * grpc credentials from material the {@link CertificateAuthority} issued: grpc's own {@link TlsServerCredentials}
 * and {@link TlsChannelCredentials} with PEM key managers and a trust manager that trusts the CA alone. Stateless.
 */
public final class GrpcTls {

  private GrpcTls() {
  }

  /**
   * Server credentials presenting {@code cert}, trusting only its CA.
   *
   * @param requireClientCert true: the handshake fails without a client certificate the CA issued. false: a client
   *     certificate is requested and verified when presented (a certificate from another CA fails the handshake),
   *     but its absence is left to the service to refuse, e.g. with {@link #peerIdentity} in an interceptor, so
   *     that it can answer with a gRPC status and count the refusal
   */
  public static ServerCredentials server(IssuedCertificate cert, boolean requireClientCert) {
    try {
      return TlsServerCredentials.newBuilder()
          .keyManager(stream(cert.certificatePem()), stream(cert.privateKeyPem()))
          .trustManager(stream(cert.caCertificatePem()))
          .clientAuth(requireClientCert
              ? TlsServerCredentials.ClientAuth.REQUIRE
              : TlsServerCredentials.ClientAuth.OPTIONAL)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("unusable server certificate or key", e);
    }
  }

  /**
   * Server credentials presenting {@code certificate} (renewed without a restart) and verifying client certificates
   * with {@link CaClientTrust}: only leaves this CA issued directly.
   *
   * @param requireClientCert as in {@link #server(IssuedCertificate, boolean)}
   */
  public static ServerCredentials server(RenewingCertificate certificate, boolean requireClientCert) {
    return TlsServerCredentials.newBuilder()
        .keyManager(certificate)
        .trustManager(CaClientTrust.of(certificate.caCertificatePem()))
        .clientAuth(requireClientCert
            ? TlsServerCredentials.ClientAuth.REQUIRE
            : TlsServerCredentials.ClientAuth.OPTIONAL)
        .build();
  }

  /** Channel credentials presenting {@code cert} and trusting only its CA (the server's name is verified too). */
  public static ChannelCredentials client(IssuedCertificate cert) {
    try {
      return TlsChannelCredentials.newBuilder()
          .keyManager(stream(cert.certificatePem()), stream(cert.privateKeyPem()))
          .trustManager(stream(cert.caCertificatePem()))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("unusable client certificate or key", e);
    }
  }

  /** ServerInterceptor helper: the verified peer identity of the current call (from Grpc.TRANSPORT_ATTR_SSL_SESSION). */
  public static Optional<SpiffeId> peerIdentity(ServerCall<?, ?> call) {
    return SpiffeId.fromPeer(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
  }

  private static InputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }
}
