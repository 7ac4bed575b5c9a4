package io.gloo.core.provision;

import com.google.common.hash.Hashing;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.security.IssuedCertificate;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.security.TlsSecretData;
import io.gloo.core.store.ResourceKey;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The xDS client certificate of each provisioned proxy: a {@code kubernetes.io/tls} Secret
 * {@code gloo-proxy-<gateway>-xds-tls} (keys {@code tls.crt}, {@code tls.key}, {@code ca.crt}) in the Gateway's
 * namespace, holding a certificate for {@code spiffe://gloo/ns/<ns>/gateway/<name>} and nothing else, mounted into the
 * proxy at {@value #MOUNT_PATH}. It is re-issued when two thirds of its lifetime have passed (default lifetime 24 h,
 * so every 16 h), when the CA changed, or when it is missing or not ours; the pod template carries the certificate's
 * hash, so a new certificate rolls the proxies (Envoy reads the bootstrap's certificate files once, at start).
 *
 * <p>Used only on the provisioner thread (not thread-safe): a cache of each Gateway's renewal time spares an API read
 * per Gateway per pass until the renewal is due; {@link #forget()} drops it (on resync and leadership changes).
 */
public final class ProxyCertificates {

  /** Where the proxy container mounts its Secret; the bootstrap names the files below it. */
  static final String MOUNT_PATH = "/etc/gloo/xds-tls";
  static final String SECRET_SUFFIX = "-xds-tls";
  static final String IDENTITY_ANNOTATION = "gateway.gloo.solo.io/identity";
  static final String RENEW_AT_ANNOTATION = "gateway.gloo.solo.io/renew-at";
  /** On the proxy pod template: the hash of the certificate the pods should run with. */
  static final String CERT_HASH_ANNOTATION = "gateway.gloo.solo.io/xds-cert-hash";

  private static final Logger LOG = LoggerFactory.getLogger(ProxyCertificates.class);

  /**
   * How proxy certificates are issued.
   *
   * @param ca the control plane's CA
   * @param lifetime each certificate's lifetime; renewed after two thirds of it
   * @param clock the time certificates are issued and renewed by (injectable for tests)
   */
  public record Policy(CertificateAuthority ca, Duration lifetime, Clock clock) {
    /** Default lifetime of a proxy's xDS client certificate. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(24);

    public Policy {
      Objects.requireNonNull(ca, "ca");
      Objects.requireNonNull(lifetime, "lifetime");
      Objects.requireNonNull(clock, "clock");
      if (lifetime.isNegative() || lifetime.isZero()) {
        throw new IllegalArgumentException("lifetime must be positive: " + lifetime);
      }
    }

    /** The default lifetime on the system clock. */
    public static Policy of(CertificateAuthority ca) {
      return new Policy(ca, DEFAULT_LIFETIME, Clock.systemUTC());
    }

    Instant renewAt(Instant issued) {
      return issued.plus(lifetime.multipliedBy(2).dividedBy(3));
    }
  }

  /** What is known about a Gateway's current certificate. */
  private record Current(Instant renewAt, String hash, String caPem) {}

  private final KubernetesClient client;
  private final Policy policy;
  private final Map<ResourceKey, Current> known = new HashMap<>();

  ProxyCertificates(KubernetesClient client, Policy policy) {
    this.client = client;
    this.policy = policy;
  }

  static String secretName(String gateway) {
    return ProxyProvisioner.proxyName(gateway) + SECRET_SUFFIX;
  }

  /**
   * Makes sure the Gateway's Secret holds a current certificate, writing it if not.
   *
   * @param meta the Secret's metadata (name, namespace, labels, owner reference)
   * @param beforeWrite called before each API write (rate limit, leadership check; may throw)
   * @return the hash of the certificate in the Secret, for the pod template
   */
  String ensure(ResourceKey gateway, ObjectMeta meta, Runnable beforeWrite) {
    Instant now = policy.clock().instant();
    Current cached = known.get(gateway);
    if (cached != null && now.isBefore(cached.renewAt()) && cached.caPem().equals(policy.ca().caCertificatePem())) {
      return cached.hash();
    }
    SpiffeId identity = SpiffeId.gateway(gateway.namespace(), gateway.name());
    var secrets = client.secrets().inNamespace(meta.getNamespace());
    Secret existing = secrets.withName(meta.getName()).get();
    Optional<Current> usable = existing == null ? Optional.empty() : usable(existing, identity, now);
    if (usable.isPresent()) {
      known.put(gateway, usable.get());
      return usable.get().hash();
    }
    IssuedCertificate issued = policy.ca().issue(identity, List.of(), policy.lifetime());
    Instant renewAt = policy.renewAt(now);
    ObjectMeta metadata = new io.fabric8.kubernetes.api.model.ObjectMetaBuilder(meta)
        .addToAnnotations(IDENTITY_ANNOTATION, identity.uri())
        .addToAnnotations(RENEW_AT_ANNOTATION, renewAt.toString())
        .build();
    if (existing != null) {
      metadata.setResourceVersion(existing.getMetadata().getResourceVersion());
    }
    Secret secret = new SecretBuilder()
        .withMetadata(metadata)
        .withType("kubernetes.io/tls")
        .withData(TlsSecretData.of(issued))
        .build();
    beforeWrite.run();
    if (existing == null) {
      secrets.resource(secret).create();
      LOG.info("created Secret {}/{}: xDS client certificate for {}, renewed after {}", meta.getNamespace(),
          meta.getName(), identity, renewAt);
    } else {
      secrets.resource(secret).update(); // a conflict throws: the next pass starts from a fresh read
      LOG.info("renewed Secret {}/{}: xDS client certificate for {}, next renewal after {}", meta.getNamespace(),
          meta.getName(), identity, renewAt);
    }
    Current current = new Current(renewAt, hash(issued.certificatePem()), issued.caCertificatePem());
    known.put(gateway, current);
    return current.hash();
  }

  /** The earliest renewal among the certificates known, if any. */
  Optional<Instant> nextRenewal() {
    return known.values().stream().map(Current::renewAt).min(Instant::compareTo);
  }

  Clock clock() {
    return policy.clock();
  }

  void retainAll(java.util.Set<ResourceKey> gateways) {
    known.keySet().retainAll(gateways);
  }

  void forget() {
    known.clear();
  }

  /** The Secret's certificate if it is ours, for this identity, from the current CA and not yet due for renewal. */
  private Optional<Current> usable(Secret secret, SpiffeId identity, Instant now) {
    Map<String, String> annotations = secret.getMetadata().getAnnotations();
    Map<String, String> labels = secret.getMetadata().getLabels();
    Map<String, String> data = secret.getData();
    if (annotations == null || labels == null || data == null
        || !ProxyProvisioner.MANAGED_BY.equals(labels.get(ProxyProvisioner.MANAGED_BY_LABEL))
        || !identity.uri().equals(annotations.get(IDENTITY_ANNOTATION))
        || data.get(TlsSecretData.CERT) == null || data.get(TlsSecretData.KEY) == null) {
      return Optional.empty();
    }
    String caPem = TlsSecretData.pem(data, TlsSecretData.CA);
    if (!policy.ca().caCertificatePem().equals(caPem)) {
      return Optional.empty();
    }
    Instant renewAt;
    try {
      renewAt = Instant.parse(String.valueOf(annotations.get(RENEW_AT_ANNOTATION)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
    String certificate = TlsSecretData.pem(data, TlsSecretData.CERT);
    if (!now.isBefore(renewAt) || certificate == null) {
      return Optional.empty();
    }
    return Optional.of(new Current(renewAt, hash(certificate), caPem));
  }

  private static String hash(String certificatePem) {
    return Hashing.sha256().hashString(certificatePem, StandardCharsets.US_ASCII).toString().substring(0, 16);
  }
}
