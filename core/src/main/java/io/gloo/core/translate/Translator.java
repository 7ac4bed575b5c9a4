package io.gloo.core.translate;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.gloo.core.ir.GatewayIR;
import io.gloo.core.report.StatusReport;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.gatewayapi.GatewayApiTranslator;
import io.gloo.core.translate.policy.PluginInvoker;
import io.gloo.core.translate.policy.PolicyCatalog;
import io.gloo.core.translate.policy.PolicyReports;
import io.gloo.core.translate.policy.PolicyResolver;
import io.gloo.core.translate.xds.InvalidElements;
import io.gloo.core.translate.xds.PolicyApplier;
import io.gloo.core.translate.xds.RouteGuard;
import io.gloo.core.translate.xds.RouteReplacement;
import io.gloo.core.translate.xds.RuleSiblings;
import io.gloo.core.translate.xds.SnapshotRepair;
import io.gloo.core.translate.xds.XdsTranslator;
import io.gloo.core.validate.ProtoConstraintValidator;
import io.gloo.core.validate.SnapshotValidator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The translation engine: resources → intermediate model ({@link GatewayApiTranslator}, which also resolves and
 * merges plugin policies) → Envoy protos ({@link XdsTranslator}, which calls plugin translators). A pure function of
 * the resource snapshot and the policy catalog; one translation at a time. Both stages carry work over from one
 * translation to the next (per-route plans, sorted virtual hosts, protos of unchanged IR), so that a small change
 * costs little at thousands of routes; that never changes the result, which is what a new instance would give.
 *
 * <p>What Envoy would reject never costs a Gateway its snapshot: each route is validated as it is built (Envoy's
 * {@code validate.rules} and the semantic checks) and an invalid one is replaced by a 500 or dropped
 * ({@link RouteReplacement}); each Gateway's resources are then validated as a whole and any element still invalid
 * is taken out ({@link SnapshotRepair}). The affected routes and listeners say so in their statuses
 * ({@code PartiallyInvalid}, see {@link ReplacementStatuses}).
 */
public final class Translator implements AutoCloseable {

  private final GatewayApiTranslator gatewayApi = new GatewayApiTranslator();
  private final io.gloo.core.translate.edge.EdgeTranslator edge = new io.gloo.core.translate.edge.EdgeTranslator();
  /** Validates every route as it is built and each Gateway's resources after; memoizes per proto instance. */
  private final RouteGuard guard;
  private final XdsTranslator xds;
  private final PolicyCatalog catalog;
  private final PluginInvoker invoker;
  private final PolicyApplier.OutputCheck outputCheck;
  private final boolean ownsInvoker;

  /** A translator without plugins. */
  public Translator() {
    this(RouteReplacement.STANDARD);
  }

  /** A translator without plugins, with this treatment of routes Envoy would reject. */
  public Translator(RouteReplacement routeReplacement) {
    this(PolicyCatalog.EMPTY, new PluginInvoker(), PolicyApplier.OutputCheck.NONE, true, routeReplacement);
  }

  /**
   * @param catalog the policy kinds of the loaded plugins
   * @param invoker how plugin code is called (time limit, metrics); owned by the caller
   * @param outputCheck validation of what plugins produce
   */
  public Translator(PolicyCatalog catalog, PluginInvoker invoker, PolicyApplier.OutputCheck outputCheck) {
    this(catalog, invoker, outputCheck, false, RouteReplacement.STANDARD);
  }

  /** As above, with this treatment of routes Envoy would reject ({@code --route-replacement}). */
  public Translator(PolicyCatalog catalog, PluginInvoker invoker, PolicyApplier.OutputCheck outputCheck,
      RouteReplacement routeReplacement) {
    this(catalog, invoker, outputCheck, false, routeReplacement, newValidator());
  }

  /**
   * As above, validating with {@code validator}: the server passes its publisher's, so that the publisher's last
   * check finds every message the translator already validated in their shared memo instead of validating it again.
   */
  public Translator(PolicyCatalog catalog, PluginInvoker invoker, PolicyApplier.OutputCheck outputCheck,
      RouteReplacement routeReplacement, SnapshotValidator validator) {
    this(catalog, invoker, outputCheck, false, routeReplacement, validator);
  }

  private Translator(PolicyCatalog catalog, PluginInvoker invoker, PolicyApplier.OutputCheck outputCheck,
      boolean ownsInvoker, RouteReplacement routeReplacement) {
    this(catalog, invoker, outputCheck, ownsInvoker, routeReplacement, newValidator());
  }

  private static SnapshotValidator newValidator() {
    return new SnapshotValidator(new ProtoConstraintValidator().withMemo());
  }

  private Translator(PolicyCatalog catalog, PluginInvoker invoker, PolicyApplier.OutputCheck outputCheck,
      boolean ownsInvoker, RouteReplacement routeReplacement, SnapshotValidator validator) {
    this.guard = new RouteGuard(java.util.Objects.requireNonNull(validator, "validator"), routeReplacement);
    this.xds = new XdsTranslator(guard);
    this.catalog = catalog;
    this.invoker = invoker;
    this.outputCheck = outputCheck;
    this.ownsInvoker = ownsInvoker;
  }

  public TranslationResult translate(ResourceSnapshot snapshot) {
    PolicyReports reports = new PolicyReports();
    PolicyResolver policies = PolicyResolver.of(snapshot, catalog, invoker, reports);
    GatewayApiTranslator.Result ir = gatewayApi.translate(snapshot, policies);
    // The Gloo Edge API: its proxies go through the same xDS stage (keyed Proxy/<ns>/<name>)
    io.gloo.core.translate.edge.EdgeTranslator.Result edgeIr = edge.translate(snapshot, policies, ir.lookup());
    List<GatewayIR> all = new ArrayList<>(ir.gateways());
    all.addAll(edgeIr.proxies());
    Map<ResourceKey, List<String>> routeProblems = new TreeMap<>();
    Map<ResourceKey, XdsResources> gateways = new HashMap<>();
    Map<ResourceKey, InvalidElements> invalid = new TreeMap<>();
    try {
      for (GatewayIR gateway : all) {
        PolicyApplier applier = new PolicyApplier(gateway.gateway().namespacedName(), invoker, reports, ir.lookup(),
            outputCheck, (route, problem) -> {
              synchronized (routeProblems) {
                routeProblems.computeIfAbsent(route, k -> new ArrayList<>()).add(problem);
              }
            });
        InvalidElements dropped = new InvalidElements();
        XdsResources built = xds.translate(gateway, applier, dropped::route);
        // What the per-route checks cannot see (references between resources, listeners, clusters) is repaired
        // here, so that one bad element never costs the Gateway its snapshot; then a rule is dropped as a whole.
        XdsResources served = RuleSiblings.apply(SnapshotRepair.repair(built, guard, dropped), guard, dropped);
        gateways.put(gateway.gateway(), served);
        if (!dropped.isEmpty()) {
          invalid.put(gateway.gateway(), dropped);
        }
      }
    } finally {
      xds.finishTranslation(); // keeps only this translation's protos for reuse by the next one
    }
    policies.publishToSinks(ir.lookup(), invoker); // before statuses are read: sinks may report on policies
    StatusReport.Builder statuses = ir.statuses();
    routeProblems.forEach((route, problems) -> addRouteProblems(statuses.get(route), problems));
    invalid.forEach((gateway, dropped) -> ReplacementStatuses.apply(statuses, snapshot, gateway, dropped));
    Map<ResourceKey, Object> policyStatuses = reports.statuses();
    policyStatuses.forEach((key, status) -> {
      if (!io.gloo.core.translate.edge.EdgeTranslator.isInlineOptions(key)) {
        statuses.put(key, status);
      }
    });
    List<io.gloo.core.translate.xds.InvalidRoute> invalidRoutes = new ArrayList<>();
    invalid.values().forEach(d -> invalidRoutes.addAll(d.routes()));
    statuses.putAll(edgeIr.statuses(policyStatuses, routeProblems, invalidRoutes));
    Map<io.gloo.core.translate.xds.InvalidRoute.Outcome, Integer> invalidCounts =
        new java.util.EnumMap<>(io.gloo.core.translate.xds.InvalidRoute.Outcome.class);
    invalidRoutes.forEach(r -> invalidCounts.merge(r.outcome(), 1, Integer::sum));
    return new TranslationResult(gateways, statuses.build(), invalidCounts);
  }

  /** Problems found while applying plugin policies: the route is accepted but some rules answer 500. */
  private static void addRouteProblems(Object status, List<String> problems) {
    List<RouteParentStatus> parents = status instanceof HTTPRouteStatus h ? h.getParents()
        : status instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteStatus g ? g.getParents() : null;
    if (parents == null) {
      return;
    }
    String message = String.join("; ", problems.stream().distinct().toList());
    for (RouteParentStatus parent : parents) {
      List<Condition> conditions = new ArrayList<>(parent.getConditions());
      Condition existing = conditions.stream().filter(c -> c.getType().equals("PartiallyInvalid")).findFirst()
          .orElse(null);
      Long generation = conditions.isEmpty() ? null : conditions.get(0).getObservedGeneration();
      if (existing != null) {
        conditions.remove(existing);
        message = existing.getMessage() + "; " + message;
      }
      conditions.add(new Condition(null, message, generation, "UnsupportedValue", "True", "PartiallyInvalid"));
      parent.setConditions(conditions);
    }
  }

  /** Releases the invoker's threads if this translator created it. */
  @Override
  public void close() {
    if (ownsInvoker) {
      invoker.close();
    }
  }
}
