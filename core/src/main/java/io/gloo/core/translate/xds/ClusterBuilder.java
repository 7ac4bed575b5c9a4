package io.gloo.core.translate.xds;

import com.google.protobuf.Duration;
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
    return Cluster.newBuilder()
        .setName(backend.clusterName())
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder()
            .setEdsConfig(ListenerBuilder.ads())
            .setServiceName(backend.clusterName()))
        .setConnectTimeout(CONNECT_TIMEOUT)
        .setMetadata(SourceMetadata.of(backend.source()))
        .build();
  }

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
