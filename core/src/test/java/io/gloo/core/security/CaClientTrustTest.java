package io.gloo.core.security;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the xDS server's client-certificate check accepts: only leaves its CA issued, valid now, for clients. */
class CaClientTrustTest {

  @TempDir
  Path tmp;

  private CertificateAuthority ca;
  private CaClientTrust trust;

  @BeforeEach
  void setUp() throws Exception {
    ca = CertificateAuthority.loadOrCreate(tmp.resolve("ca"));
    trust = CaClientTrust.of(ca.caCertificatePem());
  }

  private X509Certificate leaf(CertificateAuthority issuer) throws Exception {
    return Pem.parseCertificate(issuer.issue(SpiffeId.gateway("default", "http"), List.of(), Duration.ofHours(1))
        .certificatePem());
  }

  @Test
  void acceptsALeafTheCaIssuedAloneOrFollowedByTheCa() throws Exception {
    X509Certificate leaf = leaf(ca);
    assertDoesNotThrow(() -> trust.checkClientTrusted(new X509Certificate[] {leaf}, "UNKNOWN"));
    assertDoesNotThrow(() -> trust.checkClientTrusted(new X509Certificate[] {leaf, ca.certificate()}, "UNKNOWN"));
  }

  @Test
  void refusesAnotherCasLeafEvenWhenItCopiesOurCasName() throws Exception {
    CertificateAuthority theirs = CertificateAuthority.loadOrCreate(tmp.resolve("theirs"));
    // Both CAs are named "gloo control plane CA": only the signature tells them apart.
    CertificateException e = assertThrows(CertificateException.class,
        () -> trust.checkClientTrusted(new X509Certificate[] {leaf(theirs)}, "UNKNOWN"));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("signature"), e.getMessage());
    assertThrows(CertificateException.class,
        () -> trust.checkClientTrusted(new X509Certificate[] {leaf(theirs), ca.certificate()}, "UNKNOWN"));
  }

  @Test
  void refusesExpiredNotYetValidCaAndPaddedChains() throws Exception {
    X509Certificate leaf = leaf(ca);
    CaClientTrust later = new CaClientTrust(ca.certificate(), Clock.fixed(Instant.now().plus(Duration.ofHours(2)),
        ZoneOffset.UTC));
    assertThrows(CertificateException.class, () -> later.checkClientTrusted(new X509Certificate[] {leaf}, "EC"));
    CaClientTrust earlier = new CaClientTrust(ca.certificate(),
        Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC));
    assertThrows(CertificateException.class, () -> earlier.checkClientTrusted(new X509Certificate[] {leaf}, "EC"));
    // the CA's own certificate is no client certificate
    assertThrows(CertificateException.class,
        () -> trust.checkClientTrusted(new X509Certificate[] {ca.certificate()}, "EC"));
    // anything but the CA after the leaf (an "intermediate") is refused: this CA issues none
    assertThrows(CertificateException.class,
        () -> trust.checkClientTrusted(new X509Certificate[] {leaf, leaf(ca)}, "EC"));
    assertThrows(CertificateException.class, () -> trust.checkClientTrusted(new X509Certificate[0], "EC"));
    assertThrows(CertificateException.class, () -> trust.checkClientTrusted(null, "EC"));
  }

  @Test
  void neverVouchesForAServer() throws Exception {
    X509Certificate leaf = leaf(ca);
    assertThrows(CertificateException.class, () -> trust.checkServerTrusted(new X509Certificate[] {leaf}, "EC"));
    assertThrows(CertificateException.class,
        () -> trust.checkServerTrusted(new X509Certificate[] {leaf}, "EC", (javax.net.ssl.SSLEngine) null));
  }
}
