package io.gloo.core.translate.gatewayapi;

import io.gloo.core.ir.BackendIR;
import io.gloo.core.ir.GatewayIR;
import io.gloo.core.ir.ListenerIR;
import io.gloo.core.ir.RouteActionIR;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.TlsIR;
import io.gloo.core.ir.VirtualHostIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.policy.PolicyResolver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Gateway's intermediate model once its routes are attached: one listener per port, virtual hosts per domain in
 * Envoy's route order ({@link VirtualHostCache}), HTTPS filter chains with their certificates and the 421 virtual
 * hosts that keep coalesced connections off other listeners' routes, and the backends the routes use (with the
 * Gateway's client certificate for TLS backends). One per translation.
 */
final class GatewayIrBuilder {

  private final VirtualHostCache virtualHostCache;
  private final Backends backends;
  private final PolicyResolver policies;
  private final L4Routes l4;

  GatewayIrBuilder(VirtualHostCache virtualHostCache, Backends backends, PolicyResolver policies, L4Routes l4) {
    this.virtualHostCache = virtualHostCache;
    this.backends = backends;
    this.policies = policies;
    this.l4 = l4;
  }

  GatewayIR build(GatewayContext ctx) {
    if (ctx.rejectedReason != null) {
      return new GatewayIR(ctx.key, List.of(), List.of());
    }
    List<ListenerIR> listeners = new ArrayList<>();
    Map<String, BackendIR> used = new TreeMap<>();
    Map<Integer, List<String>> listenerNamesByPort = new TreeMap<>();
    for (ListenerContext l : ctx.listeners) {
      if (l.servable() && !L4Routes.isL4(l)) {
        listenerNamesByPort.computeIfAbsent(l.port, p -> new ArrayList<>()).add(l.irName);
      }
    }
    Map<String, TlsIR.Certificate> certificates = new TreeMap<>();
    for (Map.Entry<Integer, List<String>> port : listenerNamesByPort.entrySet()) {
      List<ListenerContext> onPort = ctx.listeners.stream()
          .filter(l -> l.servable() && !L4Routes.isL4(l) && l.port == port.getKey()).toList();
      // listeners sharing a port share a protocol (else they conflict and are not servable)
      boolean https = GatewayApi.PROTOCOL_HTTPS.equals(onPort.get(0).protocol());
      String scheme = https ? "https" : "http";
      String listenerName = scheme + "~" + port.getKey();
      List<VirtualHostIR> vhosts = new ArrayList<>();
      Map<String, List<RoutePrecedence.Entry>> byDomain =
          new TreeMap<>(ctx.routesByPort.getOrDefault(port.getKey(), Map.of()));
      // Isolation: a listener whose hosts a broader listener's virtual host would catch gets its own (maybe
      // empty, hence 404) virtual host.
      boolean anyBroad = onPort.stream().anyMatch(o -> Hostnames.broad(o.hostname));
      for (ListenerContext l : onPort) {
        if (anyBroad && l.hostname != null
            && onPort.stream().anyMatch(o -> Hostnames.moreSpecific(l.hostname, o.hostname))) {
          byDomain.putIfAbsent(l.hostname.toLowerCase(java.util.Locale.ROOT), List.of());
          ctx.listenersByPort.computeIfAbsent(port.getKey(), p -> new HashMap<>())
              .computeIfAbsent(l.hostname.toLowerCase(java.util.Locale.ROOT), d -> new LinkedHashSet<>()).add(l.irName);
        }
      }
      for (Map.Entry<String, List<RoutePrecedence.Entry>> domain : byDomain.entrySet()) {
        String vhostName = listenerName + "~" + domain.getKey();
        VirtualHostCache.Sorted sorted = virtualHostCache.sort(ctx.key.namespacedName() + "~" + vhostName,
            domain.getValue(), port.getKey(), scheme);
        for (String cluster : sorted.clusters) {
          used.computeIfAbsent(cluster, backends::backend);
        }
        List<ResourceKey> sources = new ArrayList<>(
            ctx.sourcesByPort.getOrDefault(port.getKey(), Map.of()).getOrDefault(domain.getKey(), List.of()));
        List<String> gatewayListeners = new ArrayList<>(
            ctx.listenersByPort.get(port.getKey()).getOrDefault(domain.getKey(), Set.of()));
        vhosts.add(virtualHostCache.virtualHost(sorted, vhostName, domain.getKey(), sources, gatewayListeners,
            policies.forVirtualHost(ctx.key, gatewayListeners)));
      }
      List<TlsIR.Chain> chains = new ArrayList<>();
      if (https) {
        for (ListenerContext l : onPort) {
          List<String> names = new ArrayList<>();
          for (TlsIR.Certificate c : l.certificates) {
            certificates.putIfAbsent(c.name(), c);
            names.add(c.name());
          }
          chains.add(new TlsIR.Chain(l.irName, l.hostname, names, listenerName + "~" + l.irName,
              chainVirtualHosts(ctx.key, listenerName, l, onPort, vhosts), l.clientValidation));
        }
      }
      listeners.add(new ListenerIR(listenerName, port.getKey(), port.getValue(), vhosts, chains));
    }
    L4Routes.Built l4Built = l4.build(ctx.key, ctx.listeners);
    l4Built.clusters().forEach(cluster -> used.computeIfAbsent(cluster, backends::backend));
    l4Built.certificates().forEach(c -> certificates.putIfAbsent(c.name(), c));
    // Backend TLS: the Gateway's client certificate, and this Gateway as an ancestor of the policies involved.
    TlsIR.Certificate client = ctx.clientCertificate == null ? null : ctx.clientCertificate.certificate();
    for (Map.Entry<String, BackendIR> e : used.entrySet()) {
      BackendIR b = e.getValue();
      if (b.tls() != null && client != null) {
        e.setValue(b.withTls(b.tls().withClientCertificate(client)));
        certificates.putIfAbsent(client.name(), client);
      }
    }
    for (ListenerIR l : backends.anyTlsPolicies() ? listeners : List.<ListenerIR>of()) {
      for (VirtualHostIR vh : l.virtualHosts()) {
        for (RouteIR r : vh.routes()) {
          if (r.source() != null && r.source().route() != null) {
            backends.tlsPolicies(r.source().route()).forEach(p -> p.ancestors.add(ctx.key));
          }
        }
      }
    }
    return new GatewayIR(ctx.key, listeners, new ArrayList<>(used.values()), new ArrayList<>(certificates.values()),
        l4Built.listeners());
  }

  /**
   * The virtual hosts of one HTTPS listener's filter chain: its own, plus a 421 (Misdirected Request) for hosts
   * that belong to another listener of the port, whose certificate the client did not ask for (HTTP/2 connection
   * coalescing must not reach another listener's routes): every host but its own for a listener with a hostname,
   * the other listeners' hostnames for the listener without one.
   */
  private static List<VirtualHostIR> chainVirtualHosts(ResourceKey gateway, String listenerName, ListenerContext l,
      List<ListenerContext> onPort, List<VirtualHostIR> all) {
    List<VirtualHostIR> result = new ArrayList<>();
    Set<String> domains = new java.util.HashSet<>();
    for (VirtualHostIR vh : all) {
      if (vh.gatewayListeners().contains(l.irName)) {
        result.add(vh);
        domains.add(vh.domain());
      }
    }
    Set<String> misdirected = new java.util.TreeSet<>();
    for (ListenerContext other : onPort) {
      if (other != l && other.hostname != null && (l.hostname == null || Hostnames.moreSpecific(other.hostname,
          l.hostname))) {
        misdirected.add(other.hostname.toLowerCase(java.util.Locale.ROOT));
      }
    }
    if (l.hostname != null) {
      misdirected.add(Hostnames.ANY);
    }
    for (String domain : misdirected) {
      if (domains.add(domain)) {
        String name = listenerName + "~" + l.irName + "~misdirected~" + domain;
        RouteIR route = new RouteIR(name,
            new io.gloo.core.ir.RouteMatchIR(new io.gloo.core.ir.RouteMatchIR.PathMatch(
                io.gloo.core.ir.RouteMatchIR.PathKind.PREFIX, "/"), List.of(), List.of(), null),
            new RouteActionIR.DirectResponse(421, null), io.gloo.core.ir.HeaderEditsIR.NONE,
            io.gloo.core.ir.HeaderEditsIR.NONE, new io.gloo.core.ir.RouteSource(gateway, 0, null, 0), List.of());
        result.add(new VirtualHostIR(name, domain, List.of(route), List.of(gateway), List.of(l.irName), List.of()));
      }
    }
    return result;
  }
}
