package io.gloo.core.convert;

import io.gloo.core.evaluate.RouteEvaluator;
import io.gloo.core.evaluate.TestRequest;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.XdsResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The comparison of a round trip: each Edge proxy ({@code Proxy/ns/name}) of the Edge translation against the
 * Gateway API Gateway converted from it ({@code Gateway/ns/name}), on the {@link RequestSet} of the Edge manifests.
 * Shared by the core round-trip test and the it module's (plugins loaded).
 */
public final class RoundTrip {

  /** How many requests were compared and each differing one (request line, then both decisions). */
  public record Comparison(int compared, List<String> differences) {}

  private RoundTrip() {}

  /**
   * @throws AssertionError when an Edge proxy has no converted Gateway
   */
  public static Comparison compare(List<JsonNode> edgeDocuments, Map<ResourceKey, XdsResources> edge,
      Map<ResourceKey, XdsResources> converted) {
    List<String> differences = new ArrayList<>();
    int compared = 0;
    for (Map.Entry<ResourceKey, XdsResources> proxy : edge.entrySet()) {
      if (!proxy.getKey().kind().equals("Proxy")) {
        continue;
      }
      ResourceKey gatewayKey = new ResourceKey("Gateway", proxy.getKey().namespace(), proxy.getKey().name());
      XdsResources gateway = converted.get(gatewayKey);
      if (gateway == null) {
        throw new AssertionError("no Gateway " + gatewayKey + " for proxy " + proxy.getKey() + " in "
            + converted.keySet());
      }
      for (TestRequest request : RequestSet.of(edgeDocuments, proxy.getValue())) {
        compared++;
        ObjectNode a = comparable(RouteEvaluator.evaluate(proxy.getValue(), request).toJson());
        ObjectNode b = comparable(RouteEvaluator.evaluate(gateway, request).toJson());
        if (!a.equals(b)) {
          differences.add(proxy.getKey().namespacedName() + " " + describe(request) + "\n    edge:      " + a
              + "\n    converted: " + b);
        }
      }
    }
    return new Comparison(compared, differences);
  }

  private static String describe(TestRequest r) {
    return r.method() + " " + r.scheme() + "://" + r.authority() + ":" + r.port() + r.path() + " " + r.headers()
        + " random=" + r.randomValue();
  }

  /**
   * A decision without what must differ between the two APIs: names of xDS objects and of the source resource, and
   * the trace. A missing backend is a 500 either way, which the Edge translator expresses as a route to an absent
   * cluster (Envoy answers 500) and the Gateway API translator as a direct 500: the same answer, so one form.
   */
  static ObjectNode comparable(ObjectNode decision) {
    if ("CLUSTER_NOT_FOUND".equals(decision.path("outcome").asString("")) && decision.path("status").asInt() == 500) {
      decision.put("outcome", "DIRECT_RESPONSE");
      decision.remove("cluster");
    }
    for (String field : List.of("listener", "filterChain", "routeConfiguration", "virtualHost", "route", "source",
        "trace")) {
      decision.remove(field);
    }
    return decision;
  }
}
