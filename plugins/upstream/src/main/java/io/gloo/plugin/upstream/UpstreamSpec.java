package io.gloo.plugin.upstream;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * {@code spec} of a Gloo {@code gloo.solo.io/v1} Upstream, with Gloo's field names. Every record keeps the fields it
 * does not know in {@code unknown} (through {@link JsonAnySetter}), so that they are reported rather than dropped.
 * Durations are Gloo strings ({@code "5s"}, {@code "0.5s"}, {@code "100ms"}); see {@link Durations}.
 */
public record UpstreamSpec(
    Kube kube,
    @JsonProperty("static") Static staticSpec,
    Map<String, Object> pipe,
    Map<String, Object> aws,
    Map<String, Object> azure,
    Map<String, Object> consul,
    Map<String, Object> awsEc2,
    Map<String, Object> gcp,
    Map<String, Object> ai,
    SslConfig sslConfig,
    CircuitBreakers circuitBreakers,
    LoadBalancerConfig loadBalancerConfig,
    List<HealthCheck> healthChecks,
    OutlierDetection outlierDetection,
    ConnectionConfig connectionConfig,
    Boolean useHttp2,
    Boolean ignoreHealthOnHostRemoval,
    Boolean respectDnsTtl,
    String dnsRefreshRate,
    String protocolSelection,
    /* Istio auto-mTLS is not something this gateway does: the flag is accepted and has nothing to disable. */
    Boolean disableIstioAutoMtls,
    /* Labels written by Gloo's discovery; informational. */
    Map<String, Object> discoveryMetadata,
    @JsonAnySetter Map<String, Object> unknown) {

  /** The upstream types Gloo has that this plugin cannot serve. */
  static final List<String> UNSUPPORTED_TYPES = List.of("pipe", "aws", "azure", "consul", "awsEc2", "gcp", "ai");

  /** {@code kube}: a Kubernetes Service port. */
  public record Kube(String serviceName, String serviceNamespace, Integer servicePort,
      Map<String, String> selector, @JsonAnySetter Map<String, Object> unknown) {}

  /** {@code static}: fixed hosts. */
  public record Static(List<Host> hosts, Boolean useTls, Boolean autoSniRewrite,
      @JsonAnySetter Map<String, Object> unknown) {}

  public record Host(String addr, Integer port, String sniAddr, Integer loadBalancingWeight,
      @JsonAnySetter Map<String, Object> unknown) {}

  /** {@code sslConfig}: TLS to the upstream. */
  public record SslConfig(SecretRef secretRef, SslFiles sslFiles, Map<String, Object> sds, String sni,
      List<String> verifySubjectAltName, List<String> alpnProtocols, TlsParameters parameters, Boolean oneWayTls,
      Boolean allowRenegotiation, @JsonAnySetter Map<String, Object> unknown) {}

  public record SecretRef(String name, String namespace, @JsonAnySetter Map<String, Object> unknown) {}

  /** Certificate files mounted into Envoy's pod. */
  public record SslFiles(String tlsCert, String tlsKey, String rootCa, @JsonAnySetter Map<String, Object> unknown) {}

  public record TlsParameters(String minimumProtocolVersion, String maximumProtocolVersion,
      List<String> cipherSuites, List<String> ecdhCurves, @JsonAnySetter Map<String, Object> unknown) {}

  public record CircuitBreakers(Integer maxConnections, Integer maxPendingRequests, Integer maxRequests,
      Integer maxRetries, Boolean trackRemaining, @JsonAnySetter Map<String, Object> unknown) {}

  public record LoadBalancerConfig(Double healthyPanicThreshold, String updateMergeWindow, RoundRobin roundRobin,
      LeastRequest leastRequest, Empty random, RingHash ringHash, Empty maglev,
      @JsonAnySetter Map<String, Object> unknown) {}

  public record RoundRobin(SlowStartConfig slowStartConfig, @JsonAnySetter Map<String, Object> unknown) {}

  public record LeastRequest(Integer choiceCount, SlowStartConfig slowStartConfig,
      @JsonAnySetter Map<String, Object> unknown) {}

  public record SlowStartConfig(String slowStartWindow, Double aggression, Double minWeightPercent,
      @JsonAnySetter Map<String, Object> unknown) {}

  public record RingHash(RingHashConfig ringHashConfig, Boolean useHostnameForHashing,
      @JsonAnySetter Map<String, Object> unknown) {}

  /** Ring sizes are uint64: Gloo writes them as strings ({@code "200"}), numbers are accepted too. */
  public record RingHashConfig(Long minimumRingSize, Long maximumRingSize,
      @JsonAnySetter Map<String, Object> unknown) {}

  /** An option without fields ({@code random: {}}, {@code maglev: {}}, {@code tcpHealthCheck: {}}). */
  public record Empty(@JsonAnySetter Map<String, Object> unknown) {}

  /** Envoy's HealthCheck, as Gloo embeds it. */
  public record HealthCheck(String timeout, String interval, String initialJitter, String intervalJitter,
      Integer intervalJitterPercent, Integer unhealthyThreshold, Integer healthyThreshold, Boolean reuseConnection,
      String noTrafficInterval, String unhealthyInterval, String unhealthyEdgeInterval, String healthyEdgeInterval,
      Boolean alwaysLogHealthCheckFailures, HttpHealthCheck httpHealthCheck, GrpcHealthCheck grpcHealthCheck,
      TcpHealthCheck tcpHealthCheck, @JsonAnySetter Map<String, Object> unknown) {}

  public record HttpHealthCheck(String host, String path, String method, List<StatusRange> expectedStatuses,
      List<String> requestHeadersToRemove, @JsonAnySetter Map<String, Object> unknown) {}

  /** A half-open range {@code [start, end)} of HTTP status codes. */
  public record StatusRange(Long start, Long end, @JsonAnySetter Map<String, Object> unknown) {}

  public record GrpcHealthCheck(String serviceName, String authority, @JsonAnySetter Map<String, Object> unknown) {}

  public record TcpHealthCheck(Payload send, List<Payload> receive, @JsonAnySetter Map<String, Object> unknown) {}

  /** A health-check payload: hex bytes ({@code text}). */
  public record Payload(String text, @JsonAnySetter Map<String, Object> unknown) {}

  /** Envoy's OutlierDetection. */
  public record OutlierDetection(Integer consecutive5xx, String interval, String baseEjectionTime,
      String maxEjectionTime, Integer maxEjectionPercent, Integer enforcingConsecutive5xx,
      Integer enforcingSuccessRate, Integer successRateMinimumHosts, Integer successRateRequestVolume,
      Integer successRateStdevFactor, Integer consecutiveGatewayFailure, Integer enforcingConsecutiveGatewayFailure,
      Boolean splitExternalLocalOriginErrors, Integer consecutiveLocalOriginFailure,
      Integer enforcingConsecutiveLocalOriginFailure, Integer failurePercentageThreshold,
      Integer enforcingFailurePercentage, Integer failurePercentageMinimumHosts,
      Integer failurePercentageRequestVolume, @JsonAnySetter Map<String, Object> unknown) {}

  public record ConnectionConfig(Integer maxRequestsPerConnection, String connectTimeout, TcpKeepalive tcpKeepalive,
      Integer perConnectionBufferLimitBytes, CommonHttpProtocolOptions commonHttpProtocolOptions,
      @JsonAnySetter Map<String, Object> unknown) {}

  /** Gloo's TcpKeepAlive: durations, rounded down to whole seconds for Envoy. */
  public record TcpKeepalive(Integer keepaliveProbes, String keepaliveTime, String keepaliveInterval,
      @JsonAnySetter Map<String, Object> unknown) {}

  public record CommonHttpProtocolOptions(String idleTimeout, Integer maxHeadersCount, String maxStreamDuration,
      String headersWithUnderscoresAction, @JsonAnySetter Map<String, Object> unknown) {}
}
