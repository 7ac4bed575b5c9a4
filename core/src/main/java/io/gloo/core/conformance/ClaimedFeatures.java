package io.gloo.core.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Gateway API features Gloo Gateway for Java claims to support: the one place to change. A feature is claimed
 * only once every case and status check of every test that needs it passes ({@code ConformanceSuiteTest} fails the
 * build otherwise). Checks that need a live data plane are skipped, never counted as passes; a feature whose tests
 * can only be skipped is not claimed, and says why.
 *
 * <p>One block per profile (upstream {@code conformance/utils/suite/profiles.go}), each listing the features that
 * profile brings, claimed or not with the reason: {@link #GATEWAY} (core and extended features every Gateway profile
 * shares), {@link #HTTP}, {@link #GRPC}, {@link #TLS}, {@link #TCP}, {@link #UDP}. A profile's report takes from these
 * the features of {@link ConformanceProfile} it covers. Immutable.
 *
 * <p>{@code HTTPRouteCORS} is verified with the route evaluator's model of Envoy's CORS filter; {@code HTTPRouteRetry}
 * with its model of the suite's echo server ({@code EchoBackend}: {@code /retry/} fails its first attempts with the
 * status asked for) under the route's Envoy retry policy; {@code HTTPRouteRequestTimeout} and
 * {@code HTTPRouteBackendTimeout} with its model of the echo server's {@code ?delay=} against the route's timeout and
 * per-try timeout (a 504 from Envoy); {@code HTTPRouteBackendProtocolWebSocket} with the evaluator's model of Envoy's
 * upgrade decision and the echo server's {@code /ws} handler; the frontend client-certificate features with its
 * decision of the TLS handshake from the filter chain's validation context ({@code ClientHandshake}); BackendTLSPolicy,
 * its SAN validation and {@code GatewayBackendClientCertificate} with its model of the TLS Envoy originates to the echo
 * backend ({@code UpstreamHandshake}: trusted CA, SANs, SNI, the client certificate the backend verifies); GRPCRoute
 * with gRPC calls ({@code GrpcCalls});
 * {@code GatewayInfrastructurePropagation} on the objects the provisioner renders for the Gateway
 * ({@code InfrastructureCheck}); a Gateway's {@code status.addresses} (GatewayStaticAddresses, GatewayAddressEmpty)
 * as the provisioner reports them from the proxy Service it renders, the usable static addresses being those the
 * GatewayClass's parameters list ({@code StaticAddresses}; the suite's usable pool).
 */
public final class ClaimedFeatures {

  /** One feature and whether it is claimed: {@code notClaimedBecause} is null when it is. */
  public record Claim(String feature, String notClaimedBecause) {
    public boolean claimed() {
      return notClaimedBecause == null;
    }
  }

  private static Claim yes(String feature) {
    return new Claim(feature, null);
  }

  private static Claim no(String feature, String because) {
    return new Claim(feature, because);
  }

  /** Features of every Gateway profile: the Gateway itself, ReferenceGrant, and the Gateway extended features. */
  public static final List<Claim> GATEWAY = List.of(
      yes("Gateway"),
      yes("ReferenceGrant"),
      yes("GatewayHTTPListenerIsolation"),
      yes("GatewayHTTPSListenerDetectMisdirectedRequests"),
      yes("GatewayPort8080"),
      yes("GatewayStaticAddresses"),
      yes("GatewayAddressEmpty"),
      yes("GatewayInfrastructurePropagation"),
      yes("GatewayBackendClientCertificate"),
      yes("GatewayFrontendClientCertificateValidation"),
      yes("GatewayFrontendClientCertificateValidationInsecureFallback"),
      yes("ListenerSet"));

  /** GATEWAY-HTTP: HTTPRoute, its extended features, BackendTLSPolicy. */
  public static final List<Claim> HTTP = List.of(
      yes("HTTPRoute"),
      yes("HTTPRoute303RedirectStatusCode"),
      yes("HTTPRoute308RedirectStatusCode"),
      yes("HTTPRouteBackendProtocolH2C"),
      yes("HTTPRouteBackendRequestHeaderModification"),
      yes("HTTPRouteCORS"),
      yes("HTTPRouteDestinationPortMatching"),
      yes("HTTPRouteHostRewrite"),
      yes("HTTPRouteMethodMatching"),
      yes("HTTPRouteParentRefPort"),
      yes("HTTPRoutePathRedirect"),
      yes("HTTPRoutePathRewrite"),
      yes("HTTPRoutePortRedirect"),
      yes("HTTPRouteQueryParamMatching"),
      yes("HTTPRouteRequestMirror"),
      yes("HTTPRouteRequestPercentageMirror"),
      yes("HTTPRouteResponseHeaderModification"),
      yes("HTTPRouteSchemeRedirect"),
      yes("HTTPRouteBackendTimeout"),
      yes("HTTPRouteRequestTimeout"),
      yes("HTTPRouteBackendProtocolWebSocket"),
      yes("HTTPRoute307RedirectStatusCode"),
      yes("HTTPRouteNamedRouteRule"),
      yes("HTTPRouteRequestMultipleMirrors"),
      yes("HTTPRouteRetry"),
      no("HTTPRouteRetryBackendTimeout", "translated (per-try timeout with the retry policy) and modelled by the"
          + " evaluator (EchoBackendTest); v1.6.1 has no conformance test for it"),
      no("HTTPRouteRetryConnectionError", "translated (connect-failure, refused-stream and reset are retried); v1.6.1"
          + " has no conformance test for it"),
      yes("BackendTLSPolicy"),
      yes("BackendTLSPolicySANValidation"));

  /** GATEWAY-GRPC: GRPCRoute (GRPCRouteNamedRouteRule is a GRPCRoute feature in no upstream profile). */
  public static final List<Claim> GRPC = List.of(
      yes("GRPCRoute"),
      yes("GRPCRouteNamedRouteRule"));

  /**
   * GATEWAY-TLS: TLSRoute and its modes (tests transcribed in {@code conformance/gateway-api-l4},
   * {@code L4ConformanceSuiteTest}).
   */
  public static final List<Claim> TLS = List.of(
      yes("TLSRoute"),
      yes("TLSRouteModeTerminate"),
      yes("TLSRouteModeMixed"));

  /** GATEWAY-TCP: TCPRoute. */
  public static final List<Claim> TCP = List.of(yes("TCPRoute"));

  /**
   * GATEWAY-UDP: UDPRoute. Envoy's udp_proxy routes a match to one cluster, so weighted backends become one split
   * cluster whose endpoint weights carry the route's weights ({@code UdpSplitCluster}); the evaluator picks each
   * session's host by those weights.
   */
  public static final List<Claim> UDP = List.of(yes("UDPRoute"));

  private static final Map<String, Claim> ALL = index(List.of(GATEWAY, HTTP, GRPC, TLS, TCP, UDP));

  private ClaimedFeatures() {}

  private static Map<String, Claim> index(List<List<Claim>> blocks) {
    Map<String, Claim> all = new LinkedHashMap<>();
    for (List<Claim> block : blocks) {
      for (Claim c : block) {
        if (all.put(c.feature(), c) != null) {
          throw new IllegalStateException("feature " + c.feature() + " is listed twice in ClaimedFeatures");
        }
      }
    }
    return all;
  }

  public static boolean claimed(String feature) {
    Claim c = ALL.get(feature);
    return c != null && c.claimed();
  }

  /** Why a feature is not claimed: its reason, or "not implemented" for a feature no block lists. */
  public static Optional<String> whyNot(String feature) {
    Claim c = ALL.get(feature);
    return c == null ? Optional.of("not implemented") : Optional.ofNullable(c.notClaimedBecause());
  }

  /** A test counts for the claim when every feature it needs is claimed (as the suite runs only those). */
  public static boolean claimsAll(List<String> features) {
    return features.stream().allMatch(ClaimedFeatures::claimed);
  }

  /** Every claimed feature, sorted. */
  public static Set<String> all() {
    Set<String> out = new TreeSet<>();
    ALL.values().stream().filter(Claim::claimed).forEach(c -> out.add(c.feature()));
    return out;
  }

  /** The extended features of a profile that are claimed (the report's supportedFeatures), sorted. */
  public static List<String> supported(ConformanceProfile profile) {
    return new ArrayList<>(new TreeSet<>(profile.extendedFeatures().stream().filter(ClaimedFeatures::claimed)
        .toList()));
  }

  /** The extended features of a profile that are not claimed (the report's unsupportedFeatures), sorted. */
  public static List<String> unsupported(ConformanceProfile profile) {
    return new ArrayList<>(new TreeSet<>(profile.extendedFeatures().stream().filter(f -> !claimed(f)).toList()));
  }
}
