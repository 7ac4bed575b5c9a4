package io.gloo.core.security;

import com.google.errorprone.annotations.ThreadSafe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager of servers whose clients all hold a leaf certificate issued directly by the control plane's CA
 * (xDS: every proxy's certificate comes from {@link CertificateAuthority#issue}). It checks exactly what the JDK's
 * PKIX validator would conclude for such a chain — the leaf's issuer is the CA and its signature verifies with the
 * CA's key, it is valid now, it is not a CA, it may be used for client authentication (key usage
 * digitalSignature, extended key usage clientAuth), it has no critical extension this check does not understand,
 * and anything the client sends after the leaf is the CA certificate itself — without the generic path building,
 * parameter objects and revocation plumbing that make the JDK's check cost about as much as the rest of the
 * server's side of a handshake. Intermediates are refused: this CA issues none.
 *
 * <p>Servers only: {@code checkServerTrusted} always refuses (clients need the host name check the JDK's trust
 * manager does). Thread-safe and immutable.
 */
@ThreadSafe
public final class CaClientTrust extends X509ExtendedTrustManager {

  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";
  private static final int DIGITAL_SIGNATURE = 0;
  /** basicConstraints, keyUsage, extendedKeyUsage, subjectAltName: all checked above or harmless if critical. */
  private static final Set<String> UNDERSTOOD_CRITICAL = Set.of("2.5.29.19", "2.5.29.15", "2.5.29.37", "2.5.29.17");

  private final X509Certificate ca;
  private final PublicKey caKey;
  private final Clock clock;

  CaClientTrust(X509Certificate ca, Clock clock) {
    this.ca = ca;
    this.caKey = ca.getPublicKey();
    this.clock = clock;
  }

  /** Trusts client certificates the CA in {@code caCertificatePem} issued. */
  public static CaClientTrust of(String caCertificatePem) {
    try {
      return new CaClientTrust(Pem.parseCertificate(caCertificatePem), Clock.systemUTC());
    } catch (IOException e) {
      throw new UncheckedIOException("unusable CA certificate", e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("no client certificate");
    }
    for (int i = 1; i < chain.length; i++) {
      if (!ca.equals(chain[i])) {
        throw new CertificateException("the client certificate must be issued by the CA directly");
      }
    }
    X509Certificate leaf = chain[0];
    if (!ca.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
      throw new CertificateException("the client certificate was not issued by the CA");
    }
    try {
      leaf.verify(caKey);
    } catch (GeneralSecurityException e) {
      throw new CertificateException("the client certificate's signature does not verify with the CA's key", e);
    }
    leaf.checkValidity(java.util.Date.from(clock.instant()));
    if (leaf.getBasicConstraints() >= 0) {
      throw new CertificateException("a CA certificate cannot be a client certificate");
    }
    boolean[] keyUsage = leaf.getKeyUsage();
    if (keyUsage != null && (keyUsage.length <= DIGITAL_SIGNATURE || !keyUsage[DIGITAL_SIGNATURE])) {
      throw new CertificateException("the client certificate's key usage lacks digitalSignature");
    }
    List<String> extendedKeyUsage = leaf.getExtendedKeyUsage();
    if (extendedKeyUsage != null && !extendedKeyUsage.contains(CLIENT_AUTH)
        && !extendedKeyUsage.contains(ANY_EXTENDED_KEY_USAGE)) {
      throw new CertificateException("the client certificate is not for client authentication");
    }
    Set<String> critical = leaf.getCriticalExtensionOIDs();
    if (critical != null && !UNDERSTOOD_CRITICAL.containsAll(critical)) {
      throw new CertificateException("the client certificate has an unsupported critical extension");
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("CaClientTrust verifies clients only");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("CaClientTrust verifies clients only");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("CaClientTrust verifies clients only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[] {ca};
  }

  @Override
  public String toString() {
    return "CaClientTrust[" + ca.getSubjectX500Principal() + "]";
  }
}
