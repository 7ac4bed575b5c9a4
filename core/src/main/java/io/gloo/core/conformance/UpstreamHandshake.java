package io.gloo.core.conformance;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.gloo.core.translate.XdsResources;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Envoy's connection to an echo backend, as far as TLS goes: the cluster's {@code UpstreamTlsContext} against what
 * the backend's port speaks. The echo server speaks TLS on its HTTPS port (8443) when its pod mounts a serving
 * certificate ({@link PodFiles#servingCertificate}); there Envoy must originate TLS, sending the context's
 * {@code sni}, and the backend's certificate must chain to the trusted CA (the SDS validation context Secret, or a
 * file such as the system bundle, which trusts no certificate of the suite) and, when the context lists
 * {@code match_typed_subject_alt_names}, carry a SAN one of them matches (DNS names also by a {@code *.} wildcard in
 * the certificate), as Envoy's default validator checks. A handshake that fails is Envoy's 503; plaintext to the TLS
 * port is the Go server's 400; TLS to a plaintext port fails the handshake (503). Stateless.
 */
final class UpstreamHandshake {

  /** The echo server's HTTPS port. */
  static final int ECHO_HTTPS_PORT = 8443;

  private UpstreamHandshake() {}

  /**
   * The outcome: {@code status} null when the request reaches the echo handler, which then reports {@code sni} and
   * the client certificate Envoy presented ({@code clientCertificate}, or null), else the answer.
   */
  record Result(Integer status, String sni, X509Certificate clientCertificate, String why) {
    Result(Integer status, String sni, String why) {
      this(status, sni, null, why);
    }
  }

  static Result connect(XdsResources xds, String clusterName, ConformanceWorld world, String service, int port) {
    String serving = port == ECHO_HTTPS_PORT ? PodFiles.servingCertificate(world, service) : null;
    UpstreamTlsContext tls = tlsContext(xds, clusterName);
    if (serving == null) {
      return tls == null ? new Result(null, null, "plaintext") : new Result(503, null, "cluster " + clusterName
          + " originates TLS to " + service + ":" + port + ", which speaks plaintext: handshake fails");
    }
    if (tls == null) {
      return new Result(400, null, "cluster " + clusterName + " sends plaintext to " + service + "'s HTTPS port: the Go"
          + " server answers 400");
    }
    X509Certificate cert = ClientHandshake.certificate(world, serving);
    CommonTlsContext common = tls.getCommonTlsContext();
    CertificateValidationContext v;
    if (common.hasCombinedValidationContext()) {
      v = common.getCombinedValidationContext().getDefaultValidationContext();
      String sds = common.getCombinedValidationContext().getValidationContextSdsSecretConfig().getName();
      Secret secret = xds.secrets().stream().filter(s -> s.getName().equals(sds)).findFirst().orElse(null);
      if (secret == null || !secret.hasValidationContext()) {
        return new Result(503, null, "validation context Secret " + sds + " is not served: the cluster stays warming");
      }
      v = v.toBuilder().mergeFrom(secret.getValidationContext()).build();
    } else if (common.hasValidationContext()) {
      v = common.getValidationContext();
    } else {
      v = null;
    }
    if (v != null) {
      String trust = ClientHandshake.verify(cert, ClientHandshake.pems(ClientHandshake.data(v.getTrustedCa())));
      if (trust != null) {
        return new Result(503, null, "backend certificate " + serving + " rejected: " + trust);
      }
      if (v.getMatchTypedSubjectAltNamesCount() > 0 && !sanMatches(cert, v.getMatchTypedSubjectAltNamesList())) {
        return new Result(503, null, "backend certificate " + serving + " SANs " + sans(cert) + " match none of "
            + v.getMatchTypedSubjectAltNamesList().stream().map(m -> m.getMatcher().getExact()).toList());
      }
    }
    // The Gateway's client certificate (tls_certificate over SDS); the echo server verifies one if given
    // (VerifyClientCertIfGiven) against the CA bundle TLS_CLIENT_CACERTS names.
    X509Certificate client = null;
    for (var sdsConfig : common.getTlsCertificateSdsSecretConfigsList()) {
      Secret secret = xds.secrets().stream().filter(x -> x.getName().equals(sdsConfig.getName())).findFirst()
          .orElse(null);
      if (secret == null || !secret.hasTlsCertificate()) {
        return new Result(503, null, "client certificate Secret " + sdsConfig.getName() + " is not served: the cluster"
            + " stays warming");
      }
      List<X509Certificate> chain = ClientHandshake.pems(ClientHandshake.data(
          secret.getTlsCertificate().getCertificateChain()));
      client = chain.isEmpty() ? null : chain.get(0);
    }
    PodFiles.MountedFile clientCa = PodFiles.mounted(world, service, "TLS_CLIENT_CACERTS");
    if (client != null && clientCa != null) {
      String trust = ClientHandshake.verify(client, ClientHandshake.pems(clientCaPem(world, clientCa)));
      if (trust != null) {
        return new Result(503, null, "the backend rejects the Gateway's client certificate: " + trust);
      }
    }
    return new Result(null, tls.getSni(), client, "TLS to " + service + " with SNI " + tls.getSni() + ", certificate "
        + serving + " verified" + (client == null ? "" : ", client certificate " + client.getSubjectX500Principal()
        + " presented"));
  }

  private static String clientCaPem(ConformanceWorld world, PodFiles.MountedFile f) {
    String[] nn = f.ref().split("/", 2);
    tools.jackson.databind.node.ObjectNode o = world.get(f.kind(), nn[0], nn[1]);
    String value = o == null ? "" : o.path("data").path(f.key()).asString("");
    return f.kind().equals("Secret")
        ? new String(java.util.Base64.getDecoder().decode(value), java.nio.charset.StandardCharsets.US_ASCII) : value;
  }

  private static UpstreamTlsContext tlsContext(XdsResources xds, String clusterName) {
    for (Cluster c : xds.clusters()) {
      if (c.getName().equals(clusterName) && c.hasTransportSocket()
          && c.getTransportSocket().getTypedConfig().is(UpstreamTlsContext.class)) {
        try {
          return c.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalArgumentException("malformed UpstreamTlsContext on cluster " + clusterName, e);
        }
      }
    }
    return null;
  }

  private static boolean sanMatches(X509Certificate cert, List<SubjectAltNameMatcher> matchers) {
    for (SubjectAltNameMatcher m : matchers) {
      int type = m.getSanType() == SubjectAltNameMatcher.SanType.URI ? 6 : 2;
      for (List<?> san : sanEntries(cert)) {
        if (((Integer) san.get(0)) == type && matches(m, String.valueOf(san.get(1)), type == 2)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean matches(SubjectAltNameMatcher m, String san, boolean dns) {
    String want = m.getMatcher().getExact();
    if (want.isEmpty()) {
      return false; // only exact matchers are rendered by the translator
    }
    if (san.equals(want) || (m.getMatcher().getIgnoreCase() && san.equalsIgnoreCase(want))) {
      return true;
    }
    // Envoy's DNS SAN matching: a certificate's "*.example.com" covers one label
    if (dns && san.startsWith("*.")) {
      int dot = want.indexOf('.');
      return dot > 0 && want.substring(dot).toLowerCase(Locale.ROOT).equals(san.substring(1).toLowerCase(Locale.ROOT));
    }
    return false;
  }

  private static List<List<?>> sanEntries(X509Certificate cert) {
    try {
      var sans = cert.getSubjectAlternativeNames();
      return sans == null ? List.of() : new ArrayList<>(sans);
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  private static List<String> sans(X509Certificate cert) {
    return sanEntries(cert).stream().map(s -> String.valueOf(s.get(1))).toList();
  }
}
