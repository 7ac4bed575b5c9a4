package io.gloo.core.plugin;

import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.core.security.GrpcTls;
import io.gloo.core.security.SpiffeId;
import io.grpc.ServerCall;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Optional;

/**
 * {@link PeerTls} of a standalone service replica ({@code gloo ratelimit-server}, {@code gloo extauth-server} with
 * plugin config {@code tls=true}): its Envoy-facing port presents the replica's own certificate from the control
 * plane's CA (the PEM files of {@code --cert-dir}, the same ones it presents to the control plane's config stream:
 * {@code gloo certs issue --for ratelimit-server} issues a certificate for both server and client use) and requires a
 * client certificate the CA issued; which identities may call is the plugin's choice (proxies and the control
 * plane). Replicas have no CA key, so unlike {@link CaPeerTls} nothing is issued here: the certificate and key are
 * re-read every {@value ControlPlaneClientTls#RELOAD_SECONDS} s, so a rotated certificate (a renewed Secret) is served
 * without a restart; the CA certificate is read once, as for the config stream. Thread-safe: grpc's key and trust
 * managers swap their material atomically.
 */
@ThreadSafe
public final class FilePeerTls implements PeerTls {

  private final AdvancedTlsX509KeyManager keys;
  private final AdvancedTlsX509TrustManager trust;

  private FilePeerTls(AdvancedTlsX509KeyManager keys, AdvancedTlsX509TrustManager trust) {
    this.keys = keys;
    this.trust = trust;
  }

  /**
   * @throws IllegalArgumentException naming the file, when one is missing or is not usable PEM (never with key bytes)
   */
  public static FilePeerTls fromFiles(Path certificate, Path privateKey, Path caCertificate) {
    AdvancedTlsX509KeyManager keys = ControlPlaneClientTls.reloadingKeys(certificate, privateKey, caCertificate);
    try {
      // the JDK's chain check against the CA alone (expiry, key usage clientAuth); the identity is checked per call
      AdvancedTlsX509TrustManager trust = AdvancedTlsX509TrustManager.newBuilder()
          .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
          .build();
      trust.updateTrustCredentials(caCertificate.toFile());
      return new FilePeerTls(keys, trust);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(caCertificate + " is not a PEM CA certificate ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  @Override
  public ServerCredentials serverCredentials() {
    return TlsServerCredentials.newBuilder().keyManager(keys).trustManager(trust)
        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build();
  }

  @Override
  public Optional<String> peerIdentity(ServerCall<?, ?> call) {
    return GrpcTls.peerIdentity(call).map(SpiffeId::uri);
  }
}
