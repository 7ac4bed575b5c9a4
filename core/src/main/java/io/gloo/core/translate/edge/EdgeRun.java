package io.gloo.core.translate.edge;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.gloo.core.ir.BackendIR;
import io.gloo.core.ir.GatewayIR;
import io.gloo.core.ir.ListenerIR;
import io.gloo.core.ir.ListenerSettingsIR;
import io.gloo.core.ir.RouteActionIR;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.TlsIR;
import io.gloo.core.ir.VirtualHostIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.policy.AppliedPolicy;
import io.gloo.core.translate.policy.BackendLookup;
import io.gloo.core.translate.policy.PolicyResolver;
import io.gloo.core.translate.policy.PolicyResource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * One pass of the Edge translation over given specs (current, or last accepted for rejected resources): each
 * Gateway's listener on each of its proxies ({@code proxyNames}, default {@code gateway-proxy}), the VirtualServices
 * it selects as virtual hosts (one per domain) with their routes ({@link EdgeRoutes}), TLS filter chains for
 * {@code ssl} Gateways, and the clusters the routes use. Problems go to {@link EdgeStatuses}. Not thread-safe.
 */
final class EdgeRun {

  /** The proxies and what was said about each resource. */
  record Output(List<GatewayIR> proxies, EdgeStatuses statuses, Map<String, BackendIR> serviceBackends) {}

  /** Inputs of a translation: the Edge objects of the snapshot, by kind. */
  record Inputs(List<GenericKubernetesResource> gateways, List<GenericKubernetesResource> virtualServices,
      List<GenericKubernetesResource> routeTables, List<GenericKubernetesResource> upstreamGroups) {
    boolean isEmpty() {
      return gateways.isEmpty() && virtualServices.isEmpty() && routeTables.isEmpty();
    }
  }

  private record Gateway(ResourceKey key, JsonNode spec, boolean synthetic) {}

  private static final class Proxy {
    final List<ListenerIR> listeners = new ArrayList<>();
    final Map<Integer, ResourceKey> ports = new HashMap<>();
    final Set<String> clusters = new LinkedHashSet<>();
    final Map<String, TlsIR.Certificate> certificates = new LinkedHashMap<>();
  }

  private final ResourceSnapshot snapshot;
  private final PolicyResolver policies;
  private final Inputs inputs;
  private final Map<ResourceKey, JsonNode> specs;
  private final EdgePlans.Tap tap = new EdgePlans.Tap();
  private final EdgeStatuses statuses = new EdgeStatuses(tap);
  private final EdgeDestinations destinations;
  private final EdgeOptions options;
  private final EdgeRoutes routes;
  private final EdgePlans plans;

  EdgeRun(ResourceSnapshot snapshot, PolicyResolver policies, BackendLookup lookup, Inputs inputs,
      Map<ResourceKey, JsonNode> specs, Map<String, BackendIR> previousBackends, String pass,
      EdgeIrCache cache, EdgePlans plans) {
    this.plans = plans;
    this.snapshot = snapshot;
    this.policies = policies;
    this.inputs = inputs;
    this.specs = specs;
    this.destinations = new EdgeDestinations(snapshot, policies, lookup, inputs.upstreamGroups(), previousBackends,
        tap);
    this.options = new EdgeOptions(policies, pass);
    this.routes = new EdgeRoutes(new EdgeActions(destinations), new EdgeRouteTables(plans.index(),
        specs::get, tap), options, statuses, cache, tap);
  }

  Output run() {
    for (List<GenericKubernetesResource> kind : List.of(inputs.gateways(), inputs.virtualServices(),
        inputs.routeTables(), inputs.upstreamGroups())) {
      kind.forEach(r -> statuses.seen(ResourceKey.of(r), EdgeApi.generation(r)));
    }
    List<Gateway> gateways = new ArrayList<>();
    for (GenericKubernetesResource g : inputs.gateways()) {
      gateways.add(new Gateway(ResourceKey.of(g), EdgeApi.spec(g), false));
    }
    if (gateways.isEmpty() && !inputs.virtualServices().isEmpty()) {
      // Gloo's install creates these two when none are defined; so do we, for manifests written against it
      gateways.add(new Gateway(new ResourceKey(EdgeApi.KIND_GATEWAY, EdgeApi.DEFAULT_NAMESPACE, "gateway-proxy"),
          EdgeApi.mapper().createObjectNode().put("bindPort", 8080), true));
      gateways.add(new Gateway(new ResourceKey(EdgeApi.KIND_GATEWAY, EdgeApi.DEFAULT_NAMESPACE,
          "gateway-proxy-ssl"), EdgeApi.mapper().createObjectNode().put("bindPort", 8443).put("ssl", true), true));
    }
    Map<ResourceKey, Proxy> proxies = new TreeMap<>();
    for (Gateway gateway : gateways) {
      gateway(gateway, proxies);
      if (gateway.synthetic()) {
        statuses.forget(gateway.key());
      }
    }
    List<GatewayIR> out = new ArrayList<>();
    proxies.forEach((key, p) -> {
      List<BackendIR> backends = new ArrayList<>();
      for (String cluster : p.clusters) {
        BackendIR b = destinations.backend(cluster);
        if (b != null) {
          backends.add(b);
        }
      }
      out.add(new GatewayIR(key, p.listeners, backends, new ArrayList<>(p.certificates.values())));
    });
    return new Output(out, statuses, destinations.serviceBackends());
  }

  private void gateway(Gateway gw, Map<ResourceKey, Proxy> proxies) {
    JsonNode spec = gw.spec();
    int port = spec.path("bindPort").asInt(0);
    if (port < 1 || port > 65535) {
      statuses.error(gw.key(), "bindPort " + spec.path("bindPort") + " is not a port (1-65535)");
      return;
    }
    if (EdgeApi.present(spec, "tcpGateway") || EdgeApi.present(spec, "hybridGateway")) {
      statuses.error(gw.key(), "only httpGateway is supported (not tcpGateway or hybridGateway)");
      return;
    }
    JsonNode http = spec.path("httpGateway");
    EdgeListenerSettings.Result settings = EdgeListenerSettings.of(spec);
    settings.errors().forEach(e -> statuses.error(gw.key(), e));
    settings.warnings().forEach(w -> statuses.warning(gw.key(), w));
    if (settings.failClosed() != null) {
      statuses.error(gw.key(), settings.failClosed());
      return;
    }
    boolean ssl = spec.path("ssl").asBoolean(false);
    List<ResourceKey> selected = select(gw, http, ssl);
    List<String> proxyNames = new ArrayList<>();
    spec.path("proxyNames").forEach(n -> proxyNames.add(n.asString()));
    if (proxyNames.isEmpty()) {
      proxyNames.add(EdgeApi.DEFAULT_PROXY);
    }
    String address = settings.settings().bindAddress();
    String listenerName = "listener-" + (address == null ? "::" : address) + "-" + port;
    for (String proxyName : proxyNames) {
      ResourceKey proxyKey = new ResourceKey(EdgeApi.KIND_PROXY, gw.key().namespace(), proxyName);
      Proxy proxy = proxies.computeIfAbsent(proxyKey, k -> new Proxy());
      ResourceKey taken = proxy.ports.putIfAbsent(port, gw.key());
      if (taken != null) {
        statuses.error(gw.key(), "bindPort " + port + " is already bound on proxy " + EdgeApi.gloo(proxyKey)
            + " by Gateway " + EdgeApi.gloo(taken));
        continue;
      }
      listener(gw, proxyKey, proxy, selected, listenerName, port, ssl, settings.settings());
    }
  }

  private void listener(Gateway gw, ResourceKey proxyKey, Proxy proxy, List<ResourceKey> selected,
      String listenerName, int port, boolean ssl, ListenerSettingsIR settings) {
    List<VirtualHostIR> hosts = new ArrayList<>();
    List<TlsIR.Chain> chains = new ArrayList<>();
    Map<String, ResourceKey> domainOwners = new HashMap<>();
    Map<String, ResourceKey> sniOwners = new HashMap<>();
    for (ResourceKey vsKey : selected) {
      JsonNode vh = specs.get(vsKey).path("virtualHost");
      List<String> domains = new ArrayList<>();
      vh.path("domains").forEach(d -> domains.add(d.asString()));
      if (domains.isEmpty()) {
        domains.add("*");
      }
      String conflict = null;
      for (String d : domains) {
        ResourceKey owner = domainOwners.get(d);
        if (owner != null && conflict == null) {
          conflict = "domain conflict: " + d + " is also a domain of VirtualService " + EdgeApi.gloo(owner)
              + " on Gateway " + EdgeApi.gloo(gw.key()) + "; this VirtualService is left out of it";
        }
      }
      if (conflict != null) {
        statuses.error(vsKey, conflict);
        continue;
      }
      EdgeTls.Config tls = null;
      if (ssl) {
        tls = EdgeTls.of(specs.get(vsKey).path("sslConfig"), vsKey.namespace(), domains, snapshot);
        String sniProblem = tls.problem();
        for (String sni : tls.serverNames().isEmpty() ? java.util.Collections.singletonList((String) null)
            : tls.serverNames()) {
          ResourceKey other = sniOwners.get(sni == null ? "" : sni);
          if (sniProblem == null && other != null) {
            sniProblem = "sslConfig: " + (sni == null ? "TLS without SNI" : "SNI " + sni)
                + " is already served by VirtualService " + EdgeApi.gloo(other) + " on this Gateway";
          }
        }
        if (sniProblem != null) {
          statuses.error(vsKey, sniProblem);
          continue;
        }
        tls.warnings().forEach(w -> statuses.warning(vsKey, w));
      }
      domains.forEach(d -> domainOwners.put(d, vsKey));
      HostOptions host = hostOptions(vsKey, vh);
      Served served = served(gw, proxyKey, vsKey, vh, domains, host);
      List<RouteIR> vsRoutes = served.routes();
      List<VirtualHostIR> vsHosts = served.hosts();
      statuses.servedBy(vsKey, proxyKey);
      for (RouteIR r : vsRoutes) {
        if (r.action() instanceof RouteActionIR.Forward f) {
          f.backends().forEach(b -> {
            if (b.cluster() != null) {
              proxy.clusters.add(b.cluster());
            }
          });
        }
      }
      hosts.addAll(vsHosts);
      if (tls != null) {
        proxy.certificates.putIfAbsent(tls.certificate().name(), tls.certificate());
        List<String> snis = tls.serverNames().isEmpty() ? java.util.Collections.singletonList(null)
            : tls.serverNames();
        for (String sni : snis) {
          sniOwners.put(sni == null ? "" : sni, vsKey);
          chains.add(new TlsIR.Chain(gw.key().name(), sni, List.of(tls.certificate().name()),
              listenerName + "~" + vsKey.namespace() + "_" + vsKey.name() + (sni == null ? "" : "~" + sni),
              vsHosts));
        }
      }
    }
    if (ssl && chains.isEmpty()) {
      statuses.warning(gw.key(), "no VirtualService with sslConfig is selected: proxy " + EdgeApi.gloo(proxyKey)
          + " gets no listener on port " + port);
      return;
    }
    proxy.listeners.add(new ListenerIR(listenerName, port, List.of(gw.key().name()), hosts, chains, settings));
  }

  private record Served(List<RouteIR> routes, List<VirtualHostIR> hosts) {}

  /**
   * A VirtualService's routes and virtual hosts on one listener: its plan replayed when nothing it read changed
   * ({@link EdgePlans}), else translated (recording a new plan), keeping the IR instances of what did not change.
   */
  private Served served(Gateway gw, ResourceKey proxyKey, ResourceKey vsKey, JsonNode vh, List<String> domains,
      HostOptions host) {
    JsonNode spec = specs.get(vsKey);
    EdgePlans.Key key = new EdgePlans.Key(gw.key(), proxyKey, vsKey);
    boolean hostPolicies = !host.policies().isEmpty() || EdgeApi.present(vh, "options")
        || EdgeApi.present(vh, "optionsConfigRefs");
    EdgePlans.Plan plan = hostPolicies ? null
        : plans.replayable(key, spec, host.failClosed(), specs::get, destinations::again);
    if (plan != null) {
      statuses.replay(plan.ops());
      return new Served(plan.routes(), plan.hosts());
    }
    EdgePlans.Plan latest = plans.latest(key);
    EdgePlans.Plan last = plans.previous(key);
    EdgePlans.Recording recording = new EdgePlans.Recording();
    tap.start(recording);
    Set<ResourceKey> sources = new LinkedHashSet<>();
    sources.add(vsKey);
    List<RouteIR> built;
    try {
      built = routes.virtualService(vsKey, vh.path("routes"),
          "vs:" + gw.key().name() + "_" + proxyKey.name() + "_" + vsKey.namespace() + "_" + vsKey.name(), sources,
          proxyKey, host.failClosed());
    } finally {
      tap.stop();
    }
    if (hostPolicies) {
      recording.notReplayable();
    }
    List<RouteIR> vsRoutes = new ArrayList<>(built.size());
    for (int i = 0; i < built.size(); i++) {
      vsRoutes.add(EdgePlans.intern(built.get(i), i, last, latest));
    }
    List<VirtualHostIR> vsHosts = new ArrayList<>();
    for (String domain : domains) {
      String name = vsKey.namespace() + "_" + vsKey.name() + (domains.size() > 1 ? "~" + domain : "");
      vsHosts.add(EdgePlans.intern(new VirtualHostIR(name, domain, vsRoutes, new ArrayList<>(sources),
          List.of(gw.key().name()), host.policies()), vsHosts.size(), last, latest));
    }
    plans.keep(key, spec, host.failClosed(), recording, List.copyOf(vsRoutes), List.copyOf(vsHosts));
    return new Served(vsRoutes, vsHosts);
  }

  /** A virtual host's merged policies, or that its routes must answer 500 (unserved options that guard). */
  private record HostOptions(List<AppliedPolicy> policies, boolean failClosed) {}

  /** {@code virtualHost.options} first, then the VirtualHostOptions of {@code optionsConfigRefs} in order. */
  private HostOptions hostOptions(ResourceKey vsKey, JsonNode vh) {
    JsonNode hostOptions = vh.get("options");
    boolean closed = false;
    String unserved = options.unserved(hostOptions, true);
    if (unserved != null) {
      statuses.warning(vsKey, "virtualHost." + unserved.replace("the route answers", "its routes answer"));
      closed = EdgeOptions.guards(hostOptions);
    }
    EdgeOptions.Delegated refs = options.delegated(vh.get("optionsConfigRefs"), vsKey.namespace(), true);
    refs.warnings().forEach(w -> statuses.warning(vsKey, "virtualHost." + w.replace("the route answers",
        "its routes answer")));
    closed |= refs.failClosed();
    // an error rejects the VirtualService (its last accepted version serves, if any); what is valid still applies
    if (refs.error() != null) {
      statuses.error(vsKey, "virtualHost." + refs.error());
    }
    List<PolicyResource> chain = new ArrayList<>();
    PolicyResource p = options.virtualHost(vsKey, hostOptions);
    if (p != null && !p.valid()) {
      statuses.error(vsKey, "virtualHost.options: " + EdgeOptions.violations(p));
    } else if (p != null) {
      chain.add(p);
    }
    chain.addAll(refs.policies());
    return new HostOptions(options.merge(chain, "VirtualService " + vsKey.namespacedName() + " virtualHost"),
        closed);
  }

  /** Gloo's selection of VirtualServices by an HTTP Gateway (see {@link EdgeSelectors}). */
  private List<ResourceKey> select(Gateway gw, JsonNode http, boolean ssl) {
    JsonNode expressions = http.path("virtualServiceExpressions").path("expressions");
    JsonNode selector = http.path("virtualServiceSelector");
    JsonNode refs = http.path("virtualServices");
    JsonNode namespaces = http.get("virtualServiceNamespaces");
    Set<ResourceKey> named = new LinkedHashSet<>();
    refs.forEach(r -> {
      ResourceKey k = EdgeApi.ref(EdgeApi.KIND_VIRTUAL_SERVICE, r, gw.key().namespace());
      if (k != null) {
        named.add(k);
      }
    });
    List<ResourceKey> out = new ArrayList<>();
    Set<ResourceKey> found = new java.util.HashSet<>();
    for (GenericKubernetesResource vs : inputs.virtualServices()) {
      ResourceKey key = ResourceKey.of(vs);
      found.add(key);
      if (EdgeApi.present(specs.get(key), "sslConfig") != ssl) {
        continue;
      }
      boolean inNamespace = EdgeSelectors.namespaceMatches(namespaces, key.namespace(), null);
      boolean matches;
      if (expressions.size() > 0) {
        String problem = EdgeSelectors.expressionsMatch(expressions, EdgeApi.labels(vs));
        if (problem != null && !problem.isEmpty()) {
          statuses.error(gw.key(), "httpGateway.virtualServiceExpressions." + problem);
          return List.of();
        }
        matches = problem == null && inNamespace;
      } else if (selector.size() > 0) {
        matches = EdgeSelectors.labelsMatch(selector, EdgeApi.labels(vs)) && inNamespace;
      } else if (!named.isEmpty()) {
        matches = named.contains(key);
      } else {
        matches = inNamespace;
      }
      if (matches) {
        out.add(key);
      }
    }
    for (ResourceKey k : named) {
      if (!found.contains(k) && !gw.synthetic()) {
        statuses.warning(gw.key(), "httpGateway.virtualServices: VirtualService " + EdgeApi.gloo(k) + " not found");
      }
    }
    return out;
  }
}
