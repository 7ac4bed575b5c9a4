package io.gloo.core.translate.xds;

import io.gloo.core.store.WeakIdentityCache;
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
import io.gloo.core.ir.TlsIR;
import io.gloo.core.ir.VirtualHostIR;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.translate.policy.AppliedPolicy;
import io.gloo.spi.translate.BackendResources;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Intermediate model → Envoy xDS resources for one Gateway. Naming (documented in the README):
 * listener and route configuration {@code http~<port>}, virtual host {@code http~<port>~<domain>}, route
 * {@code httproute/<ns>/<name>/<rule>/<match>}, cluster and EDS service {@code kube_<ns>_<service>_<port>}.
 * Not thread-safe: one translation at a time.
 */
public final class XdsTranslator {

  /**
   * Protos built from IR, keyed by the immutable IR record: every core builder is a pure function of its IR, so the
   * same IR can reuse the proto. {@code previous} holds what the last translation built and {@code current} what
   * this one uses; {@link #finishTranslation()} swaps them, so the caches never hold more than one translation's
   * entries. Reusing instances also keeps their memoized serialized size and hash code, which the snapshot publisher
   * (versions, validation) and java-control-plane (per-resource hashes) would otherwise recompute.
   * Only IR without plugin policies is cached: a plugin's output may depend on more than its IR (a looked-up Secret).
   *
   * <p>Keyed by instance: the Gateway API stage hands out the same IR instances for what did not change (virtual
   * hosts, Service backends), and hashing a virtual host's IR (thousands of routes, deeply) on every translation
   * cost more than building its proto. Routes: see {@link #routes}.
   */
  private static final class Cache<K, V> {
    private Map<K, V> previous = new IdentityHashMap<>();
    private Map<K, V> current = new IdentityHashMap<>();

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
      current = new IdentityHashMap<>();
    }
  }

  /**
   * Route protos by IR instance, weakly keyed: an entry lives as long as the Gateway API stage keeps its IR. Not
   * per translation like the others: the routes of a virtual host reused whole are not looked up, yet they are
   * needed again when that virtual host changes by one route.
   */
  private final WeakIdentityCache<RouteIR, RouteGuard.Checked> routes = new WeakIdentityCache<>();
  private final Cache<VirtualHostIR, BuiltVirtualHost> virtualHosts = new Cache<>();

  /** A virtual host's proto and the routes in it that were replaced or dropped (reported again on every reuse). */
  private record BuiltVirtualHost(VirtualHost proto, List<InvalidRoute> invalid) {}

  /** Every route is validated as it is built; an invalid one is replaced or dropped (see {@link RouteGuard}). */
  private final RouteGuard guard;
  /**
   * A virtual host's source metadata (every route resource it serves: thousands of entries) by list instance,
   * weakly keyed: a virtual host whose routes changed keeps its sources list when the sources are the same.
   */
  private final WeakIdentityCache<List<io.gloo.core.store.ResourceKey>, io.envoyproxy.envoy.config.core.v3.Metadata>
      sourcesMetadata = new WeakIdentityCache<>();
  private final Cache<BackendIR, Cluster> clusters = new Cache<>();
  private final Cache<BackendIR, ClusterLoadAssignment> endpoints = new Cache<>();

  /** @param guard validates each route and decides what replaces an invalid one */
  public XdsTranslator(RouteGuard guard) {
    this.guard = java.util.Objects.requireNonNull(guard, "guard");
  }

  /**
   * Ends one translation (all Gateways): from now on only the protos it used are kept for reuse. Not calling it
   * is correct but lets the caches grow.
   */
  public void finishTranslation() {
    virtualHosts.finish();
    clusters.finish();
    endpoints.finish();
  }

  /**
   * Translates one Gateway; {@code policies} applies plugin policies (with fault containment) to what core built.
   * Every route Envoy would reject is replaced or dropped and told to {@code invalidRoutes} (once per virtual host
   * it appears in).
   */
  public XdsResources translate(GatewayIR gateway, PolicyApplier policies,
      java.util.function.Consumer<InvalidRoute> invalidRoutes) {
    List<Listener> listeners = new ArrayList<>();
    List<RouteConfiguration> routeConfigs = new ArrayList<>();
    // A route with policies reaching several listeners or domains is one IR object: call its plugins once.
    Map<RouteIR, RouteGuard.Checked> withPolicies = new IdentityHashMap<>();
    for (ListenerIR l : gateway.listeners()) {
      if (l.tls()) {
        for (io.gloo.core.ir.TlsIR.Chain chain : l.tlsChains()) {
          routeConfigs.add(routeConfiguration(chain.routeConfiguration(), chain.virtualHosts(), policies,
              withPolicies, invalidRoutes));
        }
      } else {
        routeConfigs.add(routeConfiguration(l.name(), l.virtualHosts(), policies, withPolicies, invalidRoutes));
      }
      List<AppliedPolicy> under = policiesUnder(l);
      boolean cors = anyCors(l);
      listeners.add(ListenerBuilder.build(l, under.isEmpty() ? List.of() : policies.httpFilters(l.port(), under),
          cors));
    }
    Map<String, Cluster> clusterMap = new TreeMap<>();
    Map<String, ClusterLoadAssignment> endpointMap = new TreeMap<>();
    List<BackendIR> backends = new ArrayList<>(gateway.backends());
    backends.addAll(policies.referencedBackends()); // e.g. mirror targets named by policies
    for (BackendIR b : backends) {
      if (clusterMap.containsKey(b.clusterName())) {
        continue;
      }
      if (b.policy() == null) {
        clusterMap.put(b.clusterName(), clusters.get(b, ClusterBuilder::cluster));
        endpointMap.put(b.clusterName(), endpoints.get(b, ClusterBuilder::endpoints));
        continue;
      }
      BackendResources resources = policies.backend(b);
      if (resources != null) { // else routes to it answer 500 (cluster_not_found_response_code)
        clusterMap.put(b.clusterName(), resources.cluster());
        if (resources.endpoints() != null) {
          endpointMap.put(resources.endpoints().getClusterName(), resources.endpoints());
        }
      }
    }
    for (Cluster extra : policies.extraClusters()) {
      clusterMap.putIfAbsent(extra.getName(), extra);
    }
    for (io.gloo.core.ir.L4ListenerIR l : gateway.l4Listeners()) {
      String udpCluster = null;
      if (l.protocol() == io.gloo.core.ir.L4ListenerIR.Protocol.UDP && !l.chains().isEmpty()) {
        UdpSplitCluster.Target target = UdpSplitCluster.target(l.name(), l.chains().get(0),
            c -> assignment(c, clusterMap, endpointMap));
        udpCluster = target.cluster();
        if (target.split() != null) {
          clusterMap.put(target.cluster(), target.split());
          endpointMap.put(target.cluster(), target.endpoints());
        }
      }
      listeners.add(L4ListenerBuilder.build(l, udpCluster));
    }
    List<io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets = new ArrayList<>();
    gateway.certificates().forEach(c -> secrets.add(ListenerBuilder.secret(c)));
    Map<String, TlsIR.TrustedCa> trustedCas = new TreeMap<>();
    for (ListenerIR listener : gateway.listeners()) {
      for (TlsIR.Chain chain : listener.tlsChains()) {
        if (chain.clientValidation() != null) {
          trustedCas.putIfAbsent(chain.clientValidation().trustedCa().name(), chain.clientValidation().trustedCa());
        }
      }
    }
    trustedCas.values().forEach(ca -> secrets.add(ListenerBuilder.secret(ca)));
    // trusted CAs of BackendTLSPolicies, one validation context Secret per policy
    Map<String, io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> caSecrets = new TreeMap<>();
    for (BackendIR b : backends) {
      if (b.policy() == null && b.tls() != null && !b.tls().systemCa() && clusterMap.containsKey(b.clusterName())) {
        caSecrets.computeIfAbsent(b.tls().caSecret(), n -> ClusterBuilder.caSecret(b.tls()));
      }
    }
    secrets.addAll(caSecrets.values());
    return new XdsResources(listeners, routeConfigs, new ArrayList<>(clusterMap.values()),
        new ArrayList<>(endpointMap.values()), secrets);
  }

  /** The endpoints of a cluster built above: its EDS assignment or its inline one; null when unknown. */
  private static ClusterLoadAssignment assignment(String cluster, Map<String, Cluster> clusters,
      Map<String, ClusterLoadAssignment> endpoints) {
    Cluster c = clusters.get(cluster);
    if (c == null) {
      return null;
    }
    if (c.hasLoadAssignment()) {
      return c.getLoadAssignment();
    }
    String service = c.getEdsClusterConfig().getServiceName();
    return endpoints.get(service.isEmpty() ? cluster : service);
  }

  /**
   * Every distinct policy applied to a virtual host or route of the listener. Distinct by identity: the merger
   * returns one instance per combination, and hashing an {@code AppliedPolicy} would hash its plugin-typed spec
   * (see {@link io.gloo.core.translate.policy.PolicyResolver#identitySet()}).
   */
  private static List<AppliedPolicy> policiesUnder(ListenerIR listener) {
    Set<AppliedPolicy> all = io.gloo.core.translate.policy.PolicyResolver.identitySet();
    for (VirtualHostIR vh : listener.virtualHosts()) {
      all.addAll(vh.policies());
      for (RouteIR r : vh.routes()) {
        if (!r.policies().isEmpty()) {
          all.addAll(r.policies());
        }
      }
    }
    return new ArrayList<>(all);
  }

  private static boolean anyCors(ListenerIR listener) {
    for (VirtualHostIR vh : listener.virtualHosts()) {
      for (RouteIR r : vh.routes()) {
        if (r.cors() != null) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean withoutPolicies(VirtualHostIR vh) {
    if (!vh.policies().isEmpty()) {
      return false;
    }
    for (RouteIR r : vh.routes()) {
      if (!r.policies().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private RouteConfiguration routeConfiguration(String name, List<VirtualHostIR> vhosts, PolicyApplier policies,
      Map<RouteIR, RouteGuard.Checked> withPolicies, java.util.function.Consumer<InvalidRoute> invalidRoutes) {
    RouteConfiguration.Builder config = RouteConfiguration.newBuilder()
        .setName(name)
        // Without this Envoy would look up the cluster of every route at config load and reject unknown ones;
        // unresolved backends rely on the runtime 500 instead.
        .setValidateClusters(com.google.protobuf.BoolValue.of(false))
        // Host headers carry the port (host:8080) while virtual host domains do not; match ignoring it, but forward
        // the Host header unchanged (strip_any_host_port would rewrite what the backend sees).
        .setIgnorePortInHostMatching(true);
    for (VirtualHostIR vh : vhosts) {
      if (withoutPolicies(vh)) {
        BuiltVirtualHost built = virtualHosts.get(vh, this::virtualHost);
        built.invalid().forEach(invalidRoutes);
        config.addVirtualHosts(built.proto());
        continue;
      }
      VirtualHost.Builder vhost = vhostBuilder(vh);
      for (RouteIR r : vh.routes()) {
        RouteGuard.Checked checked = r.policies().isEmpty() ? route(r)
            : withPolicies.computeIfAbsent(r, ir -> guard.check(policies.route(ir, RouteBuilder.build(ir))));
        add(checked, vhost, invalidRoutes);
      }
      config.addVirtualHosts(vh.policies().isEmpty() ? vhost.build() : policies.virtualHost(vh, vhost.build()));
    }
    return config.build();
  }

  private VirtualHost.Builder vhostBuilder(VirtualHostIR vh) {
    return VirtualHost.newBuilder()
        .setName(vh.name())
        .addDomains(vh.domain())
        .setMetadata(sourcesMetadata.computeIfAbsent(vh.sources(), SourceMetadata::of));
  }

  private BuiltVirtualHost virtualHost(VirtualHostIR vh) {
    VirtualHost.Builder vhost = vhostBuilder(vh);
    List<InvalidRoute> invalid = new ArrayList<>();
    for (RouteIR r : vh.routes()) {
      add(route(r), vhost, invalid::add);
    }
    return new BuiltVirtualHost(vhost.build(), List.copyOf(invalid));
  }

  private static void add(RouteGuard.Checked checked, VirtualHost.Builder vhost,
      java.util.function.Consumer<InvalidRoute> invalidRoutes) {
    if (checked.route() != null) {
      vhost.addRoutes(checked.route());
    }
    if (checked.problem() != null) {
      invalidRoutes.accept(checked.problem());
    }
  }

  /** Identical IR routes produce identical protos (and verdicts): cached (see {@link Cache}). */
  RouteGuard.Checked route(RouteIR ir) {
    RouteGuard.Checked route = routes.get(ir);
    if (route == null) {
      route = guard.check(RouteBuilder.build(ir));
      routes.put(ir, route);
    }
    return route;
  }
}
