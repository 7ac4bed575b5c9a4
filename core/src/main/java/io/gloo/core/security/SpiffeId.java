package io.gloo.core.security;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * A workload identity of this control plane's trust domain, carried in a certificate's URI SAN:
 * {@code spiffe://gloo/ns/<ns>/gateway/<name>} (the proxy of one Gateway), {@code spiffe://gloo/ns/<ns>/proxy/<name>}
 * (Edge API proxies, later), {@code spiffe://gloo/control-plane} and {@code spiffe://gloo/service/<name>}
 * ({@code ratelimit-server}, {@code extauth-server}).
 *
 * <p>Names are Kubernetes names (lower-case letters, digits, {@code -} and {@code .}), so a path segment can never
 * smuggle a {@code /} and one identity can never parse as another.
 */
public record SpiffeId(String uri) {

  /** The trust domain's prefix. */
  public static final String PREFIX = "spiffe://gloo/";

  private static final String NAME = "[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?";
  private static final Pattern VALID = Pattern.compile(
      Pattern.quote(PREFIX) + "(control-plane|service/" + NAME + "|ns/" + NAME + "/(gateway|proxy)/" + NAME + ")");
  private static final Pattern GATEWAY = Pattern.compile(
      Pattern.quote(PREFIX) + "ns/(" + NAME + ")/gateway/(" + NAME + ")");
  private static final Pattern EDGE_PROXY = Pattern.compile(
      Pattern.quote(PREFIX) + "ns/(" + NAME + ")/proxy/(" + NAME + ")");
  /** {@link java.security.cert.X509Certificate#getSubjectAlternativeNames()}: GeneralName uniformResourceIdentifier. */
  private static final int URI_SAN = 6;

  public SpiffeId {
    Objects.requireNonNull(uri, "uri");
    if (!VALID.matcher(uri).matches()) {
      throw new IllegalArgumentException("not an identity of the gloo trust domain: " + uri);
    }
  }

  /** {@code spiffe://gloo/ns/<namespace>/gateway/<name>}: the proxy of one Gateway. */
  public static SpiffeId gateway(String namespace, String name) {
    return new SpiffeId(PREFIX + "ns/" + namespace + "/gateway/" + name);
  }

  /** {@code spiffe://gloo/ns/<namespace>/proxy/<name>}: a Gloo Edge proxy (of the Edge Gateways naming it). */
  public static SpiffeId edgeProxy(String namespace, String name) {
    return new SpiffeId(PREFIX + "ns/" + namespace + "/proxy/" + name);
  }

  /** The Gloo Edge proxy this identity is, as {@code namespace/name}; empty for any other kind of identity. */
  public Optional<String> edgeProxyRef() {
    var m = EDGE_PROXY.matcher(uri);
    return m.matches() ? Optional.of(m.group(1) + "/" + m.group(3)) : Optional.empty();
  }

  /** {@code spiffe://gloo/service/<name>}, e.g. {@code ratelimit-server}. */
  public static SpiffeId service(String name) {
    return new SpiffeId(PREFIX + "service/" + name);
  }

  /** {@code spiffe://gloo/control-plane}. */
  public static SpiffeId controlPlane() {
    return new SpiffeId(PREFIX + "control-plane");
  }

  /**
   * The Gateway this identity is the proxy of, as {@code namespace/name}; empty for any other kind of identity.
   */
  public Optional<String> gatewayRef() {
    var m = GATEWAY.matcher(uri);
    return m.matches() ? Optional.of(m.group(1) + "/" + m.group(3)) : Optional.empty();
  }

  /** The identity in a verified peer certificate (first spiffe:// URI SAN), if any. */
  public static Optional<SpiffeId> fromPeer(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
    if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return Optional.empty();
    }
    return fromCertificate(leaf);
  }

  /** The first {@code spiffe://} URI SAN of {@code certificate}, if it is a valid identity of this trust domain. */
  public static Optional<SpiffeId> fromCertificate(X509Certificate certificate) {
    Collection<List<?>> sans;
    try {
      sans = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
    if (sans == null) {
      return Optional.empty();
    }
    for (List<?> san : sans) {
      if (san.size() >= 2 && Integer.valueOf(URI_SAN).equals(san.get(0)) && san.get(1) instanceof String s
          && s.startsWith("spiffe://")) {
        // The first spiffe:// URI decides; one from another trust domain (or malformed) is no identity at all.
        return VALID.matcher(s).matches() ? Optional.of(new SpiffeId(s)) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return uri;
  }
}
