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
import io.gloo.core.ir.BackendIR;

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
    return cluster.build();
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
