package io.gloo.core.translate;

import com.google.errorprone.annotations.Immutable;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.List;

/**
 * The xDS resources of one Gateway: what one Envoy proxy (or fleet of replicas) serving that Gateway receives.
 * Lists are sorted by resource name so that equal content always serialises to equal bytes.
 */
@Immutable
@SuppressWarnings("Immutable") // protobuf messages are immutable; the lists are copied
public record XdsResources(
    List<Listener> listeners,
    List<RouteConfiguration> routes,
    List<Cluster> clusters,
    List<ClusterLoadAssignment> endpoints,
    List<Secret> secrets) {

  public XdsResources {
    listeners = List.copyOf(listeners);
    routes = List.copyOf(routes);
    clusters = List.copyOf(clusters);
    endpoints = List.copyOf(endpoints);
    secrets = List.copyOf(secrets);
  }

  public static XdsResources empty() {
    return new XdsResources(List.of(), List.of(), List.of(), List.of(), List.of());
  }
}
