package io.gloo.core.conformance;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Gateway API conformance profile and the features it covers, as upstream defines them at v1.6.1
 * ({@code conformance/utils/suite/profiles.go} and the feature sets of {@code pkg/features/*.go}). A test belongs to a
 * profile when every feature it needs is a core or extended feature of the profile; within the profile it is a core
 * test when all its features are core features, an extended test otherwise (upstream {@code isTestExtended}).
 * Immutable.
 */
public record ConformanceProfile(String name, Set<String> coreFeatures, Set<String> extendedFeatures) {

  /** {@code features.GatewayExtendedFeatures}: extended in every Gateway profile. */
  static final List<String> GATEWAY_EXTENDED = List.of(
      "GatewayPort8080",
      "GatewayStaticAddresses",
      "GatewayHTTPListenerIsolation",
      "GatewayHTTPSListenerDetectMisdirectedRequests",
      "GatewayInfrastructurePropagation",
      "GatewayAddressEmpty",
      "GatewayBackendClientCertificate",
      "GatewayFrontendClientCertificateValidation",
      "GatewayFrontendClientCertificateValidationInsecureFallback",
      "ListenerSet");

  /** {@code features.HTTPRouteExtendedFeatures}. */
  static final List<String> HTTPROUTE_EXTENDED = List.of(
      "HTTPRouteDestinationPortMatching",
      "HTTPRouteBackendRequestHeaderModification",
      "HTTPRouteQueryParamMatching",
      "HTTPRouteMethodMatching",
      "HTTPRouteResponseHeaderModification",
      "HTTPRoutePortRedirect",
      "HTTPRouteSchemeRedirect",
      "HTTPRoutePathRedirect",
      "HTTPRouteHostRewrite",
      "HTTPRoutePathRewrite",
      "HTTPRouteRequestMirror",
      "HTTPRouteRequestMultipleMirrors",
      "HTTPRouteRequestPercentageMirror",
      "HTTPRouteRequestTimeout",
      "HTTPRouteBackendTimeout",
      "HTTPRouteParentRefPort",
      "HTTPRouteBackendProtocolH2C",
      "HTTPRouteBackendProtocolWebSocket",
      "HTTPRouteNamedRouteRule",
      "HTTPRouteCORS",
      "HTTPRoute303RedirectStatusCode",
      "HTTPRoute307RedirectStatusCode",
      "HTTPRoute308RedirectStatusCode",
      "HTTPRouteRetry",
      "HTTPRouteRetryBackendTimeout",
      "HTTPRouteRetryConnectionError");

  /** {@code features.BackendTLSPolicyCoreFeatures} + {@code BackendTLSPolicyExtendedFeatures}: extended for HTTP. */
  static final List<String> BACKEND_TLS_POLICY = List.of("BackendTLSPolicy", "BackendTLSPolicySANValidation");

  public static final ConformanceProfile GATEWAY_HTTP = new ConformanceProfile("GATEWAY-HTTP",
      set(List.of("Gateway", "ReferenceGrant", "HTTPRoute")),
      set(GATEWAY_EXTENDED, HTTPROUTE_EXTENDED, BACKEND_TLS_POLICY));
  /** GRPCRouteNamedRouteRule is a GRPCRoute extended feature but, upstream, in no profile's extended set. */
  public static final ConformanceProfile GATEWAY_GRPC = new ConformanceProfile("GATEWAY-GRPC",
      set(List.of("Gateway", "ReferenceGrant", "GRPCRoute")), set(GATEWAY_EXTENDED));
  public static final ConformanceProfile GATEWAY_TLS = new ConformanceProfile("GATEWAY-TLS",
      set(List.of("Gateway", "ReferenceGrant", "TLSRoute")),
      set(GATEWAY_EXTENDED, List.of("TLSRouteModeTerminate", "TLSRouteModeMixed")));
  public static final ConformanceProfile GATEWAY_TCP = new ConformanceProfile("GATEWAY-TCP",
      set(List.of("Gateway", "TCPRoute", "ReferenceGrant")), set(GATEWAY_EXTENDED, List.of("TCPRoute")));
  public static final ConformanceProfile GATEWAY_UDP = new ConformanceProfile("GATEWAY-UDP",
      set(List.of("Gateway", "UDPRoute", "ReferenceGrant")), set(GATEWAY_EXTENDED, List.of("UDPRoute")));

  /** The Gateway profiles, in report order (mesh profiles are out of scope). */
  public static final List<ConformanceProfile> ALL =
      List.of(GATEWAY_HTTP, GATEWAY_GRPC, GATEWAY_TLS, GATEWAY_TCP, GATEWAY_UDP);

  public ConformanceProfile {
    coreFeatures = Set.copyOf(coreFeatures);
    extendedFeatures = Set.copyOf(extendedFeatures);
  }

  public static Optional<ConformanceProfile> named(String name) {
    return ALL.stream().filter(p -> p.name.equals(name)).findFirst();
  }

  /** Upstream {@code getConformanceProfilesForTest}: every feature of the test is in this profile. */
  public boolean covers(List<String> testFeatures) {
    return testFeatures.stream().allMatch(f -> coreFeatures.contains(f) || extendedFeatures.contains(f));
  }

  /** Upstream {@code isTestExtended}: some feature of the test is not a core feature of this profile. */
  public boolean isExtended(List<String> testFeatures) {
    return !coreFeatures.containsAll(testFeatures);
  }

  @SafeVarargs
  private static Set<String> set(List<String>... lists) {
    Set<String> s = new LinkedHashSet<>();
    for (List<String> l : lists) {
      s.addAll(l);
    }
    return s;
  }
}
