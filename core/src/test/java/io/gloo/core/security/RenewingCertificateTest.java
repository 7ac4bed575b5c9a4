package io.gloo.core.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.gloo.core.testing.ManualClock;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key manager's generations: a handshake gets the chain and key of the generation whose alias it chose. */
class RenewingCertificateTest {

  @TempDir
  Path tmp;

  @Test
  void aHandshakeThatChoseTheOldGenerationStillGetsItsMatchingChainAndKey() throws Exception {
    ManualClock clock = new ManualClock(Instant.now());
    RenewingCertificate cert = new RenewingCertificate(CertificateAuthority.loadOrCreate(tmp),
        SpiffeId.controlPlane(), List.of("localhost"), Duration.ofHours(3), clock);
    String first = cert.chooseEngineServerAlias("EC", null, null);
    X509Certificate[] firstChain = cert.getCertificateChain(first);
    var firstKey = cert.getPrivateKey(first);

    clock.advance(Duration.ofMinutes(119));
    assertEquals(first, cert.chooseEngineServerAlias("EC", null, null), "not due before 2 of 3 hours");
    clock.advance(Duration.ofMinutes(2));
    String second = cert.chooseEngineServerAlias("EC", null, null);
    assertNotEquals(first, second);
    assertNotEquals(firstChain[0].getSerialNumber(), cert.getCertificateChain(second)[0].getSerialNumber());
    assertFalse(firstKey.equals(cert.getPrivateKey(second)), "a new key, not only a new certificate");

    // The handshake that chose `first` just before the renewal completes with the first generation, unmixed.
    assertArrayEquals(firstChain, cert.getCertificateChain(first));
    assertSame(firstKey, cert.getPrivateKey(first));
    assertNull(cert.getPrivateKey("gloo-0"));
    assertNull(cert.getCertificateChain("other"));
    assertEquals(cert.current().notAfter(), cert.getCertificateChain(second)[0].getNotAfter().toInstant());
    assertFalse(cert.toString().contains("PRIVATE KEY"));
  }
}
