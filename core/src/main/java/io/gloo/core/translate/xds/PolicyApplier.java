package io.gloo.core.translate.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.core.ir.BackendIR;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.VirtualHostIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.policy.AppliedPolicy;
import io.gloo.core.translate.policy.BackendLookup;
import io.gloo.core.translate.policy.FailClosed;
import io.gloo.core.translate.policy.PluginInvoker;
import io.gloo.core.translate.policy.PluginFailureLog;
import io.gloo.core.translate.policy.PluginInvoker.PluginFailure;
import io.gloo.core.translate.policy.PolicyReports;
import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.translate.BackendContext;
import io.gloo.spi.translate.BackendResources;
import io.gloo.spi.translate.Diagnostics;
import io.gloo.spi.translate.ExtraResources;
import io.gloo.spi.translate.ListenerContext;
import io.gloo.spi.translate.PolicyTranslator;
import io.gloo.spi.translate.ResourceLookup;
import io.gloo.spi.translate.RouteContext;
import io.gloo.spi.translate.StagedHttpFilter;
import io.gloo.spi.translate.VirtualHostContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Calls plugin translators on the Envoy builders core produced, with fault containment: a policy whose translator
 * throws, hangs, or produces invalid configuration fails its route closed (a direct 500), or is skipped when its kind
 * is fail-open; the failure is reported on the policy and on the route, and the rest of the Gateway is translated.
 * One instance per Gateway translation.
 */
public final class PolicyApplier {

  /** Checks what a plugin produced; returns problems (empty when acceptable). */
  public interface OutputCheck {
    List<String> check(com.google.protobuf.Message produced);

    OutputCheck NONE = m -> List.of();
  }

  private final String gateway;
  private final PluginInvoker invoker;
  private final PolicyReports reports;
  private final BackendLookup lookup;
  private final OutputCheck check;
  private final BiConsumer<ResourceKey, String> routeProblems;
  private final Map<String, Cluster> extraClusters = new LinkedHashMap<>();
  /** Backends policies referenced (e.g. mirror targets), to be built even if no route forwards to them. */
  private final Map<String, BackendIR> referencedBackends = new LinkedHashMap<>();

  /**
   * @param routeProblems where failures affecting an HTTPRoute are reported (they become its status)
   */
  public PolicyApplier(String gateway, PluginInvoker invoker, PolicyReports reports, BackendLookup lookup,
      OutputCheck check, BiConsumer<ResourceKey, String> routeProblems) {
    this.gateway = gateway;
    this.invoker = invoker;
    this.reports = reports;
    this.lookup = lookup;
    this.check = check;
    this.routeProblems = routeProblems;
  }

  /** Applies a route's policies to the route core built. */
  Route route(RouteIR ir, Route built) {
    Route current = built;
    for (AppliedPolicy policy : ir.policies()) {
      Route.Builder builder = current.toBuilder();
      RouteContext ctx = new RouteCtx(policy, ir);
      try {
        invoker.call(policy.kind(), "route translator", () -> {
          translator(policy).route(ctx, policy.spec(), builder);
          return null;
        });
        Route next = builder.build();
        List<String> problems = new ArrayList<>(check.check(next));
        if (!next.getName().equals(built.getName()) || !next.getMatch().equals(built.getMatch())) {
          problems.add("changed the route's name or match, which core owns");
        }
        if (!problems.isEmpty()) {
          throw invoker.failure(policy.kind(), "invalid", "route translator produced invalid config: "
              + String.join("; ", problems), null);
        }
        current = next;
      } catch (PluginFailure failure) {
        PluginFailureLog.log(policy.kind(), policy.contributors(), failure);
        String where = "rule " + ir.source().rule();
        for (PolicyRef ref : policy.contributors()) {
          reports.error(ref, failure.getMessage() + " (at " + ir.source().route().namespacedName() + " " + where + ")");
        }
        if (policy.kind().kind().failOpen() && !policy.kind().kind().failClosed()) {
          routeProblems.accept(ir.source().route(), where + ": " + policy.kind().groupKind() + " skipped (fail-open): "
              + failure.getMessage());
          continue;
        }
        routeProblems.accept(ir.source().route(), where + ": " + policy.kind().groupKind() + " failed, the rule "
            + "answers 500: " + failure.getMessage());
        return current.toBuilder().clearAction()
            .setDirectResponse(DirectResponseAction.newBuilder().setStatus(500)).build();
      }
    }
    return current;
  }

  /** Applies a virtual host's policies; a failing policy is reported and its edits are dropped. */
  VirtualHost virtualHost(VirtualHostIR ir, VirtualHost built) {
    VirtualHost current = built;
    for (AppliedPolicy policy : ir.policies()) {
      if (policy.spec() instanceof FailClosed closed) {
        // A guarding policy on the Gateway that cannot be applied: no route of the virtual host serves without it.
        for (ResourceKey route : ir.sources()) {
          routeProblems.accept(route, "virtual host " + ir.domain() + ": " + closed.reason()
              + "; its routes answer 500 (fail-closed)");
        }
        return answer500(current);
      }
      VirtualHost.Builder builder = current.toBuilder();
      VirtualHostContext ctx = new VirtualHostCtx(policy, ir);
      try {
        invoker.call(policy.kind(), "virtual host translator", () -> {
          translator(policy).virtualHost(ctx, policy.spec(), builder);
          return null;
        });
        VirtualHost next = builder.build();
        List<String> problems = check.check(next);
        if (!problems.isEmpty()) {
          throw invoker.failure(policy.kind(), "invalid", "virtual host translator produced invalid config: "
              + String.join("; ", problems), null);
        }
        current = next;
      } catch (PluginFailure failure) {
        PluginFailureLog.log(policy.kind(), policy.contributors(), failure);
        if (policy.kind().kind().failOpen() && !policy.kind().kind().failClosed()) {
          for (PolicyRef ref : policy.contributors()) {
            reports.error(ref, failure.getMessage() + " (at virtual host " + ir.domain() + "); not applied");
          }
          continue;
        }
        // Fail closed: a virtual host must not serve without a policy meant to govern it (e.g. its auth).
        for (PolicyRef ref : policy.contributors()) {
          reports.error(ref, failure.getMessage() + " (at virtual host " + ir.domain() + "); its routes answer 500");
        }
        current = answer500(current);
      }
    }
    return current;
  }

  /** The virtual host with every route answering 500 (names, matches and metadata kept). */
  private static VirtualHost answer500(VirtualHost vhost) {
    VirtualHost.Builder closed = vhost.toBuilder();
    for (int i = 0; i < closed.getRoutesCount(); i++) {
      closed.setRoutes(i, closed.getRoutes(i).toBuilder().clearAction()
          .setDirectResponse(DirectResponseAction.newBuilder().setStatus(500)));
    }
    return closed.build();
  }

  /** The HTTP filters the policies under one listener need, de-duplicated by name. */
  List<StagedHttpFilter> httpFilters(int port, List<AppliedPolicy> policies) {
    Map<String, StagedHttpFilter> filters = new LinkedHashMap<>();
    for (AppliedPolicy policy : policies) {
      if (policy.spec() instanceof FailClosed) {
        continue; // nothing to translate: its routes answer 500
      }
      ListenerContext ctx = new ListenerCtx(policy, port);
      try {
        List<StagedHttpFilter> wanted = invoker.call(policy.kind(), "HTTP filters",
            () -> translator(policy).httpFilters(ctx, policy.spec()));
        for (StagedHttpFilter f : wanted) {
          List<String> problems = check.check(f.filter());
          if (!problems.isEmpty()) {
            throw invoker.failure(policy.kind(), "invalid", "HTTP filter " + f.filter().getName() + " is invalid: "
                + String.join("; ", problems), null);
          }
          filters.putIfAbsent(f.filter().getName(), f);
        }
      } catch (PluginFailure failure) {
        PluginFailureLog.log(policy.kind(), policy.contributors(), failure);
        for (PolicyRef ref : policy.contributors()) {
          reports.error(ref, failure.getMessage() + " (HTTP filters of listener port " + port + ")");
        }
      }
    }
    return new ArrayList<>(filters.values());
  }

  /** Builds a backend of a plugin's kind; null when the plugin fails (routes to it then answer 500). */
  BackendResources backend(BackendIR backend) {
    AppliedPolicy policy = backend.policy();
    BackendContext ctx = new BackendCtx(policy, backend.clusterName());
    try {
      BackendResources resources = invoker.call(policy.kind(), "backend translator",
          () -> translator(policy).backend(ctx, policy.spec()));
      List<String> problems = new ArrayList<>();
      if (resources == null || resources.cluster() == null) {
        problems.add("returned no cluster");
      } else {
        problems.addAll(check.check(resources.cluster()));
        if (!backend.clusterName().equals(resources.cluster().getName())) {
          problems.add("cluster is named '" + resources.cluster().getName() + "', expected '" + backend.clusterName()
              + "'");
        }
        if (resources.endpoints() != null) {
          problems.addAll(check.check(resources.endpoints()));
        }
      }
      if (!problems.isEmpty()) {
        throw invoker.failure(policy.kind(), "invalid", "backend translator produced invalid config: "
            + String.join("; ", problems), null);
      }
      return resources;
    } catch (PluginFailure failure) {
      PluginFailureLog.log(policy.kind(), policy.contributors(), failure);
      for (PolicyRef ref : policy.contributors()) {
        reports.error(ref, failure.getMessage() + "; routes to it answer 500");
      }
      return null;
    }
  }

  /** Backends that policies referenced through {@link ResourceLookup#backendCluster}. */
  List<BackendIR> referencedBackends() {
    synchronized (referencedBackends) {
      return new ArrayList<>(referencedBackends.values());
    }
  }

  /** Clusters plugins added through {@link ExtraResources}. */
  List<Cluster> extraClusters() {
    return new ArrayList<>(extraClusters.values());
  }

  @SuppressWarnings("unchecked")
  private static PolicyTranslator<Object> translator(AppliedPolicy policy) {
    return (PolicyTranslator<Object>) policy.kind().kind().translator();
  }

  // ---- contexts

  private class BaseCtx implements io.gloo.spi.translate.TranslationContext, Diagnostics, ExtraResources {
    final AppliedPolicy policy;

    BaseCtx(AppliedPolicy policy) {
      this.policy = policy;
    }

    @Override
    public String gateway() {
      return gateway;
    }

    @Override
    public List<PolicyRef> policies() {
      return policy.contributors();
    }

    @Override
    public Diagnostics diagnostics() {
      return this;
    }

    @Override
    public ResourceLookup lookup() {
      ResourceLookup scoped = lookup.forPolicy(policy.contributors().get(0));
      return new ResourceLookup() {
        @Override
        public java.util.Optional<Map<String, byte[]>> secret(String namespace, String name) {
          return scoped.secret(namespace, name);
        }

        @Override
        public List<SecretData> secrets(Map<String, String> matchLabels) {
          return scoped.secrets(matchLabels);
        }

        @Override
        public java.util.Optional<List<HostPort>> serviceEndpoints(String namespace, String service, int port) {
          return scoped.serviceEndpoints(namespace, service, port);
        }

        @Override
        public <T> java.util.Optional<T> policy(io.gloo.spi.policy.GroupKind kind, Class<T> specType,
            String namespace, String name) {
          return scoped.policy(kind, specType, namespace, name);
        }

        @Override
        public java.util.Optional<String> backendCluster(io.gloo.spi.policy.GroupKind kind, String namespace,
            String name) {
          return lookup.backend(policy.contributors().get(0), kind, namespace, name).map(backend -> {
            synchronized (referencedBackends) {
              referencedBackends.putIfAbsent(backend.clusterName(), backend);
            }
            return backend.clusterName();
          });
        }
      };
    }

    @Override
    public ExtraResources extra() {
      return this;
    }

    @Override
    public void warning(String field, String message) {
      reports.warning(policy.ownerOf(field), "spec." + field + ": " + message);
    }

    @Override
    public void error(String field, String message) {
      reports.error(policy.ownerOf(field), "spec." + field + ": " + message);
    }

    @Override
    public void addCluster(Cluster cluster) {
      synchronized (extraClusters) {
        extraClusters.putIfAbsent(cluster.getName(), cluster);
      }
    }
  }

  private final class RouteCtx extends BaseCtx implements RouteContext {
    private final RouteIR route;

    RouteCtx(AppliedPolicy policy, RouteIR route) {
      super(policy);
      this.route = route;
    }

    @Override
    public String httpRoute() {
      return route.source().route().namespacedName();
    }

    @Override
    public int rule() {
      return route.source().rule();
    }

    @Override
    public String ruleName() {
      return route.source().ruleName();
    }

    @Override
    public void reportOnRoute(String message) {
      routeProblems.accept(route.source().route(), "rule " + route.source().rule() + ": " + message);
    }
  }

  private final class VirtualHostCtx extends BaseCtx implements VirtualHostContext {
    private final VirtualHostIR vhost;

    VirtualHostCtx(AppliedPolicy policy, VirtualHostIR vhost) {
      super(policy);
      this.vhost = vhost;
    }

    @Override
    public List<String> gatewayListeners() {
      return vhost.gatewayListeners();
    }

    @Override
    public List<String> domains() {
      return List.of(vhost.domain());
    }
  }

  private final class ListenerCtx extends BaseCtx implements ListenerContext {
    private final int port;

    ListenerCtx(AppliedPolicy policy, int port) {
      super(policy);
      this.port = port;
    }

    @Override
    public int port() {
      return port;
    }
  }

  private final class BackendCtx extends BaseCtx implements BackendContext {
    private final String clusterName;

    BackendCtx(AppliedPolicy policy, String clusterName) {
      super(policy);
      this.clusterName = clusterName;
    }

    @Override
    public String clusterName() {
      return clusterName;
    }
  }
}
