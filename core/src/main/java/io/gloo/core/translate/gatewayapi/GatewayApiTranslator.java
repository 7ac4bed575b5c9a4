package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import io.gloo.core.ir.GatewayIR;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.policy.PluginInvoker;
import io.gloo.core.translate.policy.PolicyCatalog;
import io.gloo.core.translate.policy.PolicyReports;
import io.gloo.core.translate.policy.PolicyResolver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Gateway API resources → intermediate model, plus the status of every GatewayClass, Gateway and HTTPRoute that
 * concerns our controller. A pure function of the resource snapshot: what it carries from one translation to the
 * next ({@link RoutePlans}, {@link VirtualHostCache}, {@link BackendCache}) only saves work, the result is the same
 * as a fresh instance's. Thread-safe: translations are serialized.
 */
@com.google.errorprone.annotations.ThreadSafe
public final class GatewayApiTranslator {

  @com.google.errorprone.annotations.concurrent.GuardedBy("this")
  private final RoutePlans routePlans = new RoutePlans();
  @com.google.errorprone.annotations.concurrent.GuardedBy("this")
  private final VirtualHostCache virtualHostCache = new VirtualHostCache();
  @com.google.errorprone.annotations.concurrent.GuardedBy("this")
  private final BackendCache backendCache = new BackendCache();

  /** The IR of every Gateway of our class and the statuses computed on the way (for the caller to complete). */
  public record Result(List<GatewayIR> gateways, io.gloo.core.report.StatusReport.Builder statuses,
      io.gloo.core.translate.policy.BackendLookup lookup) {}

  /** Translates without plugin policies (no plugin loaded). */
  public Result translate(ResourceSnapshot snapshot) {
    PolicyReports reports = new PolicyReports();
    PluginInvoker invoker = new PluginInvoker();
    try {
      return translate(snapshot, PolicyResolver.of(snapshot, PolicyCatalog.EMPTY, invoker, reports));
    } finally {
      invoker.close();
    }
  }

  /** Translates, resolving plugin policies with {@code policies}. */
  public synchronized Result translate(ResourceSnapshot snapshot, PolicyResolver policies) {
    routePlans.begin(snapshot);
    Result result = new Run(snapshot, policies, routePlans, virtualHostCache, backendCache).run();
    routePlans.finish();
    virtualHostCache.finish();
    backendCache.finish();
    return result;
  }

  /**
   * Of the routes of the last translation: how many were processed again from their previous plan, and how many had
   * their rules translated (for tests of the incremental path).
   */
  synchronized int[] lastRouteCounts() {
    return new int[] {routePlans.reusedCount(), routePlans.translatedCount()};
  }

  /** The route kinds HTTP and HTTPS listeners serve. */
  static final List<String> ROUTE_KINDS = List.of(GatewayApi.KIND_HTTPROUTE, GatewayApi.KIND_GRPCROUTE);

  /** State of one translation. */
  private static final class Run {
    private final ResourceSnapshot snapshot;
    private final io.gloo.core.report.StatusReport.Builder statuses = new io.gloo.core.report.StatusReport.Builder();
    private final Map<String, GatewayContext> gateways = new LinkedHashMap<>();
    private final Backends backends;
    private final RuleTranslator rules;
    private final Delegation delegation;
    private final RouteAttachment attachment;
    private final ListenerSets listenerSets;
    private final GatewayIrBuilder irBuilder;
    private final L4Routes l4;
    private final PolicyResolver policies;
    private final ListenerTls tls;
    private final BackendTlsPolicies backendTls;
    private final RoutePlans routePlans;
    private final VirtualHostCache virtualHostCache;

    Run(ResourceSnapshot snapshot, PolicyResolver policies, RoutePlans routePlans,
        VirtualHostCache virtualHostCache, BackendCache backendCache) {
      this.snapshot = snapshot;
      this.policies = policies;
      this.routePlans = routePlans;
      this.virtualHostCache = virtualHostCache;
      this.tls = new ListenerTls(snapshot, new ReferenceGrants(snapshot));
      this.backendTls = new BackendTlsPolicies(snapshot);
      this.backends = new Backends(snapshot, new ReferenceGrants(snapshot), policies, backendTls, backendCache);
      this.delegation = new Delegation(snapshot);
      this.rules = new RuleTranslator(backends, policies, delegation, new DirectResponses(snapshot));
      this.attachment = new RouteAttachment(snapshot);
      this.listenerSets = new ListenerSets(snapshot, attachment);
      this.l4 = new L4Routes(snapshot, backends);
      this.irBuilder = new GatewayIrBuilder(virtualHostCache, backends, policies, l4);
    }

    Result run() {
      Map<String, GatewayClass> ourClasses = gatewayClasses();
      for (Gateway gateway : snapshot.list(Gateway.class)) {
        if (gateway.getSpec() != null && ourClasses.containsKey(gateway.getSpec().getGatewayClassName())) {
          GatewayContext ctx = new GatewayContext(gateway);
          ctx.addresses = StaticAddresses.decide(gateway, ourClasses.get(gateway.getSpec().getGatewayClassName()),
              snapshot);
          ctx.rejectedMessage = invalidParameters(gateway);
          ctx.rejectedReason = ctx.rejectedMessage == null ? null : GatewayApi.REASON_INVALID_PARAMETERS;
          if (ctx.rejectedMessage == null && (ctx.rejectedMessage = GatewayStatuses.unsupportedAddress(gateway)) != null) {
            ctx.rejectedReason = "UnsupportedAddress";
          }
          validateListeners(ctx);
          backendClientCertificate(ctx);
          gateways.put(ctx.key.namespacedName(), ctx);
        }
      }
      listenerSets.gather(gateways, this::validateListener);
      routePlans.listenerStates(listenerStates());
      List<HTTPRoute> httpRoutes = snapshot.list(HTTPRoute.class);
      RoutePlans.Cursor httpPlans = routePlans.cursor(GatewayApi.KIND_HTTPROUTE, httpRoutes);
      for (int i = 0; i < httpRoutes.size(); i++) {
        HTTPRoute route = httpRoutes.get(i);
        process(httpPlans, i, route, (problems, inputs) -> rules.translate(route, problems, inputs));
      }
      List<GRPCRoute> grpcRoutes = snapshot.list(GRPCRoute.class);
      RoutePlans.Cursor grpcPlans = routePlans.cursor(GatewayApi.KIND_GRPCROUTE, grpcRoutes);
      for (int i = 0; i < grpcRoutes.size(); i++) {
        GRPCRoute route = grpcRoutes.get(i);
        process(grpcPlans, i, route, (problems, inputs) -> {
          GrpcRoutes.Converted converted = GrpcRoutes.asHttpRules(route);
          problems.invalidMessages.addAll(converted.problems());
          return rules.translate(route, GatewayApi.KIND_GRPCROUTE, converted.rules(), problems, inputs);
        });
      }
      Map<String, L4Routes.Parent> l4Parents = new LinkedHashMap<>();
      gateways.forEach((name, ctx) -> l4Parents.put(name, new L4Routes.Parent(ctx.key, ctx.listeners, null)));
      for (ListenerSets.Set set : listenerSets.all()) {
        if (set.rejectedReason == null) {
          l4Parents.put(L4Routes.listenerSetParent(set.key.namespacedName()),
              new L4Routes.Parent(set.parent.key, set.parent.listeners, set));
        }
      }
      l4.attachAll(l4Parents, (l, routeNs) -> attachment.namespaceAllowed(l.namespaces(), l.namespace, routeNs),
          statuses);
      policies.reportDangling((policy, target) -> {
        String ns = target.namespace() == null ? policy.ref().namespace() : target.namespace();
        return switch (target.kind() == null ? "" : target.kind()) {
          case GatewayApi.KIND_HTTPROUTE -> snapshot.get(HTTPRoute.class, ns, target.name()).isPresent();
          case GatewayApi.KIND_GATEWAY -> snapshot.get(Gateway.class, ns, target.name()).isPresent();
          default -> false;
        };
      });
      delegation.putStatuses(statuses);
      List<GatewayIR> result = new ArrayList<>();
      for (GatewayContext ctx : gateways.values()) {
        result.add(irBuilder.build(ctx));
        statuses.put(ctx.key, GatewayStatuses.of(ctx));
      }
      for (ListenerSets.Set set : listenerSets.all()) {
        statuses.put(set.key, ListenerSets.status(set));
      }
      statuses.putAll(backendTls.statuses());
      return new Result(result, statuses, new SnapshotLookup(snapshot, backends, policies));
    }

    // ---- GatewayClass

    private Map<String, GatewayClass> gatewayClasses() {
      Map<String, GatewayClass> ours = new LinkedHashMap<>();
      for (GatewayClass gc : snapshot.list(GatewayClass.class)) {
        if (gc.getSpec() == null || !GatewayApi.CONTROLLER_NAME.equals(gc.getSpec().getControllerName())) {
          continue; // another controller's class: not ours to report on
        }
        ours.put(gc.getMetadata().getName(), gc);
        GatewayClassStatus status = new GatewayClassStatus();
        String invalid = StaticAddresses.invalidParameters(gc, snapshot);
        status.setConditions(new Conditions(gc.getMetadata().getGeneration())
            .set(GatewayApi.ACCEPTED, invalid == null, invalid == null ? GatewayApi.REASON_ACCEPTED
                : GatewayApi.REASON_INVALID_PARAMETERS, invalid == null ? "accepted by " + GatewayApi.CONTROLLER_NAME
                : invalid)
            .build());
        statuses.put(ResourceKey.of(gc), status);
      }
      return ours;
    }

    // ---- Gateway and listeners

    /**
     * The spec: a Gateway whose {@code infrastructure.parametersRef} cannot be found or is of an unsupported kind is
     * rejected (Accepted False, InvalidParameters). A ConfigMap in the Gateway's namespace is accepted (and has no
     * settings we read yet); anything else is invalid. Null when valid or absent.
     */
    private String invalidParameters(Gateway gateway) {
      if (gateway.getSpec().getInfrastructure() == null
          || gateway.getSpec().getInfrastructure().getParametersRef() == null) {
        return null;
      }
      var ref = gateway.getSpec().getInfrastructure().getParametersRef();
      String group = GatewayApi.groupOrCore(ref.getGroup());
      if (!group.isEmpty() || !"ConfigMap".equals(ref.getKind())) {
        return "infrastructure.parametersRef " + (group.isEmpty() ? "" : group + "/") + ref.getKind() + " "
            + ref.getName() + ": unsupported kind (supported: ConfigMap)";
      }
      if (snapshot.get(io.fabric8.kubernetes.api.model.ConfigMap.class, gateway.getMetadata().getNamespace(),
          ref.getName()).isEmpty()) {
        return "infrastructure.parametersRef ConfigMap " + ref.getName() + " not found";
      }
      return null;
    }

    private void validateListeners(GatewayContext ctx) {
      for (ListenerContext l : ctx.listeners) {
        validateListener(ctx, ctx.key, l, ctx.listeners.indexOf(l));
      }
      // Listeners sharing a port must agree on protocol and differ in hostname (a listener whose port is not a port
      // shares it with nobody).
      Map<Integer, List<ListenerContext>> byPort = new TreeMap<>();
      for (ListenerContext l : ctx.listeners) {
        if (SpecValues.port(l.spec.getPort()) == null) {
          byPort.computeIfAbsent(l.port, p -> new ArrayList<>()).add(l);
        }
      }
      for (List<ListenerContext> samePort : byPort.values()) {
        Set<String> protocols = new LinkedHashSet<>();
        samePort.forEach(l -> protocols.add(l.protocol()));
        Map<String, List<ListenerContext>> byHostname = new HashMap<>();
        for (ListenerContext l : samePort) {
          if (protocols.size() > 1) {
            l.conflictReason = GatewayApi.REASON_PROTOCOL_CONFLICT;
          }
          byHostname.computeIfAbsent(Objects.toString(l.hostname, ""), h -> new ArrayList<>()).add(l);
        }
        for (List<ListenerContext> sameHost : byHostname.values()) {
          if (sameHost.size() > 1) {
            sameHost.forEach(l -> {
              if (l.conflictReason == null) {
                l.conflictReason = GatewayApi.REASON_HOSTNAME_CONFLICT;
              }
            });
          }
        }
        OverlappingTls.mark(samePort);
      }
    }

    /**
     * One listener of the Gateway's own spec or of a ListenerSet ({@code from}, which makes the TLS references):
     * its protocol, TLS configuration, route kinds, client validation and field values.
     */
    private void validateListener(GatewayContext ctx, ResourceKey from, ListenerContext l, int index) {
      boolean https = GatewayApi.PROTOCOL_HTTPS.equals(l.protocol());
      if (!GatewayApi.PROTOCOL_HTTP.equals(l.protocol()) && !https && !L4Routes.isL4(l)) {
        l.unsupportedReason = GatewayApi.REASON_UNSUPPORTED_PROTOCOL;
        l.unsupportedMessage = "protocol " + l.protocol()
            + " is not supported (supported: HTTP, HTTPS, TLS, TCP, UDP)";
      } else if (https) {
        tls.resolve(from, l);
      } else if (GatewayApi.PROTOCOL_TLS.equals(l.protocol())) {
        L4Routes.resolveTls(tls, from, l);
      }
      List<String> routeKinds = L4Routes.routeKinds(l.protocol());
      if (l.spec.getAllowedRoutes() == null || l.spec.getAllowedRoutes().getKinds() == null
          || l.spec.getAllowedRoutes().getKinds().isEmpty()) {
        if (l.unsupportedReason == null) {
          for (String kind : routeKinds) {
            l.supportedKinds.add(new RouteGroupKind(GatewayApi.GROUP, kind));
          }
        }
      } else {
        for (RouteGroupKind k : l.spec.getAllowedRoutes().getKinds()) {
          String group = k.getGroup() == null ? GatewayApi.GROUP : k.getGroup();
          if (GatewayApi.GROUP.equals(group) && routeKinds.contains(k.getKind())) {
            if (!l.admitsKind(GatewayApi.GROUP, k.getKind())) {
              l.supportedKinds.add(new RouteGroupKind(GatewayApi.GROUP, k.getKind()));
            }
          } else {
            l.invalidKinds.add((group.isEmpty() ? "" : group + "/") + k.getKind());
          }
        }
      }
      if (https && l.unsupportedReason == null) {
        tls.resolveClientValidation(ctx.gateway, l);
      }
      SpecValues.checkListener(index, l);
    }

    /** Resolves the client certificate the Gateway presents to TLS backends (spec.tls.backend), if set. */
    private void backendClientCertificate(GatewayContext ctx) {
      var gatewayTls = ctx.gateway.getSpec().getTls();
      if (gatewayTls == null || gatewayTls.getBackend() == null
          || gatewayTls.getBackend().getClientCertificateRef() == null) {
        return;
      }
      ctx.hasClientCertificateRef = true;
      ctx.clientCertificate = tls.clientCertificate(ctx.key, gatewayTls.getBackend().getClientCertificateRef());
    }

    // ---- Route attachment

    /**
     * Processes the {@code index}-th route of a kind: its previous plan applied again when nothing it depends on
     * changed (see {@link RoutePlans}), else planned anew (reusing its translated rules when possible) and applied.
     */
    private void process(RoutePlans.Cursor cursor, int index, HasMetadata route,
        java.util.function.BiFunction<RuleTranslator.Problems, RouteInputs, List<RouteIR>> translate) {
      RoutePlans.Plan previous = cursor.previous(route);
      RoutePlans.Plan plan;
      if (previous != null && routePlans.attachmentUnchanged() && (previous.translated
          ? routePlans.rulesReusable(previous.rules, route, snapshot, policies) : true)) {
        if (previous.rules != null) {
          backends.replay(previous.rules.inputs());
        }
        routePlans.countReused();
        plan = previous;
      } else {
        plan = plan(route, cursor.kind(), previous, translate);
      }
      cursor.keep(index, plan);
      apply(plan);
    }

    /** The rules of a route: those of its previous plan when they may be reused, else translated now. */
    private List<RouteIR> rules(HasMetadata route, RoutePlans.Plan previous, RuleTranslator.Problems problems,
        java.util.function.BiFunction<RuleTranslator.Problems, RouteInputs, List<RouteIR>> translate,
        RoutePlans.Builder plan) {
      RoutePlans.Rules rules = previous == null ? null : previous.rules;
      if (rules != null && routePlans.rulesReusable(rules, route, snapshot, policies)) {
        problems.refsReason = rules.refsReason();
        problems.refsMessages.addAll(rules.refsMessages());
        problems.invalidMessages.addAll(rules.invalidMessages());
        backends.replay(rules.inputs());
      } else {
        RouteInputs inputs = new RouteInputs();
        List<RouteIR> translated = translate.apply(problems, inputs);
        rules = routePlans.rules(translated, problems, inputs);
        if (rules == null) {
          plan.translated(translated, null, route.getMetadata().getCreationTimestamp());
          return translated;
        }
      }
      plan.translated(rules.routes(), rules, route.getMetadata().getCreationTimestamp());
      return rules.routes();
    }

    /** Attaches a route to its parents: what it does is recorded in a plan, applied by {@link #apply}. */
    private RoutePlans.Plan plan(HasMetadata route, String kind, RoutePlans.Plan previous,
        java.util.function.BiFunction<RuleTranslator.Problems, RouteInputs, List<RouteIR>> translate) {
      List<ParentReference> parents;
      List<String> hostnames;
      if (route instanceof HTTPRoute http) {
        parents = http.getSpec() == null || http.getSpec().getParentRefs() == null
            ? List.of() : http.getSpec().getParentRefs();
        hostnames = http.getSpec() == null ? null : http.getSpec().getHostnames();
      } else {
        GRPCRoute grpc = (GRPCRoute) route;
        parents = grpc.getSpec() == null || grpc.getSpec().getParentRefs() == null
            ? List.of() : grpc.getSpec().getParentRefs();
        hostnames = grpc.getSpec() == null ? null : grpc.getSpec().getHostnames();
      }
      List<String> hostnameProblems = new ArrayList<>();
      List<String> routeHostnames = SpecValues.validHostnames(hostnames, hostnameProblems);
      RoutePlans.Builder plan = routePlans.builder(route, kind);
      List<RouteIR> translated = null; // translated once, shared by every parent
      RuleTranslator.Problems problems = new RuleTranslator.Problems();
      String routeNs = route.getMetadata().getNamespace();
      Long generation = route.getMetadata().getGeneration();

      for (ParentReference parent : parents) {
        String group = parent.getGroup() == null ? GatewayApi.GROUP : parent.getGroup();
        String parentKind = parent.getKind() == null ? GatewayApi.KIND_GATEWAY : parent.getKind();
        String ns = parent.getNamespace() == null || parent.getNamespace().isEmpty() ? routeNs : parent.getNamespace();
        Conditions conditions = new Conditions(generation);
        if (route instanceof HTTPRoute && Delegation.isRouteParent(parent)) {
          continue; // a delegated route: Delegation reports on this parent
        }
        boolean toListenerSet = GatewayApi.GROUP.equals(group) && GatewayApi.KIND_LISTENERSET.equals(parentKind);
        if (!GatewayApi.GROUP.equals(group) || !(GatewayApi.KIND_GATEWAY.equals(parentKind) || toListenerSet)) {
          conditions.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_UNSUPPORTED_VALUE, "parentRef kind " + group
              + "/" + parentKind + " is not supported (supported: Gateway, ListenerSet)");
          plan.parent(parentRef(parent), conditions.build());
          continue;
        }
        ListenerSets.Set set = null;
        if (toListenerSet) {
          set = listenerSets.find(ns + "/" + parent.getName());
          if (set == null) {
            if (snapshot.get(io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet.class, ns, parent.getName())
                .isPresent()) {
              continue; // a ListenerSet of another controller's Gateway: its controller reports on this parent
            }
            conditions.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_NO_MATCHING_PARENT,
                "ListenerSet " + ns + "/" + parent.getName() + " not found");
            plan.parent(parentRef(parent), conditions.build());
            continue;
          }
          if (set.rejectedReason != null) {
            conditions.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_NO_MATCHING_PARENT,
                set.label() + " is not attached to its Gateway: " + set.rejectedMessage);
            plan.parent(parentRef(parent), conditions.build());
            continue;
          }
        }
        GatewayContext gateway = set != null ? set.parent : gateways.get(ns + "/" + parent.getName());
        if (gateway == null) {
          if (snapshot.get(Gateway.class, ns, parent.getName()).isPresent()) {
            continue; // another controller's Gateway: its controller reports on this parent
          }
          conditions.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_NO_MATCHING_PARENT,
              "Gateway " + ns + "/" + parent.getName() + " not found");
          plan.parent(parentRef(parent), conditions.build());
          continue;
        }
        if (translated == null) {
          translated = rules(route, previous, problems, translate, plan);
        }
        if (routeHostnames == null) {
          conditions.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_UNSUPPORTED_VALUE,
              String.join("; ", hostnameProblems) + "; the route has no valid hostname and is not attached");
        } else {
          attachment.attach(route, kind, routeHostnames, parent, gateway, set, conditions, plan,
              hostnameProblems);
        }
        resolvedRefs(conditions, problems);
        plan.parent(parentRef(parent), conditions.build());
      }
      return plan.build();
    }

    /** Does what a plan says: the route's status, listener counts, and its routes in their virtual hosts. */
    private void apply(RoutePlans.Plan plan) {
      for (RoutePlans.Op op : plan.ops) {
        GatewayContext gateway = gateways.get(op.gateway());
        switch (op.kind()) {
          case ATTACHED -> gateway.listeners.get(op.listener()).attachedRoutes++;
          case LISTENER -> gateway.listenersByPort.computeIfAbsent(op.port(), p -> new HashMap<>())
              .computeIfAbsent(op.domain(), d -> new LinkedHashSet<>()).add(op.listenerName());
          case ROUTE -> {
            gateway.sourcesByPort.computeIfAbsent(op.port(), p -> new HashMap<>())
                .computeIfAbsent(op.domain(), d -> new ArrayList<>()).add(plan.key);
            gateway.routesByPort.computeIfAbsent(op.port(), p -> new TreeMap<>())
                .computeIfAbsent(op.domain(), d -> new ArrayList<>()).addAll(plan.entries);
          }
          default -> throw new IllegalStateException(op.kind().toString());
        }
      }
      Object status = plan.status();
      if (status != null) {
        statuses.put(plan.key, status);
      }
    }

    /**
     * What route attachment reads of our Gateways' listeners besides the Gateway objects: whether each is servable
     * and the route kinds it admits (both also depend on TLS references and their Secrets).
     */
    private List<Object> listenerStates() {
      List<Object> states = new ArrayList<>();
      for (GatewayContext ctx : gateways.values()) {
        states.add(ctx.key);
        for (ListenerContext l : ctx.listeners) {
          states.add(l.irName);
          states.add(l.servable());
          for (RouteGroupKind k : l.supportedKinds) {
            states.add(k.getGroup() + "/" + k.getKind());
          }
          states.add("|");
        }
      }
      return states;
    }

    private static void resolvedRefs(Conditions conditions, RuleTranslator.Problems problems) {
      if (problems.refsReason == null) {
        conditions.set(GatewayApi.RESOLVED_REFS, true, GatewayApi.REASON_RESOLVED_REFS, "all references resolved");
      } else {
        conditions.set(GatewayApi.RESOLVED_REFS, false, problems.refsReason, String.join("; ", problems.refsMessages));
      }
      conditions.droppedRules(problems.invalidMessages);
    }

    /** The reference as the spec defaults it: group and kind explicit, so readers need not know the defaults. */
    private static ParentReference parentRef(ParentReference parent) {
      return new ParentReference(parent.getGroup() == null ? GatewayApi.GROUP : parent.getGroup(),
          parent.getKind() == null ? GatewayApi.KIND_GATEWAY : parent.getKind(), parent.getName(),
          parent.getNamespace(), parent.getPort(), parent.getSectionName());
    }
  }
}
