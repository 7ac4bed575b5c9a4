package io.gloo.core.conformance;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.gloo.core.evaluate.RouteDecision;
import io.gloo.core.translate.XdsResources;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Whether Envoy completes a downstream TLS handshake in which the client presents a certificate (or none), decided
 * from the filter chain's {@code DownstreamTlsContext} as Envoy's default certificate validator does: a chain without
 * a validation context asks for no certificate; with one, a presented certificate must chain to its
 * {@code trusted_ca} (PKIX, as BoringSSL's verification) unless {@code trust_chain_verification} is
 * {@code ACCEPT_UNTRUSTED}, and a missing one fails only when {@code require_client_certificate} is set. The trusted
 * CA comes from the SDS Secret the chain names (served with the listener). The server's own certificate is not
 * judged here. Stateless.
 */
final class ClientHandshake {

  private static final String TLS_CONTEXT = "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";

  private ClientHandshake() {}

  /** The handshake's outcome, and why. */
  record Result(boolean completes, String why) {}

  /**
   * The handshake on the filter chain {@code d} was routed through, the client presenting the certificate of Secret
   * {@code clientCertificate} ("namespace/name", null: none).
   */
  static Result decide(XdsResources xds, RouteDecision d, ConformanceWorld world, String clientCertificate) {
    FilterChain chain = chain(xds, d.listener(), d.filterChain());
    if (chain == null || !chain.hasTransportSocket()
        || !chain.getTransportSocket().getTypedConfig().getTypeUrl().endsWith(TLS_CONTEXT)) {
      return new Result(false, "filter chain " + d.filterChain() + " of " + d.listener() + " does not terminate TLS");
    }
    DownstreamTlsContext tls;
    try {
      tls = chain.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
    } catch (InvalidProtocolBufferException e) {
      return new Result(false, "malformed DownstreamTlsContext on " + d.filterChain());
    }
    CommonTlsContext common = tls.getCommonTlsContext();
    String sds;
    boolean acceptUntrusted = false;
    if (common.hasCombinedValidationContext()) {
      sds = common.getCombinedValidationContext().getValidationContextSdsSecretConfig().getName();
      acceptUntrusted = common.getCombinedValidationContext().getDefaultValidationContext()
          .getTrustChainVerification() == CertificateValidationContext.TrustChainVerification.ACCEPT_UNTRUSTED;
    } else if (common.hasValidationContextSdsSecretConfig()) {
      sds = common.getValidationContextSdsSecretConfig().getName();
    } else if (common.hasValidationContext()) {
      return decide(common.getValidationContext(), false, tls, world, clientCertificate);
    } else {
      return new Result(true, "no validation context: no client certificate asked for");
    }
    for (Secret s : xds.secrets()) {
      if (s.getName().equals(sds) && s.hasValidationContext()) {
        CertificateValidationContext merged = s.getValidationContext();
        return decide(merged, acceptUntrusted || merged.getTrustChainVerification()
            == CertificateValidationContext.TrustChainVerification.ACCEPT_UNTRUSTED, tls, world, clientCertificate);
      }
    }
    return new Result(false, "validation context Secret " + sds + " is not served: Envoy keeps the listener warming");
  }

  private static Result decide(CertificateValidationContext v, boolean acceptUntrusted, DownstreamTlsContext tls,
      ConformanceWorld world, String clientCertificate) {
    boolean required = tls.hasRequireClientCertificate() && tls.getRequireClientCertificate().getValue();
    if (clientCertificate == null) {
      return required ? new Result(false, "require_client_certificate and the client presents none")
          : new Result(true, "a client certificate is optional here");
    }
    X509Certificate client = certificate(world, clientCertificate);
    List<X509Certificate> trusted = pems(data(v.getTrustedCa()));
    String failure = verify(client, trusted);
    if (failure == null) {
      return new Result(true, "client certificate " + clientCertificate + " chains to the trusted CA");
    }
    return acceptUntrusted ? new Result(true, "client certificate " + clientCertificate + " untrusted (" + failure
        + "), accepted: trust_chain_verification ACCEPT_UNTRUSTED")
        : new Result(false, "client certificate " + clientCertificate + " rejected: " + failure);
  }

  /** Null when {@code client} (a client's or a server's certificate) chains to one of {@code trusted}, else why not. */
  static String verify(X509Certificate client, List<X509Certificate> trusted) {
    if (trusted.isEmpty()) {
      return "no trusted CA";
    }
    Set<TrustAnchor> anchors = new HashSet<>();
    trusted.forEach(c -> anchors.add(new TrustAnchor(c, null)));
    try {
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(List.of(client)), params);
      return null;
    } catch (GeneralSecurityException e) {
      return "does not chain to the trusted CA (" + e.getMessage() + ")";
    }
  }

  private static FilterChain chain(XdsResources xds, String listener, String name) {
    for (Listener l : xds.listeners()) {
      if (!l.getName().equals(listener)) {
        continue;
      }
      for (int i = 0; i < l.getFilterChainsCount(); i++) {
        FilterChain c = l.getFilterChains(i);
        if (c.getName().equals(name) || ("#" + i).equals(name)) {
          return c;
        }
      }
      if (l.hasDefaultFilterChain()) {
        return l.getDefaultFilterChain();
      }
    }
    return null;
  }

  static X509Certificate certificate(ConformanceWorld world, String ref) {
    String[] nn = ref.split("/", 2);
    ObjectNode secret = world.get("Secret", nn[0], nn[1]);
    if (secret == null) {
      throw new IllegalArgumentException("client certificate Secret " + ref + " does not exist");
    }
    JsonNode data = secret.path("data");
    String pem = new String(Base64.getDecoder().decode(data.path(data.has("tls.crt") ? "tls.crt" : "crt").asString("")),
        StandardCharsets.US_ASCII);
    List<X509Certificate> certs = pems(pem);
    if (certs.isEmpty()) {
      throw new IllegalArgumentException("Secret " + ref + " has no certificate in tls.crt");
    }
    return certs.get(0);
  }

  static String data(DataSource ds) {
    return switch (ds.getSpecifierCase()) {
      case INLINE_BYTES -> ds.getInlineBytes().toString(StandardCharsets.US_ASCII);
      case INLINE_STRING -> ds.getInlineString();
      default -> "";
    };
  }

  static List<X509Certificate> pems(String pem) {
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (var c : cf.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        out.add((X509Certificate) c);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("unreadable PEM certificate: " + e.getMessage(), e);
    }
    return out;
  }
}
