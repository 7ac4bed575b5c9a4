package io.gloo.core.plugin;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.security.GrpcTls;
import io.gloo.core.security.IssuedCertificate;
import io.gloo.core.security.SpiffeId;
import io.grpc.ServerCall;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.CertificateUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * {@link PeerTls} from the control plane's CA: plugin ports that require an authenticated peer present a
 * certificate for {@code spiffe://gloo/control-plane} (plus {@code localhost}/{@code 127.0.0.1} for tools), trust
 * only the CA, and require a client certificate it issued. The server certificate is short-lived and renewed by the
 * key manager itself when a handshake finds it past half its lifetime, so a long-running server never serves an
 * expired one (and needs no timer thread).
 */
@ThreadSafe
public final class CaPeerTls implements PeerTls {

  /** Lifetime of the plugin ports' server certificate; renewed after half of it. */
  public static final Duration SERVER_CERT_LIFETIME = Duration.ofHours(24);

  private final CertificateAuthority ca;
  private final Clock clock;
  private final Duration lifetime;
  private final RenewingKeyManager keyManager = new RenewingKeyManager();

  public CaPeerTls(CertificateAuthority ca) {
    this(ca, Clock.systemUTC(), SERVER_CERT_LIFETIME);
  }

  CaPeerTls(CertificateAuthority ca, Clock clock, Duration lifetime) {
    this.ca = ca;
    this.clock = clock;
    this.lifetime = lifetime;
    keyManager.renewIfDue();
  }

  @Override
  public ServerCredentials serverCredentials() {
    try (InputStream caPem = pem(ca.caCertificatePem())) {
      return TlsServerCredentials.newBuilder().keyManager(keyManager).trustManager(caPem)
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build();
    } catch (IOException e) {
      throw new UncheckedIOException("unusable CA certificate", e);
    }
  }

  @Override
  public Optional<String> peerIdentity(ServerCall<?, ?> call) {
    return GrpcTls.peerIdentity(call).map(SpiffeId::uri);
  }

  private static InputStream pem(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** grpc's key manager, with the certificate re-issued from the CA when a server handshake finds it due. */
  private final class RenewingKeyManager extends X509ExtendedKeyManager {
    private final AdvancedTlsX509KeyManager delegate = new AdvancedTlsX509KeyManager();
    @GuardedBy("this")
    private Instant renewAt = Instant.MIN;

    synchronized void renewIfDue() {
      if (clock.instant().isBefore(renewAt)) {
        return;
      }
      IssuedCertificate cert = ca.issue(SpiffeId.controlPlane(), List.of("localhost", "127.0.0.1"), lifetime);
      try (InputStream chain = pem(cert.certificatePem()); InputStream key = pem(cert.privateKeyPem())) {
        X509Certificate[] certificates = CertificateUtils.getX509Certificates(chain);
        PrivateKey privateKey = CertificateUtils.getPrivateKey(key);
        delegate.updateIdentityCredentials(certificates, privateKey);
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalStateException("cannot use the certificate the CA issued: " + e.getClass().getSimpleName());
      }
      renewAt = clock.instant().plus(lifetime.dividedBy(2));
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      renewIfDue();
      return delegate.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      renewIfDue();
      return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return delegate.chooseClientAlias(keyTypes, issuers, socket);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
      return delegate.chooseEngineClientAlias(keyTypes, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return delegate.getPrivateKey(alias);
    }
  }
}
