package io.gloo.core.console;

import io.gloo.core.server.GlooServer;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.snapshot.ProxyNodes;
import io.gloo.core.store.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Gateways (Gateway API) and proxies (Gloo Edge) the server publishes snapshots for, each named in URLs by its
 * key's {@code Kind/namespace/name}. Stateless.
 */
final class ServedGateways {

  private ServedGateways() {}

  /** Published (not removed) snapshots, sorted by key. */
  static List<PublishedSnapshot> all(GlooServer server) {
    List<PublishedSnapshot> result = new ArrayList<>();
    for (Map.Entry<ResourceKey, PublishedSnapshot> e : server.publisher().current().entrySet()) {
      if (!e.getValue().removed()) {
        result.add(e.getValue());
      }
    }
    result.sort((a, b) -> a.gateway().compareTo(b.gateway()));
    return result;
  }

  /** The one named by {@code id} ({@link #id}), or the first when {@code id} is null and something is served. */
  static Optional<PublishedSnapshot> pick(GlooServer server, String id) {
    List<PublishedSnapshot> all = all(server);
    if (id == null || id.isBlank()) {
      return all.stream().findFirst();
    }
    return all.stream().filter(s -> id(s.gateway()).equals(id) || s.gateway().namespacedName().equals(id))
        .findFirst();
  }

  static String id(ResourceKey gateway) {
    return gateway.toString();
  }

  /** "Gateway default/http" or "Gloo Edge proxy gloo-system/gateway-proxy". */
  static String label(ResourceKey gateway) {
    return (ProxyNodes.PROXY_KIND.equals(gateway.kind()) ? "Gloo Edge proxy " : "Gateway ")
        + gateway.namespacedName();
  }

  /** A select box of the served Gateways, {@code current} selected, inside a GET form the caller opened. */
  static void select(Html h, GlooServer server, PublishedSnapshot current) {
    h.element("label", "Gateway", "for", "gateway").open("select", "id", "gateway", "name", "gateway");
    for (PublishedSnapshot s : all(server)) {
      String id = id(s.gateway());
      h.open("option", "value", id, "selected", current != null && current.gateway().equals(s.gateway())
          ? "selected" : null).text(label(s.gateway())).close("option");
    }
    h.close("select");
  }
}
