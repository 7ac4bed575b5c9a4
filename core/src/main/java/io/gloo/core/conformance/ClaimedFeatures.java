package io.gloo.core.conformance;

import java.util.List;
import java.util.Set;

/**
 * The Gateway API features Gloo Gateway for Java claims to support: the one place to change. A feature is claimed
 * only once every case and status check of every test that needs it passes ({@code ConformanceSuiteTest} fails the
 * build otherwise). Checks that need a live data plane are skipped, never counted as passes.
 *
 * <p>{@code HTTPRouteCORS} is verified with the route evaluator's model of Envoy's CORS filter (preflights answered
 * by the filter, CORS response headers on proxied requests).
 *
 * <p>Not claimed, and why: {@code HTTPRouteBackendTimeout} (its check is a 504 after a delay elapses: needs a data
 * plane); {@code GatewayStaticAddresses}, {@code GatewayAddressEmpty} and {@code GatewayInfrastructurePropagation}
 * (addresses and infrastructure come from a provisioned proxy, which directory mode does not have);
 * {@code GatewayFrontendClientCertificateValidation}(+{@code InsecureFallback}), {@code BackendTLSPolicy} and
 * {@code GatewayBackendClientCertificate} (implemented, and their status checks pass, but what they check is a TLS
 * handshake with or towards a client or backend certificate: needs a data plane); {@code TLSRoute} (not
 * implemented).
 */
public final class ClaimedFeatures {

  /** Core features of the GATEWAY-HTTP profile. */
  public static final Set<String> CORE_FEATURES = Set.of("Gateway", "HTTPRoute", "ReferenceGrant");

  /** Core features claimed. */
  public static final Set<String> CORE = CORE_FEATURES;

  /** Extended features claimed: those whose tests all pass, every check verified without a data plane. */
  public static final Set<String> EXTENDED = Set.of(
      "GatewayHTTPListenerIsolation",
      "GatewayHTTPSListenerDetectMisdirectedRequests",
      "GatewayPort8080",
      "HTTPRoute303RedirectStatusCode",
      "HTTPRoute308RedirectStatusCode",
      "HTTPRouteBackendProtocolH2C",
      "HTTPRouteBackendRequestHeaderModification",
      "HTTPRouteCORS",
      "HTTPRouteDestinationPortMatching",
      "HTTPRouteHostRewrite",
      "HTTPRouteMethodMatching",
      "HTTPRouteParentRefPort",
      "HTTPRoutePathRedirect",
      "HTTPRoutePathRewrite",
      "HTTPRoutePortRedirect",
      "HTTPRouteQueryParamMatching",
      "HTTPRouteRequestMirror",
      "HTTPRouteRequestPercentageMirror",
      "HTTPRouteResponseHeaderModification",
      "HTTPRouteSchemeRedirect");

  /** Why each known extended feature that is not claimed is not: written into the conformance report. */
  public static final java.util.Map<String, String> NOT_CLAIMED = java.util.Map.of(
      "HTTPRouteBackendTimeout", "translated; its check is a 504 after a backend delay elapses: needs a live data plane",
      "GatewayFrontendClientCertificateValidation",
      "implemented and status checks pass; what it checks is a TLS handshake with client certificates: needs a live"
          + " data plane",
      "GatewayFrontendClientCertificateValidationInsecureFallback",
      "implemented and status checks pass; what it checks is a TLS handshake: needs a live data plane",
      "BackendTLSPolicy", "implemented and status checks pass; what it checks is TLS towards the backend: needs a live"
          + " data plane",
      "GatewayBackendClientCertificate", "implemented; what it checks is the certificate a backend sees: needs a live"
          + " data plane",
      "GatewayStaticAddresses", "addresses are assigned by the infrastructure of a provisioned proxy, absent here",
      "GatewayAddressEmpty", "addresses are assigned by the infrastructure of a provisioned proxy, absent here",
      "GatewayInfrastructurePropagation", "checks the provisioned proxy's Deployment/Service (Kubernetes mode), not"
          + " observable in this offline run");

  /** Every extended feature of the GATEWAY-HTTP profile that the transcribed tests exercise. */
  public static final List<String> KNOWN_EXTENDED = List.of(
      "BackendTLSPolicy",
      "GatewayAddressEmpty",
      "GatewayBackendClientCertificate",
      "GatewayFrontendClientCertificateValidation",
      "GatewayFrontendClientCertificateValidationInsecureFallback",
      "GatewayHTTPListenerIsolation",
      "GatewayHTTPSListenerDetectMisdirectedRequests",
      "GatewayInfrastructurePropagation",
      "GatewayPort8080",
      "GatewayStaticAddresses",
      "HTTPRoute303RedirectStatusCode",
      "HTTPRoute308RedirectStatusCode",
      "HTTPRouteBackendProtocolH2C",
      "HTTPRouteBackendRequestHeaderModification",
      "HTTPRouteBackendTimeout",
      "HTTPRouteCORS",
      "HTTPRouteDestinationPortMatching",
      "HTTPRouteHostRewrite",
      "HTTPRouteMethodMatching",
      "HTTPRouteParentRefPort",
      "HTTPRoutePathRedirect",
      "HTTPRoutePathRewrite",
      "HTTPRoutePortRedirect",
      "HTTPRouteQueryParamMatching",
      "HTTPRouteRequestMirror",
      "HTTPRouteRequestPercentageMirror",
      "HTTPRouteResponseHeaderModification",
      "HTTPRouteSchemeRedirect",
      "TLSRoute");

  // ---- L4 profiles (GATEWAY-TLS, GATEWAY-TCP, GATEWAY-UDP): a separate set until the per-profile claims are merged.
  // Their tests are transcribed in conformance/gateway-api-l4 of this repository (L4ConformanceSuiteTest).

  /** Route kinds of the L4 profiles claimed: every test needing them passes. */
  public static final Set<String> L4_CORE = Set.of("TLSRoute", "TCPRoute");

  /** Extended features of the L4 profiles claimed. */
  public static final Set<String> L4_EXTENDED = Set.of("TLSRouteModeTerminate", "TLSRouteModeMixed");

  /** L4 features not claimed, and why. */
  public static final java.util.Map<String, String> L4_NOT_CLAIMED = java.util.Map.of(
      "UDPRoute", "translated to Envoy's udp_proxy, which sends every session of a match to one cluster:"
          + " weighted backends (UDPRouteWeightedRouting) are not split; the other UDPRoute tests pass");

  private ClaimedFeatures() {}

  public static boolean claimed(String feature) {
    return CORE.contains(feature) || EXTENDED.contains(feature) || L4_CORE.contains(feature)
        || L4_EXTENDED.contains(feature);
  }

  /** A test counts for the claim when every feature it needs is claimed (as the suite runs only those). */
  public static boolean claimsAll(List<String> features) {
    return features.stream().allMatch(ClaimedFeatures::claimed);
  }
}
