package io.gloo.plugin.upstream;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.DoubleValue;
import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.cluster.v3.UpstreamConnectionOptions;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.HeadersWithUnderscoresAction;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.RequestMethod;
import io.envoyproxy.envoy.config.core.v3.RuntimeDouble;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TcpKeepalive;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.v3.Int64Range;
import io.envoyproxy.envoy.type.v3.Percent;
import io.gloo.plugin.upstream.UpstreamSpec.Host;
import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.translate.BackendContext;
import io.gloo.spi.translate.BackendResources;
import io.gloo.spi.translate.Diagnostics;
import io.gloo.spi.translate.PolicyTranslator;
import io.gloo.spi.translate.ResourceLookup.HostPort;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds the Envoy cluster of an Upstream: an EDS cluster for {@code kube} (its endpoints from the Service's
 * EndpointSlices), a STATIC or STRICT_DNS cluster with an inline load assignment for {@code static}, then the common
 * settings. Stateless.
 */
final class UpstreamTranslator implements PolicyTranslator<UpstreamSpec> {

  /** Where the source resource of the cluster is named (the shape core uses for Services). */
  static final String SOURCE_METADATA_KEY = "io.gloo.source";
  /** Envoy's key for matching an endpoint to one of the cluster's transport_socket_matches. */
  static final String TRANSPORT_SOCKET_MATCH_KEY = "envoy.transport_socket_match";
  static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
  /** Gloo's default. */
  static final Duration CONNECT_TIMEOUT = Duration.newBuilder().setSeconds(5).build();

  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(%[\\w.-]+)?");

  private final Set<String> reportedByCore;

  UpstreamTranslator(Set<String> reportedByCore) {
    this.reportedByCore = reportedByCore;
  }

  @Override
  public BackendResources backend(BackendContext context, UpstreamSpec spec) {
    Diagnostics diagnostics = context.diagnostics();
    for (String field : UnknownFields.of(spec, reportedByCore)) {
      diagnostics.unsupported(field);
    }
    PolicyRef self = context.policies().get(0);
    String clusterName = context.clusterName();
    Cluster.Builder cluster = Cluster.newBuilder()
        .setName(clusterName)
        .setConnectTimeout(CONNECT_TIMEOUT)
        .setMetadata(sourceMetadata(self));
    ClusterLoadAssignment endpoints = null;
    if (spec.kube() != null) {
      endpoints = kube(context, spec.kube(), self, cluster);
    } else if (spec.staticSpec() != null) {
      statics(spec, cluster);
    } else {
      // validate() rejects every other type, so core never asks for one
      throw new InvalidUpstream("kube", "no supported upstream type");
    }
    if (spec.sslConfig() != null) {
      // sslConfig wins over static's useTls; static per-host SNI matches already copied the plain context
      UpstreamTlsContext tls = Tls.fromSslConfig(spec.sslConfig(), self.namespace(), context.lookup());
      cluster.setTransportSocket(Tls.socket(tls));
      if (spec.staticSpec() != null) {
        perHostSni(spec.staticSpec(), tls, cluster);
      }
    }
    common(spec, cluster, diagnostics);
    return new BackendResources(cluster.build(), endpoints);
  }

  // ---- kube

  private static ClusterLoadAssignment kube(BackendContext context, UpstreamSpec.Kube kube, PolicyRef self,
      Cluster.Builder cluster) {
    String ns = kube.serviceNamespace() == null || kube.serviceNamespace().isBlank()
        ? self.namespace() : kube.serviceNamespace();
    cluster.setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder()
            .setEdsConfig(ConfigSource.newBuilder()
                .setAds(AggregatedConfigSource.getDefaultInstance())
                .setResourceApiVersion(ApiVersion.V3))
            .setServiceName(context.clusterName()));
    if (kube.selector() != null && !kube.selector().isEmpty()) {
      context.diagnostics().warning("kube.selector", "filtering endpoints by pod labels is not supported yet; "
          + "every ready endpoint of Service " + ns + "/" + kube.serviceName() + " port " + kube.servicePort()
          + " is used");
    }
    Optional<List<HostPort>> ready = context.lookup().serviceEndpoints(ns, kube.serviceName(), kube.servicePort());
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(context.clusterName());
    if (ready.isEmpty()) {
      context.diagnostics().warning("kube.serviceName", "Service " + ns + "/" + kube.serviceName()
          + " with port " + kube.servicePort() + " not found; the Upstream has no endpoints (requests answer 503)");
      return cla.build();
    }
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    for (HostPort hp : ready.get()) {
      locality.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder()
          .setAddress(socketAddress(hp.address(), hp.port()))));
    }
    if (locality.getLbEndpointsCount() > 0) {
      cla.addEndpoints(locality);
    }
    return cla.build();
  }

  // ---- static (Gloo's static plugin: hostnames make it STRICT_DNS; TLS on useTls or port 443; per-host SNI)

  private static void statics(UpstreamSpec spec, Cluster.Builder cluster) {
    UpstreamSpec.Static s = spec.staticSpec();
    String firstHostname = null;
    boolean port443 = false;
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    for (Host h : s.hosts()) {
      port443 |= h.port() == 443;
      if (!isIpLiteral(h.addr()) && firstHostname == null) {
        firstHostname = h.addr();
      }
      LbEndpoint.Builder lb = LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder()
          .setAddress(socketAddress(h.addr(), h.port()))
          .setHostname(h.addr())
          .setHealthCheckConfig(Endpoint.HealthCheckConfig.newBuilder().setHostname(h.addr())));
      if (h.loadBalancingWeight() != null) {
        lb.setLoadBalancingWeight(UInt32Value.of(h.loadBalancingWeight()));
      }
      locality.addLbEndpoints(lb);
    }
    cluster.setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName(cluster.getName())
        .addEndpoints(locality));
    if (firstHostname != null) {
      cluster.setType(Cluster.DiscoveryType.STRICT_DNS)
          // Gloo's choice: avoids IPv6 answers that cannot be connected to in IPv4-only clusters
          .setDnsLookupFamily(Cluster.DnsLookupFamily.V4_ONLY);
    } else {
      cluster.setType(Cluster.DiscoveryType.STATIC);
    }
    boolean useTls = s.useTls() != null ? s.useTls() : port443;
    if (useTls && spec.sslConfig() == null) {
      UpstreamTlsContext tls = Tls.plain(firstHostname);
      cluster.setTransportSocket(Tls.socket(tls));
      perHostSni(s, tls, cluster);
    }
  }

  /**
   * Each static host whose SNI is known (its {@code sniAddr}, or its address unless {@code autoSniRewrite} is false)
   * gets its own transport socket with that SNI, matched through the endpoint's metadata.
   */
  private static void perHostSni(UpstreamSpec.Static s, UpstreamTlsContext tls, Cluster.Builder cluster) {
    ClusterLoadAssignment.Builder cla = cluster.getLoadAssignment().toBuilder();
    LocalityLbEndpoints.Builder locality = cla.getEndpoints(0).toBuilder();
    Map<String, Cluster.TransportSocketMatch> matches = new LinkedHashMap<>();
    for (int i = 0; i < s.hosts().size(); i++) {
      Host h = s.hosts().get(i);
      String sni = h.sniAddr() != null && !h.sniAddr().isEmpty() ? h.sniAddr()
          : (s.autoSniRewrite() == null || s.autoSniRewrite()) ? h.addr() : null;
      if (sni == null) {
        continue;
      }
      String name = sni + ";" + h.addr() + ":" + h.port();
      Struct match = Struct.newBuilder().putFields(name, Value.newBuilder().setBoolValue(true).build()).build();
      matches.putIfAbsent(name, Cluster.TransportSocketMatch.newBuilder().setName(name).setMatch(match)
          .setTransportSocket(Tls.socket(tls.toBuilder().setSni(sni).build())).build());
      locality.setLbEndpoints(i, locality.getLbEndpoints(i).toBuilder()
          .setMetadata(Metadata.newBuilder().putFilterMetadata(TRANSPORT_SOCKET_MATCH_KEY, match)));
    }
    cluster.addAllTransportSocketMatches(matches.values());
    cluster.setLoadAssignment(cla.setEndpoints(0, locality));
  }

  static boolean isIpLiteral(String addr) {
    var m = IPV4.matcher(addr);
    if (m.matches()) {
      for (int g = 1; g <= 4; g++) {
        if (Integer.parseInt(m.group(g)) > 255) {
          return false;
        }
      }
      return true;
    }
    return IPV6.matcher(addr).matches();
  }

  private static Address socketAddress(String address, int port) {
    return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(address).setPortValue(port))
        .build();
  }

  // ---- common settings

  private static void common(UpstreamSpec spec, Cluster.Builder cluster, Diagnostics diagnostics) {
    if (spec.circuitBreakers() != null) {
      var cb = spec.circuitBreakers();
      CircuitBreakers.Thresholds.Builder t = CircuitBreakers.Thresholds.newBuilder();
      if (cb.maxConnections() != null) {
        t.setMaxConnections(UInt32Value.of(cb.maxConnections()));
      }
      if (cb.maxPendingRequests() != null) {
        t.setMaxPendingRequests(UInt32Value.of(cb.maxPendingRequests()));
      }
      if (cb.maxRequests() != null) {
        t.setMaxRequests(UInt32Value.of(cb.maxRequests()));
      }
      if (cb.maxRetries() != null) {
        t.setMaxRetries(UInt32Value.of(cb.maxRetries()));
      }
      if (Boolean.TRUE.equals(cb.trackRemaining())) {
        t.setTrackRemaining(true);
      }
      cluster.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(t));
    }
    if (spec.loadBalancerConfig() != null) {
      loadBalancer(spec.loadBalancerConfig(), cluster);
    }
    if (spec.healthChecks() != null) {
      for (UpstreamSpec.HealthCheck h : spec.healthChecks()) {
        cluster.addHealthChecks(healthCheck(h));
      }
    }
    if (spec.outlierDetection() != null) {
      cluster.setOutlierDetection(outlierDetection(spec.outlierDetection()));
    }
    HttpProtocolOptions.Builder http = null;
    if (spec.connectionConfig() != null) {
      var c = spec.connectionConfig();
      if (c.connectTimeout() != null) {
        cluster.setConnectTimeout(Durations.parse(c.connectTimeout()));
      }
      if (c.perConnectionBufferLimitBytes() != null) {
        cluster.setPerConnectionBufferLimitBytes(UInt32Value.of(c.perConnectionBufferLimitBytes()));
      }
      if (c.tcpKeepalive() != null) {
        var k = c.tcpKeepalive();
        TcpKeepalive.Builder keepalive = TcpKeepalive.newBuilder();
        if (k.keepaliveProbes() != null) {
          keepalive.setKeepaliveProbes(UInt32Value.of(k.keepaliveProbes()));
        }
        if (k.keepaliveTime() != null) {
          keepalive.setKeepaliveTime(UInt32Value.of((int) Durations.seconds(Durations.parse(k.keepaliveTime()))));
        }
        if (k.keepaliveInterval() != null) {
          keepalive.setKeepaliveInterval(UInt32Value.of(
              (int) Durations.seconds(Durations.parse(k.keepaliveInterval()))));
        }
        cluster.setUpstreamConnectionOptions(UpstreamConnectionOptions.newBuilder().setTcpKeepalive(keepalive));
      }
      // max_requests_per_connection on the cluster is deprecated: it lives in the HTTP protocol options
      if (c.maxRequestsPerConnection() != null && c.maxRequestsPerConnection() > 0) {
        http = HttpProtocolOptions.newBuilder();
        http.getCommonHttpProtocolOptionsBuilder().setMaxRequestsPerConnection(
            UInt32Value.of(c.maxRequestsPerConnection()));
      }
      var h = c.commonHttpProtocolOptions();
      if (h != null) {
        http = http == null ? HttpProtocolOptions.newBuilder() : http;
        var common = http.getCommonHttpProtocolOptionsBuilder();
        if (h.idleTimeout() != null) {
          common.setIdleTimeout(Durations.parse(h.idleTimeout()));
        }
        if (h.maxHeadersCount() != null) {
          common.setMaxHeadersCount(UInt32Value.of(h.maxHeadersCount()));
        }
        if (h.maxStreamDuration() != null) {
          common.setMaxStreamDuration(Durations.parse(h.maxStreamDuration()));
        }
        if (h.headersWithUnderscoresAction() != null) {
          common.setHeadersWithUnderscoresAction(HeadersWithUnderscoresAction.valueOf(
              h.headersWithUnderscoresAction()));
        }
      }
    }
    boolean http2 = Boolean.TRUE.equals(spec.useHttp2());
    boolean downstream = "USE_DOWNSTREAM_PROTOCOL".equals(spec.protocolSelection());
    if (http2 || downstream) {
      http = http == null ? HttpProtocolOptions.newBuilder() : http;
    }
    if (http != null) {
      if (downstream) {
        http.setUseDownstreamProtocolConfig(HttpProtocolOptions.UseDownstreamHttpConfig.newBuilder()
            .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance())
            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()));
      } else if (http2) {
        http.setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()));
      } else {
        http.setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
            .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance()));
      }
      cluster.putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, Any.pack(http.build()));
    }
    if (Boolean.TRUE.equals(spec.ignoreHealthOnHostRemoval())) {
      cluster.setIgnoreHealthOnHostRemoval(true);
    }
    if (Boolean.TRUE.equals(spec.respectDnsTtl())) {
      cluster.setRespectDnsTtl(true);
    }
    if (spec.dnsRefreshRate() != null) {
      if (cluster.getType() == Cluster.DiscoveryType.STRICT_DNS) {
        cluster.setDnsRefreshRate(Durations.parse(spec.dnsRefreshRate()));
      } else {
        diagnostics.warning("dnsRefreshRate", "only applies to static Upstreams with hostnames (STRICT_DNS "
            + "clusters); ignored");
      }
    }
  }

  private static void loadBalancer(UpstreamSpec.LoadBalancerConfig lb, Cluster.Builder cluster) {
    Cluster.CommonLbConfig.Builder common = Cluster.CommonLbConfig.newBuilder();
    if (lb.healthyPanicThreshold() != null) {
      common.setHealthyPanicThreshold(Percent.newBuilder().setValue(lb.healthyPanicThreshold()));
    }
    if (lb.updateMergeWindow() != null) {
      common.setUpdateMergeWindow(Durations.parse(lb.updateMergeWindow()));
    }
    if (lb.roundRobin() != null) {
      cluster.setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
      if (lb.roundRobin().slowStartConfig() != null) {
        cluster.setRoundRobinLbConfig(Cluster.RoundRobinLbConfig.newBuilder()
            .setSlowStartConfig(slowStart(lb.roundRobin().slowStartConfig(), cluster.getName())));
      }
    } else if (lb.leastRequest() != null) {
      cluster.setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST);
      Cluster.LeastRequestLbConfig.Builder config = Cluster.LeastRequestLbConfig.newBuilder();
      if (lb.leastRequest().choiceCount() != null) {
        config.setChoiceCount(UInt32Value.of(lb.leastRequest().choiceCount()));
      }
      if (lb.leastRequest().slowStartConfig() != null) {
        config.setSlowStartConfig(slowStart(lb.leastRequest().slowStartConfig(), cluster.getName()));
      }
      if (!config.build().equals(Cluster.LeastRequestLbConfig.getDefaultInstance())) {
        cluster.setLeastRequestLbConfig(config);
      }
    } else if (lb.random() != null) {
      cluster.setLbPolicy(Cluster.LbPolicy.RANDOM);
    } else if (lb.ringHash() != null) {
      cluster.setLbPolicy(Cluster.LbPolicy.RING_HASH);
      var r = lb.ringHash().ringHashConfig();
      if (r != null) {
        Cluster.RingHashLbConfig.Builder config = Cluster.RingHashLbConfig.newBuilder();
        if (r.minimumRingSize() != null) {
          config.setMinimumRingSize(UInt64Value.of(r.minimumRingSize()));
        }
        if (r.maximumRingSize() != null) {
          config.setMaximumRingSize(UInt64Value.of(r.maximumRingSize()));
        }
        cluster.setRingHashLbConfig(config);
      }
      if (Boolean.TRUE.equals(lb.ringHash().useHostnameForHashing())) {
        common.setConsistentHashingLbConfig(Cluster.CommonLbConfig.ConsistentHashingLbConfig.newBuilder()
            .setUseHostnameForHashing(true));
      }
    } else if (lb.maglev() != null) {
      cluster.setLbPolicy(Cluster.LbPolicy.MAGLEV);
    }
    if (!common.build().equals(Cluster.CommonLbConfig.getDefaultInstance())) {
      cluster.setCommonLbConfig(common);
    }
  }

  private static Cluster.SlowStartConfig slowStart(UpstreamSpec.SlowStartConfig s, String clusterName) {
    Cluster.SlowStartConfig.Builder b = Cluster.SlowStartConfig.newBuilder();
    if (s.slowStartWindow() != null) {
      b.setSlowStartWindow(Durations.parse(s.slowStartWindow()));
    }
    if (s.aggression() != null) {
      b.setAggression(RuntimeDouble.newBuilder().setDefaultValue(s.aggression())
          .setRuntimeKey("upstream." + clusterName + ".slow_start_aggression"));
    }
    if (s.minWeightPercent() != null) {
      b.setMinWeightPercent(Percent.newBuilder().setValue(s.minWeightPercent()));
    }
    return b.build();
  }

  private static HealthCheck healthCheck(UpstreamSpec.HealthCheck h) {
    HealthCheck.Builder b = HealthCheck.newBuilder()
        .setTimeout(Durations.parse(h.timeout()))
        .setInterval(Durations.parse(h.interval()))
        .setUnhealthyThreshold(UInt32Value.of(h.unhealthyThreshold()))
        .setHealthyThreshold(UInt32Value.of(h.healthyThreshold()));
    if (h.initialJitter() != null) {
      b.setInitialJitter(Durations.parse(h.initialJitter()));
    }
    if (h.intervalJitter() != null) {
      b.setIntervalJitter(Durations.parse(h.intervalJitter()));
    }
    if (h.intervalJitterPercent() != null) {
      b.setIntervalJitterPercent(h.intervalJitterPercent());
    }
    if (h.reuseConnection() != null) {
      b.setReuseConnection(BoolValue.of(h.reuseConnection()));
    }
    if (h.noTrafficInterval() != null) {
      b.setNoTrafficInterval(Durations.parse(h.noTrafficInterval()));
    }
    if (h.unhealthyInterval() != null) {
      b.setUnhealthyInterval(Durations.parse(h.unhealthyInterval()));
    }
    if (h.unhealthyEdgeInterval() != null) {
      b.setUnhealthyEdgeInterval(Durations.parse(h.unhealthyEdgeInterval()));
    }
    if (h.healthyEdgeInterval() != null) {
      b.setHealthyEdgeInterval(Durations.parse(h.healthyEdgeInterval()));
    }
    if (Boolean.TRUE.equals(h.alwaysLogHealthCheckFailures())) {
      b.setAlwaysLogHealthCheckFailures(true);
    }
    if (h.httpHealthCheck() != null) {
      var http = h.httpHealthCheck();
      HealthCheck.HttpHealthCheck.Builder hb = HealthCheck.HttpHealthCheck.newBuilder().setPath(http.path());
      if (http.host() != null) {
        hb.setHost(http.host());
      }
      if (http.method() != null) {
        hb.setMethod(RequestMethod.valueOf(http.method().toUpperCase(Locale.ROOT)));
      }
      if (http.expectedStatuses() != null) {
        for (UpstreamSpec.StatusRange r : http.expectedStatuses()) {
          hb.addExpectedStatuses(Int64Range.newBuilder().setStart(r.start()).setEnd(r.end()));
        }
      }
      if (http.requestHeadersToRemove() != null) {
        hb.addAllRequestHeadersToRemove(http.requestHeadersToRemove());
      }
      b.setHttpHealthCheck(hb);
    } else if (h.grpcHealthCheck() != null) {
      HealthCheck.GrpcHealthCheck.Builder gb = HealthCheck.GrpcHealthCheck.newBuilder();
      if (h.grpcHealthCheck().serviceName() != null) {
        gb.setServiceName(h.grpcHealthCheck().serviceName());
      }
      if (h.grpcHealthCheck().authority() != null) {
        gb.setAuthority(h.grpcHealthCheck().authority());
      }
      b.setGrpcHealthCheck(gb);
    } else if (h.tcpHealthCheck() != null) {
      HealthCheck.TcpHealthCheck.Builder tb = HealthCheck.TcpHealthCheck.newBuilder();
      if (h.tcpHealthCheck().send() != null && h.tcpHealthCheck().send().text() != null) {
        tb.setSend(HealthCheck.Payload.newBuilder().setText(h.tcpHealthCheck().send().text()));
      }
      if (h.tcpHealthCheck().receive() != null) {
        for (UpstreamSpec.Payload p : h.tcpHealthCheck().receive()) {
          tb.addReceive(HealthCheck.Payload.newBuilder().setText(p.text()));
        }
      }
      b.setTcpHealthCheck(tb);
    }
    return b.build();
  }

  private static OutlierDetection outlierDetection(UpstreamSpec.OutlierDetection o) {
    OutlierDetection.Builder b = OutlierDetection.newBuilder();
    u32(o.consecutive5xx(), b::setConsecutive5Xx);
    dur(o.interval(), b::setInterval);
    dur(o.baseEjectionTime(), b::setBaseEjectionTime);
    dur(o.maxEjectionTime(), b::setMaxEjectionTime);
    u32(o.maxEjectionPercent(), b::setMaxEjectionPercent);
    u32(o.enforcingConsecutive5xx(), b::setEnforcingConsecutive5Xx);
    u32(o.enforcingSuccessRate(), b::setEnforcingSuccessRate);
    u32(o.successRateMinimumHosts(), b::setSuccessRateMinimumHosts);
    u32(o.successRateRequestVolume(), b::setSuccessRateRequestVolume);
    u32(o.successRateStdevFactor(), b::setSuccessRateStdevFactor);
    u32(o.consecutiveGatewayFailure(), b::setConsecutiveGatewayFailure);
    u32(o.enforcingConsecutiveGatewayFailure(), b::setEnforcingConsecutiveGatewayFailure);
    if (Boolean.TRUE.equals(o.splitExternalLocalOriginErrors())) {
      b.setSplitExternalLocalOriginErrors(true);
    }
    u32(o.consecutiveLocalOriginFailure(), b::setConsecutiveLocalOriginFailure);
    u32(o.enforcingConsecutiveLocalOriginFailure(), b::setEnforcingConsecutiveLocalOriginFailure);
    u32(o.failurePercentageThreshold(), b::setFailurePercentageThreshold);
    u32(o.enforcingFailurePercentage(), b::setEnforcingFailurePercentage);
    u32(o.failurePercentageMinimumHosts(), b::setFailurePercentageMinimumHosts);
    u32(o.failurePercentageRequestVolume(), b::setFailurePercentageRequestVolume);
    return b.build();
  }

  private static void u32(Integer value, java.util.function.Consumer<UInt32Value> set) {
    if (value != null) {
      set.accept(UInt32Value.of(value));
    }
  }

  private static void dur(String value, java.util.function.Consumer<Duration> set) {
    if (value != null) {
      set.accept(Durations.parse(value));
    }
  }

  /** {@code filter_metadata["io.gloo.source"] = {kind: Upstream, name, namespace}}, as core does for Services. */
  static Metadata sourceMetadata(PolicyRef ref) {
    Struct.Builder s = Struct.newBuilder()
        .putFields("kind", Value.newBuilder().setStringValue(ref.groupKind().kind()).build())
        .putFields("name", Value.newBuilder().setStringValue(ref.name()).build());
    if (ref.namespace() != null) {
      s.putFields("namespace", Value.newBuilder().setStringValue(ref.namespace()).build());
    }
    return Metadata.newBuilder().putFilterMetadata(SOURCE_METADATA_KEY, s.build()).build();
  }
}
