package io.gloo.core.security;

import com.google.errorprone.annotations.ThreadSafe;
import java.io.IOException;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server's own certificate from the {@link CertificateAuthority}, renewed without a restart: the key manager a TLS
 * server presents it through re-issues it (a new key pair too) when a handshake finds two thirds of its lifetime
 * gone, the same point at which the provisioner renews proxies' certificates. A server that sees no handshake keeps
 * the old one, which is harmless: established connections never re-check expiry, and the next handshake renews
 * before it presents anything. No timer thread.
 *
 * <p>Works with both TLS providers: the JDK asks {@link #chooseEngineServerAlias} on every handshake, and netty's
 * OpenSSL provider asks it too, then re-reads the chain and key, which are new instances after a renewal (its
 * native key material cache is keyed by instance). Thread-safe: renewal is synchronized, and handshakes read one
 * immutable {@code Material} through a volatile field, so a chain and key of different generations never mix.
 */
@ThreadSafe
public final class RenewingCertificate extends X509ExtendedKeyManager {

  private static final String ALIAS_PREFIX = "gloo-";

  /** One generation: {@code alias} names it, so a handshake that chose it gets its own chain and key. */
  private record Material(String alias, IssuedCertificate issued, X509Certificate[] chain, PrivateKey key,
      Instant renewAt) {}

  private final CertificateAuthority ca;
  private final SpiffeId identity;
  private final List<String> hosts;
  private final Duration lifetime;
  private final Clock clock;
  private volatile Material current;
  /** The generation before {@link #current}, for a handshake that chose its alias just before a renewal. */
  private volatile Material previous;
  private long generation; // guarded by this

  /**
   * Issues the first certificate at once.
   *
   * @param hosts DNS/IP SANs (see {@link CertificateAuthority#issue})
   * @param clock decides when to renew (tests pass a fake one; the CA's clock dates the certificates)
   */
  public RenewingCertificate(CertificateAuthority ca, SpiffeId identity, List<String> hosts, Duration lifetime,
      Clock clock) {
    this.ca = Objects.requireNonNull(ca, "ca");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.hosts = List.copyOf(hosts);
    this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
    this.clock = Objects.requireNonNull(clock, "clock");
    synchronized (this) {
      this.current = issue();
    }
  }

  /** The certificate presented now (renewed first if due). */
  public IssuedCertificate current() {
    return material().issued();
  }

  /** The CA certificate (PEM) that verifies this certificate and the peers it trusts. */
  public String caCertificatePem() {
    return ca.caCertificatePem();
  }

  private Material material() {
    Material m = current;
    if (clock.instant().isBefore(m.renewAt())) {
      return m;
    }
    synchronized (this) {
      if (!clock.instant().isBefore(current.renewAt())) {
        Material next = issue();
        previous = current;
        current = next;
      }
      return current;
    }
  }

  private synchronized Material issue() {
    IssuedCertificate issued = ca.issue(identity, hosts, lifetime);
    try {
      X509Certificate leaf = Pem.parseCertificate(issued.certificatePem());
      PrivateKey key = Pem.parsePrivateKey(issued.privateKeyPem());
      return new Material(ALIAS_PREFIX + ++generation, issued, new X509Certificate[] {leaf}, key,
          clock.instant().plus(lifetime.multipliedBy(2).dividedBy(3)));
    } catch (IOException e) {
      // The CA just produced this PEM: unreadable means a bug, never a user error; the message carries no key.
      throw new IllegalStateException("cannot read the certificate the CA issued for " + identity, e);
    }
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return material().alias();
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return material().alias();
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return material().alias();
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return material().alias();
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[] {material().alias()};
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[] {material().alias()};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Material m = generation(alias);
    return m == null ? null : m.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Material m = generation(alias);
    return m == null ? null : m.key();
  }

  private Material generation(String alias) {
    Material now = current;
    if (now.alias().equals(alias)) {
      return now;
    }
    Material before = previous;
    return before != null && before.alias().equals(alias) ? before : null;
  }

  @Override
  public String toString() {
    return "RenewingCertificate[" + identity + ", notAfter=" + current.issued().notAfter() + "]";
  }
}
