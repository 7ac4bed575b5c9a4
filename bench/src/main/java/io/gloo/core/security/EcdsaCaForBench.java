package io.gloo.core.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;

/**
 * Benchmarks only (this package because the CA's constructors are package-private): writes a state directory holding
 * a CA as {@code gloo serve} created them before RSA CAs — an ECDSA P-256 key — so that {@code XdsTlsBench} can
 * compare both CA key types in one run. {@link CertificateAuthority#loadOrCreate(Path)} then loads it as it loads a
 * state directory kept from an earlier version.
 */
public final class EcdsaCaForBench {

  private EcdsaCaForBench() {}

  /** Creates {@code stateDir} (0700) with {@code ca.crt} and {@code ca.key} (0600) of a new ECDSA P-256 CA. */
  public static Path write(Path stateDir) throws IOException {
    CertificateAuthority ca = CertificateAuthority.generate(Clock.systemUTC(), CertificateAuthority.newLeafKeyPair());
    Files.createDirectories(stateDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    CaDirectory.writePrivate(stateDir.resolve(CaDirectory.CA_KEY), ca.privateKeyPem());
    Files.writeString(stateDir.resolve(CaDirectory.CA_CERT), ca.caCertificatePem());
    return stateDir;
  }
}
