package io.gloo.core.security;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes mode of the {@link CertificateAuthority}: the Secret {@value #NAME} (type {@code kubernetes.io/tls},
 * keys {@code tls.crt}, {@code tls.key} and {@code ca.crt}) in the control plane's namespace. Every replica reads it;
 * the first to find it absent creates it, and a replica that loses that race (409 Conflict) reads the winner's, so
 * all replicas converge on one CA.
 */
final class CaSecret {

  static final String NAME = "gloo-ca";
  private static final Logger LOG = LoggerFactory.getLogger(CaSecret.class);
  private static final int HTTP_CONFLICT = 409;

  private CaSecret() {
  }

  /**
   * Reads the CA without ever creating one (tools such as {@code gloo bootstrap}: a CA they created would not be
   * the one {@code gloo serve} trusts if it started later with another).
   *
   * @throws IllegalStateException naming the Secret when it is absent, unreadable or holds no usable CA
   */
  static CertificateAuthority load(KubernetesClient client, String namespace) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(namespace, "namespace");
    Secret existing;
    try {
      existing = client.secrets().inNamespace(namespace).withName(NAME).get();
    } catch (KubernetesClientException e) {
      throw new IllegalStateException("cannot read Secret " + namespace + "/" + NAME + " (the CA): "
          + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
              : "HTTP " + e.getCode()), e);
    }
    if (existing == null) {
      throw new IllegalStateException("Secret " + namespace + "/" + NAME + " (the CA) does not exist: gloo serve"
          + " creates it at its first start in its namespace");
    }
    return parse(existing, namespace);
  }

  static CertificateAuthority loadOrCreate(KubernetesClient client, String namespace) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(namespace, "namespace");
    var secrets = client.secrets().inNamespace(namespace);
    Secret existing = secrets.withName(NAME).get();
    if (existing != null) {
      return parse(existing, namespace);
    }
    CertificateAuthority ca = CertificateAuthority.generate(Clock.systemUTC());
    Secret secret = new SecretBuilder()
        .withNewMetadata()
        .withName(NAME)
        .withNamespace(namespace)
        .addToLabels("app.kubernetes.io/managed-by", "gloo-gateway")
        .endMetadata()
        .withType("kubernetes.io/tls")
        .withData(TlsSecretData.of(ca.caCertificatePem(), ca.privateKeyPem(), ca.caCertificatePem()))
        .build();
    try {
      secrets.resource(secret).create();
      LOG.info("Created the control plane CA in Secret {}/{}", namespace, NAME);
      return ca;
    } catch (KubernetesClientException e) {
      if (e.getCode() != HTTP_CONFLICT) {
        throw new IllegalStateException("cannot create Secret " + namespace + "/" + NAME + " for the CA: "
            + e.getStatus().getMessage(), e);
      }
      // Another replica created it first: use theirs.
      Secret winner = secrets.withName(NAME).get();
      if (winner == null) {
        throw new IllegalStateException("Secret " + namespace + "/" + NAME + " conflicted on create but cannot be read");
      }
      return parse(winner, namespace);
    }
  }

  private static CertificateAuthority parse(Secret secret, String namespace) {
    String where = "Secret " + namespace + "/" + NAME;
    String cert = TlsSecretData.pem(secret.getData(), TlsSecretData.CERT);
    String key = TlsSecretData.pem(secret.getData(), TlsSecretData.KEY);
    if (cert == null || key == null) {
      throw new IllegalStateException(where + " lacks tls.crt or tls.key; delete it to create a new CA");
    }
    try {
      return CertificateAuthority.fromPem(cert, key, where);
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage() + "; delete it to create a new CA", e);
    }
  }
}
