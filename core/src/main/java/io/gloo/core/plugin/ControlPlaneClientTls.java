package io.gloo.core.plugin;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;

/**
 * The credentials a standalone service replica ({@code gloo ratelimit-server}, {@code gloo extauth-server}) presents
 * to the control plane's peer-authenticated plugin ports: its client certificate and key (PEM files, e.g. those
 * {@code gloo certs issue --for ratelimit-server} writes), re-read every minute so a rotated pair is picked up, and
 * the CA certificate as the only trust root. The server is verified by identity, not host name: its certificate must
 * chain to the CA and name {@code spiffe://gloo/control-plane}, whichever address the replica dials (a Service name,
 * a port-forward). Stateless once built.
 */
public final class ControlPlaneClientTls {

  /** The identity the server's certificate must carry. */
  static final String CONTROL_PLANE = "spiffe://gloo/control-plane";
  /** GeneralName uniformResourceIdentifier in {@link X509Certificate#getSubjectAlternativeNames()}. */
  private static final int URI_SAN = 6;

  /** How often the certificate and key files are re-read. */
  static final long RELOAD_SECONDS = 60;

  private static final ScheduledExecutorService RELOADS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "gloo-client-cert-reload");
    t.setDaemon(true);
    return t;
  });

  private ControlPlaneClientTls() {}

  /**
   * @throws IllegalArgumentException naming the file, when one is missing or is not usable PEM (never with key bytes)
   */
  public static ChannelCredentials fromFiles(Path certificate, Path privateKey, Path caCertificate) {
    return fromFiles(certificate, privateKey, caCertificate, Set.of(CONTROL_PLANE));
  }

  /**
   * As {@link #fromFiles(Path, Path, Path)}, accepting a server whose identity is any of {@code servers}: what an
   * Envoy cluster with {@code match_typed_subject_alt_names} does (e.g. a proxy calling a standalone
   * {@code ratelimit-server} replica over TLS).
   */
  public static ChannelCredentials fromFiles(Path certificate, Path privateKey, Path caCertificate,
      Set<String> servers) {
    AdvancedTlsX509KeyManager keys = reloadingKeys(certificate, privateKey, caCertificate);
    try {
      AdvancedTlsX509TrustManager trust = AdvancedTlsX509TrustManager.newBuilder()
          .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
          .setSslSocketAndEnginePeerVerifier(new ServerIdentity(Set.copyOf(servers)))
          .build();
      trust.updateTrustCredentials(caCertificate.toFile());
      return TlsChannelCredentials.newBuilder().keyManager(keys).trustManager(trust).build();
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(caCertificate + " is not a PEM CA certificate ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * A key manager presenting {@code certificate} and {@code privateKey}, re-read every {@value #RELOAD_SECONDS} s,
   * once all three files are there.
   *
   * @throws IllegalArgumentException naming the file, when one is missing or is not usable PEM (never with key bytes)
   */
  static AdvancedTlsX509KeyManager reloadingKeys(Path certificate, Path privateKey, Path caCertificate) {
    for (Path file : new Path[] {certificate, privateKey, caCertificate}) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(file + " is not a file");
      }
    }
    AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
    try {
      keys.updateIdentityCredentials(certificate.toFile(), privateKey.toFile(), RELOAD_SECONDS, TimeUnit.SECONDS,
          RELOADS);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(certificate + " and " + privateKey
          + " are not a PEM certificate and its private key (" + e.getClass().getSimpleName() + ")");
    }
    return keys;
  }

  /** The server (already chained to the CA) must be the control plane (or another expected identity). */
  private static final class ServerIdentity implements AdvancedTlsX509TrustManager.SslSocketAndEnginePeerVerifier {
    private final Set<String> expected;

    ServerIdentity(Set<String> expected) {
      this.expected = expected;
    }

    @Override
    public void verifyPeerCertificate(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void verifyPeerCertificate(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain);
    }

    private void check(X509Certificate[] chain) throws CertificateException {
      if (chain == null || chain.length == 0 || !expected.contains(firstSpiffeUri(chain[0]))) {
        throw new CertificateException("the server is not " + String.join(" or ", new java.util.TreeSet<>(expected)));
      }
    }

    /** The first spiffe:// URI SAN ("" if none): the one that names the identity. */
    private static String firstSpiffeUri(X509Certificate certificate) throws CertificateException {
      Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
      for (List<?> san : sans == null ? List.<List<?>>of() : sans) {
        if (san.size() >= 2 && Integer.valueOf(URI_SAN).equals(san.get(0)) && san.get(1) instanceof String uri
            && uri.startsWith("spiffe://")) {
          return uri;
        }
      }
      return "";
    }
  }
}
