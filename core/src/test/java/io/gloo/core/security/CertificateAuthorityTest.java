package io.gloo.core.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CA in directory mode: created once with private permissions, reused, and issuing verifiable leaves. */
class CertificateAuthorityTest {

  @TempDir
  Path tmp;

  @Test
  void createsThePrivateStateOnceAndReusesItAfterARestart() throws Exception {
    Path state = tmp.resolve("nested/.gloo");
    CertificateAuthority first = CertificateAuthority.loadOrCreate(state);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("ca.key"))));
    assertTrue(Files.readString(state.resolve("ca.key")).contains("PRIVATE KEY"));

    CertificateAuthority again = CertificateAuthority.loadOrCreate(state);
    assertEquals(first.caCertificatePem(), again.caCertificatePem());
    // The reloaded CA issues leaves that the original CA certificate verifies.
    verifyChain(again.issue(SpiffeId.controlPlane(), List.of(), Duration.ofHours(1)), first.caCertificatePem());

    CertificateAuthority other = CertificateAuthority.loadOrCreate(tmp.resolve("other"));
    assertNotEquals(first.caCertificatePem(), other.caCertificatePem());
  }

  @Test
  void issuesALeafWithTheIdentityAndNamesForBothSidesOfMutualTls() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp);
    IssuedCertificate issued = ca.issue(SpiffeId.gateway("default", "http"),
        List.of("gloo-gateway.gloo-system.svc", "localhost", "127.0.0.1", "::1"), Duration.ofHours(24));
    X509Certificate leaf = verifyChain(issued, ca.caCertificatePem());

    assertEquals(SpiffeId.gateway("default", "http"), SpiffeId.fromCertificate(leaf).orElseThrow());
    var sans = leaf.getSubjectAlternativeNames().stream().map(san -> san.get(0) + "=" + san.get(1)).toList();
    assertTrue(sans.contains("6=spiffe://gloo/ns/default/gateway/http"), sans.toString());
    assertTrue(sans.contains("2=gloo-gateway.gloo-system.svc"), sans.toString());
    assertTrue(sans.contains("2=localhost"), sans.toString());
    assertTrue(sans.contains("7=127.0.0.1"), sans.toString());
    assertTrue(sans.stream().anyMatch(s -> s.startsWith("7=0:0:0:0:0:0:0:1")), sans.toString());
    assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), leaf.getExtendedKeyUsage());
    assertEquals(-1, leaf.getBasicConstraints(), "a leaf must not be a CA");
    assertEquals("EC", leaf.getPublicKey().getAlgorithm());
    assertEquals(leaf.getNotAfter().toInstant(), issued.notAfter());
    assertTrue(issued.privateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----"));
    assertEquals(ca.caCertificatePem(), issued.caCertificatePem());
  }

  @Test
  void lifetimeFollowsTheClockTheCaIssuesWith() throws Exception {
    Instant fixed = Instant.parse("2030-01-01T00:00:00Z");
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp).withClock(Clock.fixed(fixed, ZoneOffset.UTC));
    IssuedCertificate issued = ca.issue(SpiffeId.service("ratelimit-server"), List.of(), Duration.ofMinutes(10));
    assertEquals(fixed.plus(Duration.ofMinutes(10)), issued.notAfter());
    X509Certificate leaf = parse(issued.certificatePem());
    // back-dated by at most half the lifetime, so that a short-lived certificate is not already half gone
    assertEquals(Date.from(fixed.minus(Duration.ofMinutes(5))), leaf.getNotBefore());
    assertThrows(IllegalArgumentException.class, () -> ca.issue(SpiffeId.controlPlane(), List.of(), Duration.ZERO));
  }

  @Test
  void toStringNeverShowsTheKey() throws Exception {
    IssuedCertificate issued = CertificateAuthority.loadOrCreate(tmp)
        .issue(SpiffeId.controlPlane(), List.of(), Duration.ofHours(1));
    assertFalse(issued.toString().contains("PRIVATE KEY"), issued.toString());
    String keyBody = issued.privateKeyPem().split("\n")[1];
    assertFalse(issued.toString().contains(keyBody));
  }

  @Test
  void halfAStateDirectoryIsAnErrorNotASilentNewCa() throws Exception {
    CertificateAuthority.loadOrCreate(tmp);
    Files.delete(tmp.resolve("ca.crt"));
    IOException e = assertThrows(IOException.class, () -> CertificateAuthority.loadOrCreate(tmp));
    assertTrue(e.getMessage().contains("has ca.key but no ca.crt"), e.getMessage());
    assertFalse(e.getMessage().contains("PRIVATE"), e.getMessage());
  }

  @Test
  void aKeyThatDoesNotBelongToTheCertificateIsRefused() throws Exception {
    CertificateAuthority.loadOrCreate(tmp.resolve("a"));
    CertificateAuthority.loadOrCreate(tmp.resolve("b"));
    Files.copy(tmp.resolve("b/ca.key"), tmp.resolve("a/ca.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    IOException e = assertThrows(IOException.class, () -> CertificateAuthority.loadOrCreate(tmp.resolve("a")));
    assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
  }

  @Test
  void writesIssuedFilesWithAPrivateKeyFile() throws Exception {
    IssuedCertificate issued = CertificateAuthority.loadOrCreate(tmp.resolve("state"))
        .issue(SpiffeId.gateway("default", "http"), List.of(), Duration.ofHours(1));
    Path out = CaDirectory.writeIssued(issued, tmp.resolve("out"));
    assertEquals(issued.certificatePem(), Files.readString(out.resolve("tls.crt")));
    assertEquals(issued.privateKeyPem(), Files.readString(out.resolve("tls.key")));
    assertEquals(issued.caCertificatePem(), Files.readString(out.resolve("ca.crt")));
    assertEquals(Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(out.resolve("tls.key")));
  }

  @Test
  void newCasSignWithRsaWhileTheLeavesKeepEcdsaKeysForTheHandshake() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp);
    assertEquals("RSA", ca.certificate().getPublicKey().getAlgorithm());
    assertEquals(CertificateAuthority.CA_RSA_BITS,
        ((java.security.interfaces.RSAPublicKey) ca.certificate().getPublicKey()).getModulus().bitLength());
    X509Certificate leaf = verifyChain(ca.issue(SpiffeId.gateway("default", "http"), List.of(), Duration.ofHours(1)),
        ca.caCertificatePem());
    assertEquals("SHA256withRSA", leaf.getSigAlgName());
    assertEquals("EC", leaf.getPublicKey().getAlgorithm());
  }

  @Test
  void aStateDirectoryWithAnEcdsaCaFromBeforeKeepsIssuingWithIt() throws Exception {
    CertificateAuthority before = CertificateAuthority.generate(Clock.systemUTC(),
        CertificateAuthority.newLeafKeyPair());
    Path state = Files.createDirectories(tmp.resolve("state"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    CaDirectory.writePrivate(state.resolve(CaDirectory.CA_KEY), before.privateKeyPem());
    Files.writeString(state.resolve(CaDirectory.CA_CERT), before.caCertificatePem());

    CertificateAuthority loaded = CertificateAuthority.loadOrCreate(state);
    assertEquals(before.caCertificatePem(), loaded.caCertificatePem(), "the stored CA, not a new one");
    IssuedCertificate issued = loaded.issue(SpiffeId.gateway("default", "http"), List.of(), Duration.ofHours(1));
    X509Certificate leaf = verifyChain(issued, before.caCertificatePem());
    assertEquals("SHA256withECDSA", leaf.getSigAlgName());
    CaClientTrust.of(before.caCertificatePem()).checkClientTrusted(new X509Certificate[] {leaf}, "UNKNOWN");
  }

  static X509Certificate verifyChain(IssuedCertificate issued, String caPem) throws Exception {
    X509Certificate leaf = parse(issued.certificatePem());
    X509Certificate root = parse(caPem);
    var params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(
        CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
    return leaf;
  }

  static X509Certificate parse(String pem) throws Exception {
    return Pem.parseCertificate(pem);
  }
}
