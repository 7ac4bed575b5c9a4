package io.gloo.core.ir;

import io.gloo.core.store.ResourceKey;
import java.util.List;

/**
 * One Envoy virtual host: one domain (an exact host, a {@code *.suffix} wildcard, or {@code *}) and its routes,
 * already in Gateway API precedence order (Envoy takes the first match).
 */
public record VirtualHostIR(String name, String domain, List<RouteIR> routes, List<ResourceKey> sources) {
  public VirtualHostIR {
    routes = List.copyOf(routes);
    sources = List.copyOf(sources);
  }
}
