package io.gloo.plugin.upstream;

import io.gloo.plugin.upstream.UpstreamSpec.HealthCheck;
import io.gloo.plugin.upstream.UpstreamSpec.Host;
import io.gloo.plugin.upstream.UpstreamSpec.LoadBalancerConfig;
import io.gloo.plugin.upstream.UpstreamSpec.SslConfig;
import io.gloo.spi.policy.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks an Upstream spec before anything is built. A violation rejects the Upstream: core then treats backendRefs
 * to it as unresolved, and the rules that use it answer 500.
 */
final class UpstreamValidator {

  static final Set<String> TLS_VERSIONS = Set.of("TLS_AUTO", "TLSv1_0", "TLSv1_1", "TLSv1_2", "TLSv1_3");
  static final Set<String> PROTOCOL_SELECTIONS = Set.of("USE_CONFIGURED_PROTOCOL", "USE_DOWNSTREAM_PROTOCOL");
  /** Envoy's RequestMethod values that a health check may use (CONNECT and unspecified are not). */
  static final Set<String> HTTP_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE",
      "PATCH");
  static final Set<String> UNDERSCORE_ACTIONS = Set.of("ALLOW", "REJECT_REQUEST", "DROP_HEADER");

  private final List<Violation> violations = new ArrayList<>();

  private UpstreamValidator() {}

  static List<Violation> validate(UpstreamSpec spec) {
    UpstreamValidator v = new UpstreamValidator();
    v.check(spec);
    return List.copyOf(v.violations);
  }

  private void add(String field, String message) {
    violations.add(new Violation(field, message));
  }

  private void check(UpstreamSpec spec) {
    List<String> types = new ArrayList<>();
    if (spec.kube() != null) {
      types.add("kube");
    }
    if (spec.staticSpec() != null) {
      types.add("static");
    }
    Object[] others = {spec.pipe(), spec.aws(), spec.azure(), spec.consul(), spec.awsEc2(), spec.gcp(), spec.ai()};
    for (int i = 0; i < others.length; i++) {
      if (others[i] != null) {
        String type = UpstreamSpec.UNSUPPORTED_TYPES.get(i);
        types.add(type);
        add(type, "upstream type '" + type + "' is not supported by this gateway (only kube and static are); "
            + "routes to this Upstream answer 500");
      }
    }
    if (types.isEmpty()) {
      add("kube", "an upstream type is required: set kube or static");
    } else if (types.size() > 1) {
      add(types.get(1), "only one upstream type may be set; " + String.join(" and ", types) + " are set");
    }
    if (spec.kube() != null) {
      kube(spec.kube());
    }
    if (spec.staticSpec() != null) {
      statics(spec.staticSpec());
    }
    if (spec.sslConfig() != null) {
      ssl(spec.sslConfig());
    }
    if (spec.loadBalancerConfig() != null) {
      loadBalancer(spec.loadBalancerConfig());
    }
    if (spec.healthChecks() != null) {
      for (int i = 0; i < spec.healthChecks().size(); i++) {
        healthCheck("healthChecks[" + i + "]", spec.healthChecks().get(i));
      }
    }
    if (spec.outlierDetection() != null) {
      var o = spec.outlierDetection();
      duration("outlierDetection.interval", o.interval());
      duration("outlierDetection.baseEjectionTime", o.baseEjectionTime());
      duration("outlierDetection.maxEjectionTime", o.maxEjectionTime());
      percent("outlierDetection.maxEjectionPercent", o.maxEjectionPercent());
      percent("outlierDetection.enforcingConsecutive5xx", o.enforcingConsecutive5xx());
      percent("outlierDetection.enforcingSuccessRate", o.enforcingSuccessRate());
      percent("outlierDetection.enforcingConsecutiveGatewayFailure", o.enforcingConsecutiveGatewayFailure());
      percent("outlierDetection.enforcingConsecutiveLocalOriginFailure", o.enforcingConsecutiveLocalOriginFailure());
      percent("outlierDetection.failurePercentageThreshold", o.failurePercentageThreshold());
      percent("outlierDetection.enforcingFailurePercentage", o.enforcingFailurePercentage());
    }
    if (spec.connectionConfig() != null) {
      var c = spec.connectionConfig();
      duration("connectionConfig.connectTimeout", c.connectTimeout());
      if (c.connectTimeout() != null && Durations.parse(c.connectTimeout()) != null
          && Durations.isZero(Durations.parse(c.connectTimeout()))) {
        add("connectionConfig.connectTimeout", "must be greater than 0");
      }
      if (c.tcpKeepalive() != null) {
        duration("connectionConfig.tcpKeepalive.keepaliveTime", c.tcpKeepalive().keepaliveTime());
        duration("connectionConfig.tcpKeepalive.keepaliveInterval", c.tcpKeepalive().keepaliveInterval());
      }
      nonNegative("connectionConfig.maxRequestsPerConnection", c.maxRequestsPerConnection());
      nonNegative("connectionConfig.perConnectionBufferLimitBytes", c.perConnectionBufferLimitBytes());
      var h = c.commonHttpProtocolOptions();
      if (h != null) {
        duration("connectionConfig.commonHttpProtocolOptions.idleTimeout", h.idleTimeout());
        duration("connectionConfig.commonHttpProtocolOptions.maxStreamDuration", h.maxStreamDuration());
        if (h.maxHeadersCount() != null && h.maxHeadersCount() < 1) {
          add("connectionConfig.commonHttpProtocolOptions.maxHeadersCount", "must be at least 1");
        }
        oneOf("connectionConfig.commonHttpProtocolOptions.headersWithUnderscoresAction",
            h.headersWithUnderscoresAction(), UNDERSCORE_ACTIONS);
      }
    }
    if (spec.circuitBreakers() != null) {
      var cb = spec.circuitBreakers();
      nonNegative("circuitBreakers.maxConnections", cb.maxConnections());
      nonNegative("circuitBreakers.maxPendingRequests", cb.maxPendingRequests());
      nonNegative("circuitBreakers.maxRequests", cb.maxRequests());
      nonNegative("circuitBreakers.maxRetries", cb.maxRetries());
    }
    duration("dnsRefreshRate", spec.dnsRefreshRate());
    if (spec.dnsRefreshRate() != null && Durations.parse(spec.dnsRefreshRate()) != null
        && Durations.parse(spec.dnsRefreshRate()).getSeconds() == 0
        && Durations.parse(spec.dnsRefreshRate()).getNanos() < 1_000_000) {
      add("dnsRefreshRate", "must be at least 1ms");
    }
    oneOf("protocolSelection", spec.protocolSelection(), PROTOCOL_SELECTIONS);
  }

  private void kube(UpstreamSpec.Kube kube) {
    if (kube.serviceName() == null || kube.serviceName().isBlank()) {
      add("kube.serviceName", "is required");
    }
    port("kube.servicePort", kube.servicePort());
  }

  private void statics(UpstreamSpec.Static s) {
    if (s.hosts() == null || s.hosts().isEmpty()) {
      add("static.hosts", "at least one host is required");
      return;
    }
    for (int i = 0; i < s.hosts().size(); i++) {
      Host h = s.hosts().get(i);
      String at = "static.hosts[" + i + "]";
      if (h == null) {
        add(at, "is empty");
        continue;
      }
      if (h.addr() == null || h.addr().isBlank()) {
        add(at + ".addr", "is required");
      }
      port(at + ".port", h.port());
      if (h.loadBalancingWeight() != null && h.loadBalancingWeight() < 1) {
        add(at + ".loadBalancingWeight", "must be at least 1");
      }
    }
  }

  private void ssl(SslConfig ssl) {
    if (ssl.sds() != null) {
      // Ignoring it would send plaintext (or unverified TLS) where the user asked for mTLS: reject instead.
      add("sslConfig.sds", "certificates from an SDS server are not supported; routes to this Upstream answer 500");
    }
    if (ssl.secretRef() != null && ssl.sslFiles() != null) {
      add("sslConfig", "secretRef and sslFiles are mutually exclusive");
    }
    if (ssl.secretRef() != null && (ssl.secretRef().name() == null || ssl.secretRef().name().isBlank())) {
      add("sslConfig.secretRef.name", "is required");
    }
    if (ssl.sslFiles() != null) {
      var f = ssl.sslFiles();
      if ((f.tlsCert() == null) != (f.tlsKey() == null)) {
        add("sslConfig.sslFiles", "tlsCert and tlsKey must be set together");
      }
    }
    if (ssl.parameters() != null) {
      oneOf("sslConfig.parameters.minimumProtocolVersion", ssl.parameters().minimumProtocolVersion(), TLS_VERSIONS);
      oneOf("sslConfig.parameters.maximumProtocolVersion", ssl.parameters().maximumProtocolVersion(), TLS_VERSIONS);
    }
  }

  private void loadBalancer(LoadBalancerConfig lb) {
    int policies = 0;
    for (Object o : new Object[] {lb.roundRobin(), lb.leastRequest(), lb.random(), lb.ringHash(), lb.maglev()}) {
      policies += o == null ? 0 : 1;
    }
    if (policies > 1) {
      add("loadBalancerConfig", "at most one of roundRobin, leastRequest, random, ringHash, maglev may be set");
    }
    if (lb.healthyPanicThreshold() != null && (lb.healthyPanicThreshold() < 0 || lb.healthyPanicThreshold() > 100)) {
      add("loadBalancerConfig.healthyPanicThreshold", "must be between 0 and 100");
    }
    duration("loadBalancerConfig.updateMergeWindow", lb.updateMergeWindow());
    if (lb.leastRequest() != null && lb.leastRequest().choiceCount() != null && lb.leastRequest().choiceCount() < 2) {
      add("loadBalancerConfig.leastRequest.choiceCount", "must be at least 2");
    }
    if (lb.roundRobin() != null && lb.roundRobin().slowStartConfig() != null) {
      duration("loadBalancerConfig.roundRobin.slowStartConfig.slowStartWindow",
          lb.roundRobin().slowStartConfig().slowStartWindow());
    }
    if (lb.leastRequest() != null && lb.leastRequest().slowStartConfig() != null) {
      duration("loadBalancerConfig.leastRequest.slowStartConfig.slowStartWindow",
          lb.leastRequest().slowStartConfig().slowStartWindow());
    }
    if (lb.ringHash() != null && lb.ringHash().ringHashConfig() != null) {
      var r = lb.ringHash().ringHashConfig();
      if (r.minimumRingSize() != null && r.maximumRingSize() != null && r.minimumRingSize() > r.maximumRingSize()) {
        add("loadBalancerConfig.ringHash.ringHashConfig", "minimumRingSize must not exceed maximumRingSize");
      }
      if (r.maximumRingSize() != null && r.maximumRingSize() > 8_388_608L) {
        add("loadBalancerConfig.ringHash.ringHashConfig.maximumRingSize", "must be at most 8388608");
      }
    }
  }

  private void healthCheck(String at, HealthCheck h) {
    if (h == null) {
      add(at, "is empty");
      return;
    }
    required(at + ".timeout", h.timeout());
    required(at + ".interval", h.interval());
    for (String[] d : new String[][] {{"timeout", h.timeout()}, {"interval", h.interval()},
        {"initialJitter", h.initialJitter()}, {"intervalJitter", h.intervalJitter()},
        {"noTrafficInterval", h.noTrafficInterval()}, {"unhealthyInterval", h.unhealthyInterval()},
        {"unhealthyEdgeInterval", h.unhealthyEdgeInterval()}, {"healthyEdgeInterval", h.healthyEdgeInterval()}}) {
      duration(at + "." + d[0], d[1]);
    }
    if (h.unhealthyThreshold() == null) {
      add(at + ".unhealthyThreshold", "is required");
    }
    if (h.healthyThreshold() == null) {
      add(at + ".healthyThreshold", "is required");
    }
    int checkers = (h.httpHealthCheck() == null ? 0 : 1) + (h.grpcHealthCheck() == null ? 0 : 1)
        + (h.tcpHealthCheck() == null ? 0 : 1);
    if (checkers != 1) {
      add(at, "exactly one of httpHealthCheck, grpcHealthCheck, tcpHealthCheck is required");
    }
    if (h.httpHealthCheck() != null) {
      required(at + ".httpHealthCheck.path", h.httpHealthCheck().path());
      oneOf(at + ".httpHealthCheck.method", h.httpHealthCheck().method() == null ? null
          : h.httpHealthCheck().method().toUpperCase(java.util.Locale.ROOT), HTTP_METHODS);
      List<UpstreamSpec.StatusRange> ranges = h.httpHealthCheck().expectedStatuses();
      if (ranges != null) {
        for (int i = 0; i < ranges.size(); i++) {
          UpstreamSpec.StatusRange r = ranges.get(i);
          if (r == null || r.start() == null || r.end() == null || r.start() < 100 || r.end() > 600
              || r.start() >= r.end()) {
            add(at + ".httpHealthCheck.expectedStatuses[" + i + "]", "must be a range [start, end) within 100-600");
          }
        }
      }
    }
    if (h.tcpHealthCheck() != null) {
      hex(at + ".tcpHealthCheck.send.text", h.tcpHealthCheck().send() == null ? null : h.tcpHealthCheck().send().text());
      if (h.tcpHealthCheck().receive() != null) {
        for (int i = 0; i < h.tcpHealthCheck().receive().size(); i++) {
          var p = h.tcpHealthCheck().receive().get(i);
          hex(at + ".tcpHealthCheck.receive[" + i + "].text", p == null ? null : p.text());
        }
      }
    }
  }

  private void hex(String field, String text) {
    if (text != null && !text.matches("([0-9a-fA-F]{2})+")) {
      add(field, "must be hex-encoded bytes");
    }
  }

  private void port(String field, Integer port) {
    if (port == null || port == 0) {
      add(field, "is required");
    } else if (port < 1 || port > 65535) {
      add(field, "must be between 1 and 65535, got " + port);
    }
  }

  private void required(String field, String value) {
    if (value == null || value.isBlank()) {
      add(field, "is required");
    }
  }

  private void duration(String field, String value) {
    if (!Durations.valid(value)) {
      add(field, "'" + value + "' is not a duration (e.g. \"5s\", \"100ms\")");
    }
  }

  private void percent(String field, Integer value) {
    if (value != null && (value < 0 || value > 100)) {
      add(field, "must be between 0 and 100");
    }
  }

  private void nonNegative(String field, Integer value) {
    if (value != null && value < 0) {
      add(field, "must not be negative");
    }
  }

  private void oneOf(String field, String value, Set<String> allowed) {
    if (value != null && !allowed.contains(value)) {
      add(field, "'" + value + "' is not one of " + new java.util.TreeSet<>(allowed));
    }
  }
}
