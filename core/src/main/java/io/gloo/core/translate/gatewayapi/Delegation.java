package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.gloo.core.ir.CorsIR;
import io.gloo.core.ir.HeaderEditsIR;
import io.gloo.core.ir.RouteActionIR;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.report.StatusReport;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.policy.DelegationLevel;
import io.gloo.core.translate.policy.PolicyResource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * HTTPRoute delegation (Gloo 1.17+): a rule whose backendRef is an HTTPRoute ({@code group:
 * gateway.networking.k8s.io, kind: HTTPRoute}, by name, or {@code name: "*"} for every HTTPRoute of the namespace) or
 * a label ({@code group: delegation.gateway.solo.io, kind: label, name: VALUE}: the HTTPRoutes labelled
 * {@value #LABEL} = VALUE in the namespace, or in every namespace with {@code namespace: all}) is served by the
 * matching rules of those child routes instead of a backend (see {@link DelegationMatches}). Children inherit the
 * parent's hostnames (one with hostnames of its own is rejected), may delegate further, and get the parent rule's
 * plugin policies merged over theirs ({@link DelegationLevel}, with the parent's {@value #POLICY_OVERRIDES}
 * annotation). A child already on the way from the Gateway is a cycle: reported on the parent and skipped.
 *
 * <p>Each child gets a parent status naming the parent HTTPRoute (Accepted, ResolvedRefs, PartiallyInvalid) once the
 * translation ends ({@link #putStatuses}); so does a route whose parentRef names an HTTPRoute that did not delegate to
 * it. One instance per translation; not thread-safe.
 */
final class Delegation {

  static final String LABEL_GROUP = "delegation.gateway.solo.io";
  static final String LABEL_KIND = "label";
  static final String LABEL = "delegation.gateway.solo.io/label";
  static final String ALL_NAMESPACES = "all";
  static final String POLICY_OVERRIDES = "delegation.gateway.solo.io/enable-policy-overrides";
  /** Delegation levels below a Gateway-attached route: bounds what a deep lattice of routes can expand to. */
  static final int MAX_DEPTH = 8;

  /** One delegating rule match on the way from the Gateway-attached route to a child; the innermost first. */
  record Frame(ResourceKey route, int rule, HTTPRouteMatch match, DelegationLevel policies, RuleEdits edits,
      Frame parent, int depth) {

    boolean passesThrough(ResourceKey key) {
      for (Frame f = this; f != null; f = f.parent) {
        if (f.route.equals(key)) {
          return true;
        }
      }
      return false;
    }

    /** The policy levels of the delegating rules, nearest first. */
    List<DelegationLevel> levels() {
      List<DelegationLevel> levels = new ArrayList<>();
      for (Frame f = this; f != null; f = f.parent) {
        levels.add(f.policies);
      }
      return levels;
    }

    String describe() {
      return GatewayApi.KIND_HTTPROUTE + " " + route.namespacedName() + " rule " + rule;
    }
  }

  /**
   * What a delegating rule does to its delegated routes besides policies: header edits and CORS that replace the
   * child's (null: the child's stay), timeouts and retry a forwarding child inherits unless it sets its own (as
   * kgateway's delegation passes a parent rule's timeouts), or a 500 answer when a filter of the rule could not be
   * applied.
   */
  record RuleEdits(HeaderEditsIR requestHeaders, HeaderEditsIR responseHeaders, CorsIR cors,
      RouteActionIR.Timeouts timeouts, RouteActionIR.Retry retry, boolean failClosed) {

    RouteIR applyTo(RouteIR r) {
      if (requestHeaders == null && responseHeaders == null && cors == null && timeouts == null && retry == null
          && !failClosed) {
        return r;
      }
      RouteActionIR action = r.action();
      if (failClosed) {
        action = new RouteActionIR.DirectResponse(500, null);
      } else if (action instanceof RouteActionIR.Forward f && (timeouts != null && f.timeouts() == null
          || retry != null && f.retry() == null)) {
        action = new RouteActionIR.Forward(f.backends(), f.rewrite(), f.mirrors(),
            f.timeouts() != null ? f.timeouts() : timeouts, f.retry() != null ? f.retry() : retry, f.websocket());
      }
      return new RouteIR(r.name(), r.match(), action,
          requestHeaders != null ? requestHeaders : r.requestHeaders(),
          responseHeaders != null ? responseHeaders : r.responseHeaders(), r.source(), r.policies(),
          cors != null ? cors : r.cors());
    }
  }

  /** Translates a child's rules (null entries are skipped) below a frame. */
  interface ChildRules {
    List<RouteIR> translate(HTTPRoute child, List<HTTPRouteRule> rules, RuleTranslator.Problems problems, Frame frame);
  }

  /** What happened to one child under one parent route, over all of the parent's delegating matches. */
  private static final class ChildReport {
    String rejectReason;
    String rejectMessage;
    boolean accepted;
    String refsReason;
    final Set<String> refsMessages = new LinkedHashSet<>();
    final Set<String> invalidMessages = new LinkedHashSet<>();
  }

  private final ResourceSnapshot snapshot;
  private Map<String, List<HTTPRoute>> byNamespace;
  /** child → parent route → report. */
  private final Map<ResourceKey, Map<ResourceKey, ChildReport>> reports = new TreeMap<>();

  Delegation(ResourceSnapshot snapshot) {
    this.snapshot = snapshot;
  }

  static boolean isDelegation(HTTPBackendRef ref) {
    return GatewayApi.GROUP.equals(ref.getGroup()) && GatewayApi.KIND_HTTPROUTE.equals(ref.getKind())
        || LABEL_GROUP.equals(ref.getGroup()) && LABEL_KIND.equals(ref.getKind());
  }

  static boolean delegates(HTTPRouteRule rule) {
    return rule.getBackendRefs() != null && rule.getBackendRefs().stream().anyMatch(Delegation::isDelegation);
  }

  /** The rule with its other backendRefs only (they still make a route of the parent), or null when it has none. */
  static HTTPRouteRule withoutDelegation(HTTPRouteRule rule) {
    List<HTTPBackendRef> others = rule.getBackendRefs().stream().filter(r -> !isDelegation(r)).toList();
    if (others.isEmpty()) {
      return null;
    }
    return new HTTPRouteRule(others, rule.getFilters(), rule.getMatches(), rule.getName(), rule.getRetry(),
        rule.getSessionPersistence(), rule.getTimeouts());
  }

  /**
   * The routes a delegating rule of {@code parent} expands to: for each of its matches, the children each delegating
   * backendRef selects, translated below a new frame. Problems of the parent (no child found, a cycle, too deep) go
   * to {@code problems}; the children's go to their own statuses.
   *
   * @param policies the rule's own plugin policies, unmerged, highest priority first
   */
  List<RouteIR> expand(HTTPRoute parent, int ruleIndex, HTTPRouteRule rule, List<PolicyResource> policies,
      RuleEdits edits, RuleTranslator.Problems problems, Frame outer, ChildRules children) {
    ResourceKey parentKey = ResourceKey.of(parent);
    int depth = outer == null ? 1 : outer.depth + 1;
    if (depth > MAX_DEPTH) {
      problems.invalidMessages.add("rule " + ruleIndex + ": delegation deeper than " + MAX_DEPTH
          + " levels; its delegated routes are not served");
      return List.of();
    }
    DelegationLevel level = new DelegationLevel(policies, overrides(parent));
    List<HTTPRouteMatch> matches = rule.getMatches() == null || rule.getMatches().isEmpty()
        ? List.of(new HTTPRouteMatch()) : rule.getMatches();
    List<RouteIR> result = new ArrayList<>();
    for (HTTPRouteMatch match : matches) {
      Frame frame = new Frame(parentKey, ruleIndex, match, level, edits, outer, depth);
      for (HTTPBackendRef ref : rule.getBackendRefs()) {
        if (!isDelegation(ref)) {
          continue;
        }
        List<HTTPRoute> selected = select(parent, ref);
        if (selected.isEmpty()) {
          problems.refFailure(GatewayApi.REASON_BACKEND_NOT_FOUND, "rule " + ruleIndex + ": unresolved reference "
              + describe(parent, ref));
          continue;
        }
        for (HTTPRoute child : selected) {
          result.addAll(delegate(child, parentKey, ruleIndex, match, ref, frame, problems, children));
        }
      }
    }
    return result;
  }

  private List<RouteIR> delegate(HTTPRoute child, ResourceKey parentKey, int ruleIndex, HTTPRouteMatch match,
      HTTPBackendRef ref, Frame frame, RuleTranslator.Problems problems, ChildRules children) {
    ResourceKey childKey = ResourceKey.of(child);
    if (frame.passesThrough(childKey)) {
      problems.refFailure(GatewayApi.REASON_REF_NOT_PERMITTED, "rule " + ruleIndex + ": cyclic reference detected "
          + "while evaluating delegated routes for parent: " + parentKey.namespacedName() + "; child route "
          + childKey.namespacedName() + " will be ignored");
      return List.of();
    }
    ChildReport report = reports.computeIfAbsent(childKey, k -> new LinkedHashMap<>())
        .computeIfAbsent(parentKey, k -> new ChildReport());
    if (child.getSpec() != null && child.getSpec().getHostnames() != null
        && !child.getSpec().getHostnames().isEmpty()) {
      report.rejectReason = GatewayApi.REASON_UNSUPPORTED_VALUE;
      report.rejectMessage = "spec.hostnames must be unset on a delegatee route as they are inherited from the "
          + "parent route";
      return List.of();
    }
    List<HTTPRouteRule> rules = DelegationMatches.within(match, parentKey, child);
    if (rules.stream().allMatch(r -> r == null)) {
      if (!"*".equals(ref.getName()) && GatewayApi.KIND_HTTPROUTE.equals(ref.getKind()) && !report.accepted) {
        report.rejectReason = GatewayApi.REASON_NO_MATCHING_PARENT;
        report.rejectMessage = "no match of the route lies within the match of " + frame.describe()
            + " (path prefix, headers, query parameters, method; and parentRefs, if any, must name that route)";
      }
      return List.of();
    }
    RuleTranslator.Problems own = new RuleTranslator.Problems();
    List<RouteIR> routes = children.translate(child, rules, own, frame);
    report.accepted = true;
    report.rejectReason = null;
    if (own.refsReason != null && report.refsReason == null) {
      report.refsReason = own.refsReason;
    }
    report.refsMessages.addAll(own.refsMessages);
    report.invalidMessages.addAll(own.invalidMessages);
    List<RouteIR> edited = new ArrayList<>(routes.size());
    for (RouteIR r : routes) {
      edited.add(frame.edits().applyTo(r));
    }
    return edited;
  }

  /** The HTTPRoutes a delegating backendRef selects, sorted by namespace and name. */
  private List<HTTPRoute> select(HTTPRoute parent, HTTPBackendRef ref) {
    String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty()
        ? parent.getMetadata().getNamespace() : ref.getNamespace();
    if (LABEL_GROUP.equals(ref.getGroup())) {
      List<HTTPRoute> result = new ArrayList<>();
      for (HTTPRoute r : ALL_NAMESPACES.equals(ns) ? snapshot.list(HTTPRoute.class) : inNamespace(ns)) {
        Map<String, String> labels = r.getMetadata().getLabels();
        if (labels != null && ref.getName() != null && ref.getName().equals(labels.get(LABEL)) && r != parent) {
          result.add(r);
        }
      }
      return result;
    }
    if ("*".equals(ref.getName())) {
      return inNamespace(ns);
    }
    return snapshot.get(HTTPRoute.class, ns, ref.getName()).map(List::of).orElse(List.of());
  }

  private List<HTTPRoute> inNamespace(String ns) {
    if (byNamespace == null) {
      byNamespace = new HashMap<>();
      for (HTTPRoute r : snapshot.list(HTTPRoute.class)) {
        byNamespace.computeIfAbsent(r.getMetadata().getNamespace(), k -> new ArrayList<>()).add(r);
      }
    }
    return byNamespace.getOrDefault(ns, List.of());
  }

  private static String describe(HTTPRoute parent, HTTPBackendRef ref) {
    String ns = ref.getNamespace() == null ? parent.getMetadata().getNamespace() : ref.getNamespace();
    if (LABEL_GROUP.equals(ref.getGroup())) {
      return "HTTPRoutes labelled " + LABEL + "=" + ref.getName() + " in namespace " + ns;
    }
    return "*".equals(ref.getName()) ? "HTTPRoutes in namespace " + ns : GatewayApi.KIND_HTTPROUTE + " " + ns + "/"
        + ref.getName();
  }

  /**
   * The parent's {@value #POLICY_OVERRIDES} annotation: {@code *} or comma-separated field names, in lower case.
   * Absent or blank: children override nothing.
   */
  static Set<String> overrides(HTTPRoute parent) {
    Map<String, String> annotations = parent.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(POLICY_OVERRIDES);
    if (value == null || value.isBlank()) {
      return Set.of();
    }
    if (value.trim().equals(DelegationLevel.ALL_FIELDS)) {
      return Set.of(DelegationLevel.ALL_FIELDS);
    }
    Set<String> fields = new LinkedHashSet<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        fields.add(part.trim().toLowerCase(Locale.ROOT));
      }
    }
    return fields;
  }

  /**
   * Adds each child's parent statuses (one per parent route that delegated to it) to the route's status, and a
   * NoMatchingParent status for each parentRef of kind HTTPRoute that named a route which did not delegate to it.
   */
  void putStatuses(StatusReport.Builder statuses) {
    for (HTTPRoute route : snapshot.list(HTTPRoute.class)) {
      ResourceKey key = ResourceKey.of(route);
      Map<ResourceKey, ChildReport> byParent = reports.getOrDefault(key, Map.of());
      List<RouteParentStatus> added = new ArrayList<>();
      Set<ResourceKey> reported = new LinkedHashSet<>();
      for (Map.Entry<ResourceKey, ChildReport> e : byParent.entrySet()) {
        if (!e.getValue().accepted && e.getValue().rejectReason == null) {
          continue; // selected by "*" or a label, but no match of it lies within the parent's: meant for another
        }
        reported.add(e.getKey());
        added.add(parentStatus(e.getKey(), conditions(route, e.getValue(), e.getKey())));
      }
      List<ParentReference> refs = route.getSpec() == null || route.getSpec().getParentRefs() == null
          ? List.of() : route.getSpec().getParentRefs();
      for (ParentReference ref : refs) {
        if (!isRouteParent(ref)) {
          continue;
        }
        String ns = ref.getNamespace() == null ? key.namespace() : ref.getNamespace();
        ResourceKey parentKey = new ResourceKey(GatewayApi.KIND_HTTPROUTE, ns, ref.getName());
        if (reported.add(parentKey)) {
          Conditions c = new Conditions(route.getMetadata().getGeneration());
          c.set(GatewayApi.ACCEPTED, false, GatewayApi.REASON_NO_MATCHING_PARENT, "HTTPRoute "
              + parentKey.namespacedName() + " does not delegate to this route (it does not exist, is not attached to "
              + "a Gateway of ours, or no rule of it selects this route with a match this route's matches lie within)");
          added.add(parentStatus(parentKey, c));
        }
      }
      if (added.isEmpty()) {
        continue;
      }
      List<RouteParentStatus> parents = new ArrayList<>();
      if (statuses.get(key) instanceof HTTPRouteStatus existing && existing.getParents() != null) {
        parents.addAll(existing.getParents());
      }
      parents.addAll(added);
      HTTPRouteStatus status = new HTTPRouteStatus();
      status.setParents(parents);
      statuses.put(key, status);
    }
  }

  /** A parentRef naming an HTTPRoute (the group defaults to the Gateway API's, as the spec says). */
  static boolean isRouteParent(ParentReference ref) {
    return (ref.getGroup() == null || GatewayApi.GROUP.equals(ref.getGroup()))
        && GatewayApi.KIND_HTTPROUTE.equals(ref.getKind());
  }

  private static Conditions conditions(HTTPRoute route, ChildReport report, ResourceKey parentKey) {
    Conditions c = new Conditions(route.getMetadata().getGeneration());
    if (!report.accepted) {
      c.set(GatewayApi.ACCEPTED, false, report.rejectReason, report.rejectMessage);
      return c;
    }
    c.set(GatewayApi.ACCEPTED, true, GatewayApi.REASON_ACCEPTED, "delegated from HTTPRoute "
        + parentKey.namespacedName());
    if (report.refsReason == null) {
      c.set(GatewayApi.RESOLVED_REFS, true, GatewayApi.REASON_RESOLVED_REFS, "all references resolved");
    } else {
      c.set(GatewayApi.RESOLVED_REFS, false, report.refsReason, String.join("; ", report.refsMessages));
    }
    c.droppedRules(new ArrayList<>(report.invalidMessages));
    return c;
  }

  private static RouteParentStatus parentStatus(ResourceKey parent, Conditions conditions) {
    RouteParentStatus status = new RouteParentStatus();
    status.setParentRef(new ParentReference(GatewayApi.GROUP, GatewayApi.KIND_HTTPROUTE, parent.name(),
        parent.namespace(), null, null));
    status.setControllerName(GatewayApi.CONTROLLER_NAME);
    status.setConditions(conditions.build());
    return status;
  }
}
