package io.gloo.core.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The {@code data} of a {@code kubernetes.io/tls} Secret that also carries its CA ({@code tls.crt}, {@code tls.key},
 * {@code ca.crt}, base64 as the API wants them), for the CA's own Secret and the proxies' certificate Secrets.
 * Stateless.
 */
public final class TlsSecretData {

  public static final String CERT = "tls.crt";
  public static final String KEY = "tls.key";
  public static final String CA = "ca.crt";

  private TlsSecretData() {
  }

  /** {@code data} for the certificate, key and CA certificate, base64-encoded. */
  public static Map<String, String> of(String certificatePem, String privateKeyPem, String caCertificatePem) {
    return Map.of(CERT, encode(certificatePem), KEY, encode(privateKeyPem), CA, encode(caCertificatePem));
  }

  /** {@code data} of an issued certificate. */
  public static Map<String, String> of(IssuedCertificate issued) {
    return of(issued.certificatePem(), issued.privateKeyPem(), issued.caCertificatePem());
  }

  /** The PEM text under {@code key} in a Secret's {@code data}; null when absent or not base64. */
  public static String pem(Map<String, String> data, String key) {
    String base64 = data == null ? null : data.get(key);
    if (base64 == null) {
      return null;
    }
    try {
      return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }
}
