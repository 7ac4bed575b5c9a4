package io.gloo.core.ir;

import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.policy.AppliedPolicy;
import java.util.List;

/**
 * One Envoy virtual host: one domain (an exact host, a {@code *.suffix} wildcard, or {@code *}) and its routes,
 * already in Gateway API precedence order (Envoy takes the first match).
 *
 * @param gatewayListeners the Gateway listeners whose routes it serves
 * @param policies plugin policies that apply to the virtual host, one per kind, already merged
 */
public record VirtualHostIR(String name, String domain, List<RouteIR> routes, List<ResourceKey> sources,
    List<String> gatewayListeners, List<AppliedPolicy> policies) {
  public VirtualHostIR {
    routes = List.copyOf(routes);
    sources = List.copyOf(sources);
    gatewayListeners = List.copyOf(gatewayListeners);
    policies = List.copyOf(policies);
  }
}
