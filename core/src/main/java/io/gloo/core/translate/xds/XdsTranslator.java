package io.gloo.core.translate.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.core.ir.BackendIR;
import io.gloo.core.ir.GatewayIR;
import io.gloo.core.ir.ListenerIR;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.VirtualHostIR;
import io.gloo.core.translate.XdsResources;
import java.util.ArrayList;
import java.util.List;

/**
 * Intermediate model → Envoy xDS resources for one Gateway. Naming (documented in the README):
 * listener and route configuration {@code http~<port>}, virtual host {@code http~<port>~<domain>}, route
 * {@code httproute/<ns>/<name>/<rule>/<match>}, cluster and EDS service {@code kube_<ns>_<service>_<port>}.
 */
public final class XdsTranslator {

  public XdsResources translate(GatewayIR gateway) {
    List<Listener> listeners = new ArrayList<>();
    List<RouteConfiguration> routes = new ArrayList<>();
    for (ListenerIR l : gateway.listeners()) {
      listeners.add(ListenerBuilder.build(l));
      routes.add(routeConfiguration(l));
    }
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    for (BackendIR b : gateway.backends()) {
      clusters.add(ClusterBuilder.cluster(b));
      endpoints.add(ClusterBuilder.endpoints(b));
    }
    return new XdsResources(listeners, routes, clusters, endpoints, List.of());
  }

  private RouteConfiguration routeConfiguration(ListenerIR listener) {
    RouteConfiguration.Builder config = RouteConfiguration.newBuilder()
        .setName(listener.name())
        // Without this Envoy would look up the cluster of every route at config load and reject unknown ones;
        // unresolved backends rely on the runtime 500 instead.
        .setValidateClusters(com.google.protobuf.BoolValue.of(false));
    for (VirtualHostIR vh : listener.virtualHosts()) {
      VirtualHost.Builder vhost = VirtualHost.newBuilder()
          .setName(vh.name())
          .addDomains(vh.domain())
          .setMetadata(SourceMetadata.of(vh.sources()));
      for (RouteIR r : vh.routes()) {
        vhost.addRoutes(route(r));
      }
      config.addVirtualHosts(vhost);
    }
    return config.build();
  }

  /** Hook for caching: identical IR routes produce identical protos. */
  Route route(RouteIR ir) {
    return RouteBuilder.build(ir);
  }
}
