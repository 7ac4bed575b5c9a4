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
import io.gloo.core.translate.policy.AppliedPolicy;
import io.gloo.spi.translate.BackendResources;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Intermediate model → Envoy xDS resources for one Gateway. Naming (documented in the README):
 * listener and route configuration {@code http~<port>}, virtual host {@code http~<port>~<domain>}, route
 * {@code httproute/<ns>/<name>/<rule>/<match>}, cluster and EDS service {@code kube_<ns>_<service>_<port>}.
 */
public final class XdsTranslator {

  /**
   * Translates one Gateway; {@code policies} applies plugin policies (with fault containment) to what core built.
   */
  public XdsResources translate(GatewayIR gateway, PolicyApplier policies) {
    List<Listener> listeners = new ArrayList<>();
    List<RouteConfiguration> routes = new ArrayList<>();
    // A route reaching several listeners or domains is one IR object: build it (and call its plugins) once.
    Map<RouteIR, Route> built = new IdentityHashMap<>();
    for (ListenerIR l : gateway.listeners()) {
      routes.add(routeConfiguration(l, policies, built));
      listeners.add(ListenerBuilder.build(l, policies.httpFilters(l.port(), policiesUnder(l))));
    }
    Map<String, Cluster> clusters = new TreeMap<>();
    Map<String, ClusterLoadAssignment> endpoints = new TreeMap<>();
    for (BackendIR b : gateway.backends()) {
      if (b.policy() == null) {
        clusters.put(b.clusterName(), ClusterBuilder.cluster(b));
        endpoints.put(b.clusterName(), ClusterBuilder.endpoints(b));
        continue;
      }
      BackendResources resources = policies.backend(b);
      if (resources != null) { // else routes to it answer 500 (cluster_not_found_response_code)
        clusters.put(b.clusterName(), resources.cluster());
        if (resources.endpoints() != null) {
          endpoints.put(resources.endpoints().getClusterName(), resources.endpoints());
        }
      }
    }
    for (Cluster extra : policies.extraClusters()) {
      clusters.putIfAbsent(extra.getName(), extra);
    }
    return new XdsResources(listeners, routes, new ArrayList<>(clusters.values()),
        new ArrayList<>(endpoints.values()), List.of());
  }

  /** Every distinct policy applied to a virtual host or route of the listener. */
  private static List<AppliedPolicy> policiesUnder(ListenerIR listener) {
    Set<AppliedPolicy> all = new LinkedHashSet<>();
    for (VirtualHostIR vh : listener.virtualHosts()) {
      all.addAll(vh.policies());
      for (RouteIR r : vh.routes()) {
        all.addAll(r.policies());
      }
    }
    return new ArrayList<>(all);
  }

  private RouteConfiguration routeConfiguration(ListenerIR listener, PolicyApplier policies,
      Map<RouteIR, Route> built) {
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
        vhost.addRoutes(built.computeIfAbsent(r, ir -> {
          Route route = route(ir);
          return ir.policies().isEmpty() ? route : policies.route(ir, route);
        }));
      }
      config.addVirtualHosts(vh.policies().isEmpty() ? vhost.build() : policies.virtualHost(vh, vhost.build()));
    }
    return config.build();
  }

  /** Hook for caching: identical IR routes produce identical protos. */
  Route route(RouteIR ir) {
    return RouteBuilder.build(ir);
  }
}
