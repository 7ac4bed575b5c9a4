package io.gloo.core.security;

import java.time.Instant;
import java.util.Objects;

/**
 * PEM material issued by the {@link CertificateAuthority}: the leaf certificate, its PKCS#8 private key, the CA
 * certificate that verifies it and the leaf's expiry. {@link #toString()} never prints the key.
 */
public record IssuedCertificate(String certificatePem, String privateKeyPem, String caCertificatePem,
    Instant notAfter) {

  public IssuedCertificate {
    Objects.requireNonNull(certificatePem, "certificatePem");
    Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    Objects.requireNonNull(caCertificatePem, "caCertificatePem");
    Objects.requireNonNull(notAfter, "notAfter");
  }

  @Override
  public String toString() {
    return "IssuedCertificate[notAfter=" + notAfter + ", privateKeyPem=<redacted>]";
  }
}
