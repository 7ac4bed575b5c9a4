package io.gloo.core.translate.edge;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.gloo.core.ir.BackendIR;
import io.gloo.core.ir.GatewayIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.policy.BackendLookup;
import io.gloo.core.translate.policy.PolicyResolver;
import io.gloo.core.translate.xds.InvalidRoute;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * The Gloo Edge API → intermediate model: one {@link GatewayIR} per Edge proxy (keyed {@code Proxy/<ns>/<name>},
 * see {@link EdgeRun}), served by the same xDS stage as the Gateway API's Gateways, and the Gloo-style status of
 * every Edge resource ({@link EdgeStatuses}).
 *
 * <p>Gloo keeps serving the last accepted configuration of a resource it rejects; so does this translator, per
 * resource: a VirtualService or RouteTable with errors is translated again from the spec it had when last accepted
 * (in this process), reported {@code Rejected} with its errors and the generation that keeps serving, while every
 * other resource publishes normally. One never accepted has its invalid routes left out and the rest served.
 * Thread-safe: translations are serialized; the last accepted specs are its only state besides a cache.
 */
@com.google.errorprone.annotations.ThreadSafe
public final class EdgeTranslator {

  private record Accepted(long generation, JsonNode spec) {}

  /**
   * The last accepted version of each resource, kept without a per-resource write on every translation (a
   * one-resource change should not touch thousands of entries): a resource the last translation accepted was last
   * accepted as it was then ({@link #previousSpecs}, {@link #previousGenerations}); one it rejected keeps its entry
   * in {@link #rejectedAccepted} (absent if never accepted).
   */
  @com.google.errorprone.annotations.concurrent.GuardedBy("this")
  private Map<ResourceKey, JsonNode> previousSpecs = Map.of();
  @com.google.errorprone.annotations.concurrent.GuardedBy("this")
  private Map<ResourceKey, Long> previousGenerations = Map.of();
  @com.google.errorprone.annotations.concurrent.GuardedBy("this")
  private Set<ResourceKey> previousRejected = Set.of();
  @com.google.errorprone.annotations.concurrent.GuardedBy("this")
  private Map<ResourceKey, Accepted> rejectedAccepted = new HashMap<>();
  @com.google.errorprone.annotations.concurrent.GuardedBy("this")
  private Map<String, BackendIR> serviceBackends = Map.of();
  @com.google.errorprone.annotations.concurrent.GuardedBy("this")
  private final EdgeIrCache cache = new EdgeIrCache();
  /** Each VirtualService's translation per listener, replayed while nothing it read changed. */
  @com.google.errorprone.annotations.concurrent.GuardedBy("this")
  private final EdgePlans plans = new EdgePlans();
  private final boolean replay;
  /** The statuses rendered last, by key: unchanged ones are handed out again as the same objects. */
  private final Map<ResourceKey, EdgeStatuses.Rendered> rendered = new java.util.LinkedHashMap<>();

  public EdgeTranslator() {
    this(true);
  }

  /** @param replay whether plans are replayed (false: every VirtualService translated each time; for tests) */
  EdgeTranslator(boolean replay) {
    this.replay = replay;
  }
  /** Specs as JSON by object instance: a source keeps the instances of unchanged objects from one snapshot on. */
  @com.google.errorprone.annotations.concurrent.GuardedBy("this")
  private Map<GenericKubernetesResource, JsonNode> specs = new java.util.IdentityHashMap<>();

  /** The Edge proxies of one translation and, once the xDS stage is done, the statuses of the Edge resources. */
  public static final class Result {
    private static final Result EMPTY = new Result(List.of(), new EdgeStatuses(), new HashMap<>());
    private final List<GatewayIR> proxies;
    private final EdgeStatuses statuses;
    private final Map<ResourceKey, EdgeStatuses.Rendered> rendered;

    private Result(List<GatewayIR> proxies, EdgeStatuses statuses, Map<ResourceKey, EdgeStatuses.Rendered> rendered) {
      this.proxies = proxies;
      this.statuses = statuses;
      this.rendered = rendered;
    }

    public List<GatewayIR> proxies() {
      return proxies;
    }

    /**
     * The statuses of the Edge resources, with what later stages found folded in as warnings: the reports of
     * their inline options ({@code policyStatuses} entries named {@code <resource>#...}), plugin problems on their
     * routes and routes the xDS stage replaced or dropped.
     */
    public Map<ResourceKey, Object> statuses(Map<ResourceKey, Object> policyStatuses,
        Map<ResourceKey, List<String>> routeProblems, List<InvalidRoute> invalidRoutes) {
      policyStatuses.forEach((key, status) -> {
        int hash = key.name().indexOf('#');
        if (isEdgeKind(key.kind()) && hash > 0) {
          String reason = inlineProblem(status);
          if (reason != null) {
            statuses.warning(new ResourceKey(key.kind(), key.namespace(), key.name().substring(0, hash)),
                "options (" + key.name().substring(hash + 1) + "): " + reason);
          }
        }
      });
      routeProblems.forEach((key, problems) -> {
        if (isEdgeKind(key.kind())) {
          problems.forEach(p -> statuses.warning(key, p));
        }
      });
      for (InvalidRoute r : invalidRoutes) {
        if (r.source() != null && isEdgeKind(r.source().route().kind())) {
          statuses.warning(r.source().route(), "route " + r.source().rule() + " "
              + (r.outcome() == InvalidRoute.Outcome.DROPPED ? "left out" : "answers 500") + ": "
              + r.violations());
        }
      }
      synchronized (rendered) { // the translator's: translations (and so this, after each) are serialized
        return statuses.render(rendered);
      }
    }
  }

  /** The kinds whose reports this translator renders (inline options are reported under them). */
  public static boolean isEdgeKind(String kind) {
    return kind.equals(EdgeApi.KIND_VIRTUAL_SERVICE) || kind.equals(EdgeApi.KIND_ROUTE_TABLE)
        || kind.equals(EdgeApi.KIND_GATEWAY);
  }

  /** Reports of inline options: they are folded into their resource's status, never shown on their own. */
  public static boolean isInlineOptions(ResourceKey key) {
    return isEdgeKind(key.kind()) && key.name().indexOf('#') > 0;
  }

  @SuppressWarnings("unchecked")
  private static String inlineProblem(Object status) {
    if (!(status instanceof Map<?, ?> m) || !(m.get("statuses") instanceof Map<?, ?> byNs)) {
      return null;
    }
    for (Object entry : byNs.values()) {
      if (entry instanceof Map<?, ?> e && !"Accepted".equals(e.get("state")) && e.get("reason") != null) {
        return String.valueOf(e.get("reason"));
      }
    }
    return null;
  }

  public synchronized Result translate(ResourceSnapshot snapshot, PolicyResolver policies, BackendLookup lookup) {
    EdgeRun.Inputs inputs = EdgeApi.inputs(snapshot.list(GenericKubernetesResource.class));
    if (inputs.isEmpty()) {
      specs = new java.util.IdentityHashMap<>();
      previousSpecs = Map.of();
      previousGenerations = Map.of();
      previousRejected = Set.of();
      rejectedAccepted = new HashMap<>();
      serviceBackends = Map.of();
      cache.finish();
      plans.clear();
      synchronized (rendered) {
        rendered.clear();
      }
      return Result.EMPTY;
    }
    // sized up front: thousands of entries on every translation, a one-resource change included
    int count = inputs.virtualServices().size() + inputs.routeTables().size();
    Map<ResourceKey, JsonNode> current = new HashMap<>(count * 2);
    Map<ResourceKey, Long> generations = new HashMap<>(count * 2);
    Map<GenericKubernetesResource, JsonNode> nextSpecs = new java.util.IdentityHashMap<>(count);
    for (List<GenericKubernetesResource> kind : List.of(inputs.virtualServices(), inputs.routeTables())) {
      for (GenericKubernetesResource r : kind) {
        JsonNode spec = specs.get(r);
        nextSpecs.put(r, spec == null ? EdgeApi.spec(r) : spec);
        ResourceKey key = ResourceKey.of(r);
        current.put(key, nextSpecs.get(r));
        generations.put(key, EdgeApi.generation(r));
      }
    }
    specs = nextSpecs;
    if (!replay) {
      plans.clear();
    }
    plans.tables(inputs.routeTables());
    EdgeRun.Output first = new EdgeRun(snapshot, policies, lookup, inputs, current, serviceBackends, "", cache,
        plans).run();
    Set<ResourceKey> replaced = new LinkedHashSet<>();
    for (ResourceKey key : first.statuses().rejected()) {
      Accepted last = lastAccepted(key);
      if (current.containsKey(key) && last != null && !last.spec().equals(current.get(key))) {
        replaced.add(key);
      }
    }
    EdgeRun.Output out = first;
    if (!replaced.isEmpty()) {
      Map<ResourceKey, JsonNode> specs = new HashMap<>(current);
      replaced.forEach(key -> specs.put(key, lastAccepted(key).spec()));
      out = new EdgeRun(snapshot, policies, lookup, inputs, specs, serviceBackends, "~last-accepted",
          cache, plans).run();
      out.statuses().replaceFrom(first.statuses(), replaced);
      for (ResourceKey key : replaced) {
        out.statuses().servingLastAccepted(key, lastAccepted(key).generation());
      }
    }
    // what is accepted now is remembered; a rejected resource keeps its earlier entry; gone ones are forgotten
    Set<ResourceKey> rejected = new java.util.HashSet<>(out.statuses().rejected());
    rejected.addAll(replaced);
    Map<ResourceKey, Accepted> stillRejected = new HashMap<>();
    for (ResourceKey key : rejected) {
      Accepted last = current.containsKey(key) ? lastAccepted(key) : null;
      if (last != null) {
        stillRejected.put(key, last);
      }
    }
    rejectedAccepted = stillRejected;
    previousRejected = rejected;
    previousSpecs = current;
    previousGenerations = generations;
    serviceBackends = out.serviceBackends();
    cache.finish();
    plans.finish();
    return new Result(out.proxies(), out.statuses(), rendered);
  }

  /** The last accepted version of {@code key} as of the last translation, or null. */
  @com.google.errorprone.annotations.concurrent.GuardedBy("this")
  private Accepted lastAccepted(ResourceKey key) {
    if (previousRejected.contains(key)) {
      return rejectedAccepted.get(key);
    }
    JsonNode spec = previousSpecs.get(key);
    return spec == null ? null : new Accepted(previousGenerations.get(key), spec);
  }

  /** For tests: the generations whose specs are remembered as last accepted. */
  synchronized Map<ResourceKey, Long> lastAcceptedGenerations() {
    Map<ResourceKey, Long> out = new TreeMap<>();
    previousSpecs.keySet().forEach(k -> {
      Accepted a = lastAccepted(k);
      if (a != null) {
        out.put(k, a.generation());
      }
    });
    return out;
  }
}
