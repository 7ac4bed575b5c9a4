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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Intermediate model → Envoy xDS resources for one Gateway. Naming (documented in the README):
 * listener and route configuration {@code http~<port>}, virtual host {@code http~<port>~<domain>}, route
 * {@code httproute/<ns>/<name>/<rule>/<match>}, cluster and EDS service {@code kube_<ns>_<service>_<port>}.
 */
public final class XdsTranslator {

  /**
   * Protos built from IR, keyed by the (immutable, value-equal) IR record: every builder here is a pure function of
   * its IR, so an equal IR can reuse the proto. {@code previous} holds what the last translation built and
   * {@code current} what this one uses; {@link #finishTranslation()} swaps them, so the caches never hold more than
   * one translation's entries. Reusing instances also keeps their memoized serialized size and hash code, which the
   * snapshot publisher (versions) and java-control-plane (per-resource hashes) would otherwise recompute.
   */
  private static final class Cache<K, V> {
    private Map<K, V> previous = new HashMap<>();
    private Map<K, V> current = new HashMap<>();

    V get(K key, java.util.function.Function<K, V> build) {
      V value = current.get(key);
      if (value == null) {
        value = previous.get(key);
        if (value == null) {
          value = build.apply(key);
        }
        current.put(key, value);
      }
      return value;
    }

    void finish() {
      previous = current;
      current = new HashMap<>();
    }
  }

  private final Cache<RouteIR, Route> routes = new Cache<>();
  private final Cache<VirtualHostIR, VirtualHost> virtualHosts = new Cache<>();
  private final Cache<BackendIR, Cluster> clusters = new Cache<>();
  private final Cache<BackendIR, ClusterLoadAssignment> endpoints = new Cache<>();

  /**
   * Ends one translation (all Gateways): from now on only the protos it used are kept for reuse. Not calling it
   * is correct but lets the caches grow.
   */
  public void finishTranslation() {
    routes.finish();
    virtualHosts.finish();
    clusters.finish();
    endpoints.finish();
  }

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
      clusters.add(this.clusters.get(b, ClusterBuilder::cluster));
      endpoints.add(this.endpoints.get(b, ClusterBuilder::endpoints));
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
      config.addVirtualHosts(virtualHosts.get(vh, this::virtualHost));
    }
    return config.build();
  }

  private VirtualHost virtualHost(VirtualHostIR vh) {
    VirtualHost.Builder vhost = VirtualHost.newBuilder()
        .setName(vh.name())
        .addDomains(vh.domain())
        .setMetadata(SourceMetadata.of(vh.sources()));
    for (RouteIR r : vh.routes()) {
      vhost.addRoutes(route(r));
    }
    return vhost.build();
  }

  /** Identical IR routes produce identical protos: cached (see {@link Cache}). */
  Route route(RouteIR ir) {
    return routes.get(ir, RouteBuilder::build);
  }
}
