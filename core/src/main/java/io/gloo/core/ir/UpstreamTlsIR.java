package io.gloo.core.ir;

import io.gloo.core.store.ResourceKey;
import java.util.List;

/**
 * TLS from the proxy to a backend (a BackendTLSPolicy on the Service port): the SNI to send, how to validate the
 * backend's certificate, and the client certificate to present (the Gateway's {@code tls.backend.clientCertificateRef}).
 * {@link #toString()} leaves PEM out.
 *
 * @param policy the BackendTLSPolicy that configured it
 * @param sni the server name sent, the policy's {@code validation.hostname}
 * @param caSecret SDS name of the trusted CA bundle (a validation context Secret), or null for the system CAs
 * @param caPem the trusted CA bundle (PEM certificates, not secret), or null for the system CAs
 * @param subjectAltNames what the backend certificate's SANs must match (the hostname when the policy names none)
 * @param clientCertificate the certificate the proxy presents, or null
 */
public record UpstreamTlsIR(ResourceKey policy, String sni, String caSecret, String caPem,
    List<SubjectAltName> subjectAltNames, TlsIR.Certificate clientCertificate) {

  /** Where the system (well-known) CA bundle is in the Envoy image. */
  public static final String SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt";

  public UpstreamTlsIR {
    subjectAltNames = List.copyOf(subjectAltNames);
  }

  /** Whether the backend certificate is validated against the system CAs (wellKnownCACertificates: System). */
  public boolean systemCa() {
    return caSecret == null;
  }

  /** The same settings, presenting {@code certificate} (null: none). */
  public UpstreamTlsIR withClientCertificate(TlsIR.Certificate certificate) {
    return new UpstreamTlsIR(policy, sni, caSecret, caPem, subjectAltNames, certificate);
  }

  @Override
  public String toString() {
    return "UpstreamTls[" + policy + " sni=" + sni + " ca=" + (caSecret == null ? "system" : caSecret) + " sans="
        + subjectAltNames + " client=" + (clientCertificate == null ? "none" : clientCertificate.name()) + "]";
  }

  /** A subject alternative name the backend certificate must carry: type DNS (a hostname) or URI. */
  public record SubjectAltName(Type type, String value) {
    public enum Type { DNS, URI }
  }
}
