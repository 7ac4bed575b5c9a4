package io.gloo.core.translate.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.gloo.core.ir.BackendIR;
import io.gloo.core.ir.UpstreamTlsIR;

/** One IR backend → an EDS {@link Cluster} and its {@link ClusterLoadAssignment}. */
final class ClusterBuilder {

  static final Duration CONNECT_TIMEOUT = Duration.newBuilder().setSeconds(5).build();

  private ClusterBuilder() {}

  static Cluster cluster(BackendIR backend) {
    Cluster.Builder cluster = Cluster.newBuilder()
        .setName(backend.clusterName())
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder()
            .setEdsConfig(ListenerBuilder.ads())
            .setServiceName(backend.clusterName()))
        .setConnectTimeout(CONNECT_TIMEOUT)
        .setMetadata(SourceMetadata.of(backend.source()));
    if (backend.http2()) {
      // h2c to the backend (gRPC, appProtocol kubernetes.io/h2c): explicit HTTP/2 upstream protocol options
      HttpProtocolOptions options = HttpProtocolOptions.newBuilder()
          .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
              .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
          .build();
      cluster.putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, Any.pack(options));
    }
    if (backend.tls() != null) {
      cluster.setTransportSocket(TransportSocket.newBuilder()
          .setName(ListenerBuilder.TLS_TRANSPORT_SOCKET)
          .setTypedConfig(Any.pack(upstreamTls(backend.tls()))));
    }
    return cluster.build();
  }

  /**
   * BackendTLSPolicy → UpstreamTlsContext: SNI, the backend certificate validated against the trusted CA (an SDS
   * validation context Secret, or the system bundle) and its SANs, and the Gateway's client certificate over SDS.
   */
  static UpstreamTlsContext upstreamTls(UpstreamTlsIR tls) {
    CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder();
    for (UpstreamTlsIR.SubjectAltName san : tls.subjectAltNames()) {
      validation.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
          .setSanType(san.type() == UpstreamTlsIR.SubjectAltName.Type.URI
              ? SubjectAltNameMatcher.SanType.URI : SubjectAltNameMatcher.SanType.DNS)
          .setMatcher(StringMatcher.newBuilder().setExact(san.value())));
    }
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
    if (tls.systemCa()) {
      validation.setTrustedCa(DataSource.newBuilder().setFilename(UpstreamTlsIR.SYSTEM_CA_FILE));
      common.setValidationContext(validation);
    } else {
      common.setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
          .setDefaultValidationContext(validation)
          .setValidationContextSdsSecretConfig(
              SdsSecretConfig.newBuilder().setName(tls.caSecret()).setSdsConfig(ListenerBuilder.ads())));
    }
    if (tls.clientCertificate() != null) {
      common.addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder()
          .setName(tls.clientCertificate().name()).setSdsConfig(ListenerBuilder.ads()));
    }
    return UpstreamTlsContext.newBuilder().setSni(tls.sni()).setCommonTlsContext(common).build();
  }

  /** A BackendTLSPolicy's trusted CA bundle as an SDS validation context Secret (CA certificates are public). */
  static Secret caSecret(UpstreamTlsIR tls) {
    return Secret.newBuilder()
        .setName(tls.caSecret())
        .setValidationContext(CertificateValidationContext.newBuilder()
            .setTrustedCa(DataSource.newBuilder().setInlineString(tls.caPem())))
        .build();
  }

  static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  static ClusterLoadAssignment endpoints(BackendIR backend) {
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    for (BackendIR.Endpoint e : backend.endpoints()) {
      locality.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(
          Address.newBuilder().setSocketAddress(
              SocketAddress.newBuilder().setAddress(e.address()).setPortValue(e.port())))));
    }
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(backend.clusterName());
    if (locality.getLbEndpointsCount() > 0) {
      cla.addEndpoints(locality);
    }
    return cla.build();
  }
}
