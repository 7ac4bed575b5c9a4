package io.gloo.core.translate.gatewayapi;

/** Names from the Gateway API specification that the translator compares against. */
public final class GatewayApi {

  public static final String GROUP = "gateway.networking.k8s.io";
  public static final String CONTROLLER_NAME = "solo.io/gloo-gateway";

  public static final String KIND_GATEWAY = "Gateway";
  public static final String KIND_LISTENERSET = "ListenerSet";
  public static final String KIND_HTTPROUTE = "HTTPRoute";
  public static final String KIND_GRPCROUTE = "GRPCRoute";
  public static final String KIND_TLSROUTE = "TLSRoute";
  public static final String KIND_TCPROUTE = "TCPRoute";
  public static final String KIND_UDPROUTE = "UDPRoute";
  public static final String KIND_SECRET = "Secret";
  public static final String KIND_SERVICE = "Service";
  public static final String KIND_CONFIGMAP = "ConfigMap";

  public static final String PROTOCOL_HTTP = "HTTP";
  public static final String PROTOCOL_HTTPS = "HTTPS";
  public static final String PROTOCOL_TLS = "TLS";
  public static final String PROTOCOL_TCP = "TCP";
  public static final String PROTOCOL_UDP = "UDP";

  /** Condition types. */
  public static final String ACCEPTED = "Accepted";
  public static final String PROGRAMMED = "Programmed";
  public static final String RESOLVED_REFS = "ResolvedRefs";
  public static final String CONFLICTED = "Conflicted";
  public static final String PARTIALLY_INVALID = "PartiallyInvalid";
  /** Listener condition (negative polarity, set only when True): TLS listeners on a port with overlapping hosts. */
  public static final String OVERLAPPING_TLS_CONFIG = "OverlappingTLSConfig";
  /** Gateway condition: a frontend TLS validation uses mode AllowInsecureFallback. */
  public static final String INSECURE_FRONTEND_VALIDATION_MODE = "InsecureFrontendValidationMode";

  /** Condition reasons. */
  public static final String REASON_ACCEPTED = "Accepted";
  public static final String REASON_PROGRAMMED = "Programmed";
  public static final String REASON_INVALID = "Invalid";
  public static final String REASON_RESOLVED_REFS = "ResolvedRefs";
  public static final String REASON_NO_CONFLICTS = "NoConflicts";
  public static final String REASON_HOSTNAME_CONFLICT = "HostnameConflict";
  public static final String REASON_PROTOCOL_CONFLICT = "ProtocolConflict";
  public static final String REASON_UNSUPPORTED_PROTOCOL = "UnsupportedProtocol";
  public static final String REASON_INVALID_ROUTE_KINDS = "InvalidRouteKinds";
  public static final String REASON_LISTENERS_NOT_VALID = "ListenersNotValid";
  public static final String REASON_NOT_ALLOWED_BY_LISTENERS = "NotAllowedByListeners";
  public static final String REASON_NO_MATCHING_LISTENER_HOSTNAME = "NoMatchingListenerHostname";
  public static final String REASON_NO_MATCHING_PARENT = "NoMatchingParent";
  public static final String REASON_UNSUPPORTED_VALUE = "UnsupportedValue";
  public static final String REASON_BACKEND_NOT_FOUND = "BackendNotFound";
  public static final String REASON_INVALID_KIND = "InvalidKind";
  public static final String REASON_REF_NOT_PERMITTED = "RefNotPermitted";
  /**
   * ResolvedRefs=False of a route whose ExtensionRef or backendRef names a plugin policy that exists but failed
   * validation (Gloo's word: the policy's own status is Rejected, with the fields at fault); a policy that does not
   * exist is BackendNotFound, a kind no plugin serves InvalidKind.
   */
  public static final String REASON_POLICY_REJECTED = "Rejected";
  public static final String REASON_INVALID_PARAMETERS = "InvalidParameters";
  public static final String REASON_INVALID_CERTIFICATE_REF = "InvalidCertificateRef";
  public static final String REASON_INVALID_TLS_CONFIG = "InvalidTLSConfig";
  public static final String REASON_INVALID_CA_CERTIFICATE_REF = "InvalidCACertificateRef";
  public static final String REASON_INVALID_CA_CERTIFICATE_KIND = "InvalidCACertificateKind";
  public static final String REASON_NO_VALID_CA_CERTIFICATE = "NoValidCACertificate";
  public static final String REASON_CONFIGURATION_CHANGED = "ConfigurationChanged";
  /** ListenerSet Accepted/Programmed False: the parent Gateway's allowedListeners does not select it. */
  public static final String REASON_NOT_ALLOWED = "NotAllowed";
  public static final String REASON_PARENT_NOT_ACCEPTED = "ParentNotAccepted";
  public static final String REASON_PORT_UNAVAILABLE = "PortUnavailable";
  public static final String REASON_OVERLAPPING_HOSTNAMES = "OverlappingHostnames";

  /** Frontend TLS validation modes. */
  public static final String MODE_ALLOW_VALID_ONLY = "AllowValidOnly";
  public static final String MODE_ALLOW_INSECURE_FALLBACK = "AllowInsecureFallback";

  private GatewayApi() {}

  /** The API group of a reference: the Gateway API's defaulting, where a null group means the core group "". */
  public static String groupOrCore(String group) {
    return group == null ? "" : group;
  }

  /**
   * The ports of the listeners of the ListenerSets each Gateway of the snapshot allows, by Gateway (what its proxy
   * must expose besides its own listeners' ports).
   */
  public static java.util.Map<io.gloo.core.store.ResourceKey, java.util.Set<Integer>> listenerSetPorts(
      io.gloo.core.store.ResourceSnapshot snapshot) {
    return ListenerSets.allowedPorts(snapshot);
  }
}
