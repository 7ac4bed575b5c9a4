package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalObjectReference;
import io.gloo.core.ir.CorsIR;
import io.gloo.core.ir.HeaderEditsIR;
import io.gloo.core.ir.RouteActionIR;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.RouteSource;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.policy.AppliedPolicy;
import io.gloo.core.translate.policy.DelegationLevel;
import io.gloo.core.translate.policy.PolicyResolver;
import io.gloo.core.translate.policy.PolicyResource;
import io.gloo.core.translate.policy.RegisteredKind;
import io.gloo.spi.policy.Attachment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Translates the rules of one HTTPRoute into IR routes (one per match) and records what could not be resolved.
 * A rule that cannot be translated becomes a direct 500 response; the route's other rules are unaffected. How a
 * match becomes an IR match: {@link RouteMatches}; how backendRefs and mirrors resolve: {@link RuleBackends}.
 */
final class RuleTranslator {

  /** Problems found in one route, split by the status condition they belong to. */
  static final class Problems {
    /** First ResolvedRefs failure reason, and every message. */
    String refsReason;
    final List<String> refsMessages = new ArrayList<>();
    /** Rules answered with 500 because a field is unsupported or invalid. */
    final List<String> invalidMessages = new ArrayList<>();

    void refFailure(String reason, String message) {
      if (refsReason == null) {
        refsReason = reason;
      }
      refsMessages.add(message);
    }
  }

  private final RuleBackends ruleBackends;
  private final PolicyResolver policies;
  private final Delegation delegation;
  private final DirectResponses directResponses;

  RuleTranslator(Backends backends, PolicyResolver policies, Delegation delegation,
      DirectResponses directResponses) {
    this.ruleBackends = new RuleBackends(backends);
    this.policies = policies;
    this.delegation = delegation;
    this.directResponses = directResponses;
  }

  List<RouteIR> translate(HTTPRoute route, Problems problems, RouteInputs inputs) {
    List<HTTPRouteRule> rules = route.getSpec() == null || route.getSpec().getRules() == null
        ? List.of() : route.getSpec().getRules();
    return translate(route, GatewayApi.KIND_HTTPROUTE, rules, problems, inputs);
  }

  /**
   * Translates rules in HTTPRoute form; GRPCRoutes come here after {@link GrpcRoutes#asHttpRules} expressed their
   * matches as HTTP paths and headers.
   */
  List<RouteIR> translate(HasMetadata route, String routeKind, List<HTTPRouteRule> rules, Problems problems,
      RouteInputs inputs) {
    return translate(route, routeKind, rules, problems, inputs, null);
  }

  /**
   * @param rules null entries are skipped (rules of a delegated route that its parent's match does not let through)
   * @param frame the delegating rule above {@code route}, or null for a route attached to a Gateway
   */
  private List<RouteIR> translate(HasMetadata route, String routeKind, List<HTTPRouteRule> rules, Problems problems,
      RouteInputs inputs, Delegation.Frame frame) {
    ResourceKey key = ResourceKey.of(route);
    String prefix = routeKind.toLowerCase(Locale.ROOT);
    List<RouteIR> result = new ArrayList<>();
    for (int r = 0; r < rules.size(); r++) {
      HTTPRouteRule rule = rules.get(r);
      if (rule == null) {
        continue;
      }
      if (route instanceof HTTPRoute http && Delegation.delegates(rule)) {
        result.addAll(delegate(http, r, rule, problems, inputs, frame));
        rule = Delegation.withoutDelegation(rule);
        if (rule == null) {
          continue; // only delegates: the parent itself serves nothing for this rule
        }
      }
      RuleParts parts = ruleParts(route, routeKind, r, rule, problems, inputs, frame);
      List<HTTPRouteMatch> matches = rule.getMatches() == null || rule.getMatches().isEmpty()
          ? List.of(new HTTPRouteMatch()) : rule.getMatches();
      for (int m = 0; m < matches.size(); m++) {
        RouteSource source = new RouteSource(key, r, rule.getName(), m);
        String name = prefix + "/" + key.namespace() + "/" + key.name() + "/" + r + "/" + m;
        RouteMatches.MatchOrError match = RouteMatches.match(matches.get(m));
        RouteActionIR action = parts.action;
        if (match.error() != null) {
          // An invalid match cannot be expressed, and serving it as "/" would capture other traffic: drop it.
          problems.invalidMessages.add("rule " + r + " matches[" + m + "]: " + match.error()
              + "; the match is dropped");
          continue;
        }
        result.add(new RouteIR(name, match.match(), parts.action, parts.requestHeaders, parts.responseHeaders, source,
            parts.policies, parts.cors));
      }
    }
    return result;
  }

  /** The match-independent part of a rule. */
  private record RuleParts(RouteActionIR action, HeaderEditsIR requestHeaders, HeaderEditsIR responseHeaders,
      List<AppliedPolicy> policies, CorsIR cors) {}

  /**
   * A delegating rule's routes: its delegated children's, with the rule's ExtensionRef and targetRef policies for
   * them to inherit, and its header modifier and CORS filters replacing theirs (Gloo applies the parent's route
   * plugins over the child's), and its timeouts and retry for children that set none. Other filters on such a rule
   * (URLRewrite, RequestRedirect, RequestMirror) and sessionPersistence are not carried to the children: they answer
   * 500 (reported), as does a child below an ExtensionRef that does not resolve.
   */
  private List<RouteIR> delegate(HTTPRoute route, int index, HTTPRouteRule rule, Problems problems,
      RouteInputs inputs, Delegation.Frame frame) {
    inputs.notReusable("delegates to HTTPRoutes"); // its routes depend on other routes and their policies
    List<PolicyResource> extensionRefs = new ArrayList<>();
    HeaderEditsIR requestHeaders = null;
    HeaderEditsIR responseHeaders = null;
    CorsIR cors = null;
    boolean failClosed = false;
    List<HTTPRouteFilter> filters = rule.getFilters() == null ? List.of() : rule.getFilters();
    for (int f = 0; f < filters.size(); f++) {
      HTTPRouteFilter filter = filters.get(f);
      String type = filter.getType() == null ? "" : filter.getType();
      String field = "rule " + index + " filters[" + f + "]";
      String invalidValue = FilterValues.invalid(filter);
      if (invalidValue != null) {
        failClosed = true;
        problems.invalidMessages.add(field + "." + invalidValue + "; its delegated routes answer 500");
        continue;
      }
      switch (type) {
        case "RequestHeaderModifier" -> requestHeaders = RuleFilters.headerEdits(filter.getRequestHeaderModifier());
        case "ResponseHeaderModifier" -> responseHeaders = RuleFilters.headerEdits(filter.getResponseHeaderModifier());
        case "CORS" -> cors = RuleFilters.cors(filter.getCors());
        case "ExtensionRef" -> {
          if (DirectResponses.is(filter)) {
            failClosed = true;
            problems.invalidMessages.add(field + ": IncompatibleFilters: a DirectResponse cannot be combined with "
                + "backendRefs to HTTPRoutes (delegation); its delegated routes answer 500");
            continue;
          }
          PolicyResource policy = extensionRef(route, filter.getExtensionRef(), field, problems, inputs);
          if (policy == null) {
            failClosed = true;
          } else {
            extensionRefs.add(policy);
          }
        }
        default -> {
          failClosed = true;
          problems.invalidMessages.add(field + ": filter type " + type + " on a rule that delegates to HTTPRoutes "
              + "is not supported; its delegated routes answer 500");
        }
      }
    }
    RouteActionIR.Timeouts timeouts = null;
    RouteActionIR.Retry retry = null;
    try {
      timeouts = rule.getTimeouts() == null ? null : RuleFilters.timeouts(rule.getTimeouts());
    } catch (IllegalArgumentException e) {
      failClosed = true;
      problems.invalidMessages.add("rule " + index + " timeouts: " + e.getMessage()
          + "; its delegated routes answer 500");
    }
    try {
      retry = rule.getRetry() == null ? null : RuleFilters.retry(rule.getRetry());
    } catch (IllegalArgumentException e) {
      failClosed = true;
      problems.invalidMessages.add("rule " + index + " retry: " + e.getMessage() + "; its delegated routes answer 500");
    }
    for (String field : unsupportedOnDelegatingRule(rule)) {
      failClosed = true;
      problems.invalidMessages.add("rule " + index + " " + field + ": not supported on a rule that delegates to "
          + "HTTPRoutes; its delegated routes answer 500");
    }
    List<PolicyResource> own = policies.orderedForRule(ResourceKey.of(route), rule.getName(), extensionRefs);
    Delegation.RuleEdits edits = new Delegation.RuleEdits(requestHeaders, responseHeaders, cors, timeouts, retry,
        failClosed);
    return delegation.expand(route, index, rule, own, edits, problems, frame,
        (child, rules, childProblems, childFrame) -> translate(child, GatewayApi.KIND_HTTPROUTE, rules,
            childProblems, inputs, childFrame));
  }

  /** The rule fields a delegating rule cannot pass to its children yet. */
  private static List<String> unsupportedOnDelegatingRule(HTTPRouteRule rule) {
    List<String> fields = new ArrayList<>();
    if (rule.getSessionPersistence() != null) {
      fields.add("sessionPersistence");
    }
    return fields;
  }

  /** Resolves an ExtensionRef filter to a plugin policy; null when it cannot be (recorded in {@code problems}). */
  private PolicyResource extensionRef(HasMetadata route, LocalObjectReference ref, String field, Problems problems,
      RouteInputs inputs) {
    Optional<RegisteredKind> kind = ref == null ? Optional.empty()
        : policies.kind(ref.getGroup(), ref.getKind(), Attachment.EXTENSION_REF);
    if (ref != null) {
      inputs.pluginKind(ref.getGroup(), ref.getKind(), Attachment.EXTENSION_REF, kind.isPresent());
    }
    String what = ref == null ? "(missing extensionRef)" : ref.getGroup() + "/" + ref.getKind() + " " + ref.getName();
    if (kind.isEmpty()) {
      // Never skipped: requests that would have used the filter get an error instead.
      problems.refFailure(GatewayApi.REASON_INVALID_KIND,
          field + ": ExtensionRef " + what + " is not served by any installed plugin; the rule answers 500");
      return null;
    }
    PolicyResolver.Resolution resolution =
        policies.resolve(kind.get(), route.getMetadata().getNamespace(), ref.getName());
    if (!resolution.resolved()) {
      problems.refFailure(resolution.rejected() ? GatewayApi.REASON_POLICY_REJECTED
          : GatewayApi.REASON_BACKEND_NOT_FOUND,
          field + ": ExtensionRef " + resolution.problem() + "; the rule answers 500");
      return null;
    }
    return resolution.policy();
  }

  private RuleParts ruleParts(HasMetadata route, String routeKind, int index, HTTPRouteRule rule,
      Problems problems, RouteInputs inputs, Delegation.Frame frame) {
    HeaderEditsIR requestHeaders = HeaderEditsIR.NONE;
    HeaderEditsIR responseHeaders = HeaderEditsIR.NONE;
    RouteActionIR.Redirect redirect = null;
    RouteActionIR.UrlRewrite rewrite = null;
    String failure = null;
    String where = "rule " + index;
    List<PolicyResource> extensionRefs = new ArrayList<>();
    List<RouteActionIR.Mirror> mirrors = new ArrayList<>();
    CorsIR cors = null;

    List<HTTPRouteFilter> filters = rule.getFilters() == null ? List.of() : rule.getFilters();
    for (int f = 0; f < filters.size() && failure == null; f++) {
      HTTPRouteFilter filter = filters.get(f);
      String type = filter.getType() == null ? "" : filter.getType();
      String field = where + " filters[" + f + "]";
      String invalidValue = FilterValues.invalid(filter);
      if (invalidValue != null) {
        failure = field + "." + invalidValue + "; the rule answers 500";
        problems.invalidMessages.add(failure);
        break;
      }
      switch (type) {
        case "RequestHeaderModifier" -> requestHeaders = RuleFilters.headerEdits(filter.getRequestHeaderModifier());
        case "ResponseHeaderModifier" -> responseHeaders = RuleFilters.headerEdits(filter.getResponseHeaderModifier());
        case "RequestRedirect" -> redirect = RuleFilters.redirect(filter.getRequestRedirect());
        case "URLRewrite" -> rewrite = RuleFilters.rewrite(filter.getUrlRewrite());
        case "RequestMirror" -> ruleBackends.mirror(route, routeKind, field, filter.getRequestMirror(), problems,
            inputs).ifPresent(mirrors::add);
        case "CORS" -> cors = RuleFilters.cors(filter.getCors());
        case "ExtensionRef" -> {
          if (DirectResponses.is(filter)) {
            continue; // core's kind: resolved with the rule's other actions below
          }
          PolicyResource policy = extensionRef(route, filter.getExtensionRef(), field, problems, inputs);
          if (policy == null) {
            failure = "unresolved ExtensionRef";
          } else {
            extensionRefs.add(policy);
          }
        }
        default -> {
          failure = field + ": filter type " + type + " is not supported yet; the rule answers 500";
          problems.invalidMessages.add(failure);
        }
      }
    }
    RouteActionIR.Timeouts timeouts = null;
    if (rule.getTimeouts() != null) {
      try {
        timeouts = RuleFilters.timeouts(rule.getTimeouts());
      } catch (IllegalArgumentException e) {
        failure = where + " timeouts: " + e.getMessage() + "; the rule answers 500";
        problems.invalidMessages.add(failure);
      }
    }
    RouteActionIR.Retry retry = null;
    if (rule.getRetry() != null) {
      try {
        retry = RuleFilters.retry(rule.getRetry());
      } catch (IllegalArgumentException e) {
        failure = where + " retry: " + e.getMessage() + "; the rule answers 500";
        problems.invalidMessages.add(failure);
      }
    }
    if (rule.getSessionPersistence() != null) {
      failure = where + " sessionPersistence: not supported; the rule answers 500";
      problems.invalidMessages.add(failure);
    }
    DirectResponses.Outcome direct = failure != null ? null : directResponses.forRule(route, where, rule,
        rule.getBackendRefs() != null && !rule.getBackendRefs().isEmpty(), inputs);
    if (direct != null && direct.failed()) {
      failure = direct.problem();
      if (direct.refsReason() != null) {
        problems.refFailure(direct.refsReason(), direct.problem());
      } else {
        problems.invalidMessages.add(direct.problem());
      }
    }
    // A guarding policy (auth, RBAC, WAF) that targets the rule but cannot be applied closes it, as an unresolved
    // ExtensionRef does: same answer (500), same condition (ResolvedRefs False).
    for (PolicyResource closing : policies.closing(ResourceKey.of(route), index, rule.getName())) {
      problems.refFailure(closing.orphaned() ? GatewayApi.REASON_INVALID_KIND : GatewayApi.REASON_POLICY_REJECTED,
          where + ": " + closing.closure() + "; the rule answers 500 (fail-closed)");
      inputs.notReusable("a fail-closed policy targets it");
      failure = "fail-closed policy";
    }
    if (failure != null) {
      return new RuleParts(new RouteActionIR.DirectResponse(500, null), requestHeaders, responseHeaders, List.of(),
          null);
    }
    List<AppliedPolicy> applied = frame == null
        ? policies.forRule(ResourceKey.of(route), index, rule.getName(), extensionRefs)
        : delegatedPolicies(ResourceKey.of(route), index, rule.getName(), extensionRefs, frame);
    if (!applied.isEmpty()) {
      inputs.notReusable("plugin policies apply");
    }
    if (redirect != null) {
      return new RuleParts(redirect, requestHeaders, responseHeaders, applied, cors);
    }
    if (direct != null && direct.action() != null) {
      return new RuleParts(direct.action(), requestHeaders, responseHeaders, applied, cors);
    }
    RouteActionIR action = ruleBackends.forward(route, routeKind, index, rule, rewrite, problems, inputs);
    if (action instanceof RouteActionIR.Forward f) {
      action = new RouteActionIR.Forward(f.backends(), f.rewrite(), mirrors, timeouts, retry, f.websocket());
    }
    return new RuleParts(action, requestHeaders, responseHeaders, applied, cors);
  }

  /** A delegated rule's policies: its own, then those of each delegating rule above it, merged as Gloo does. */
  private List<AppliedPolicy> delegatedPolicies(ResourceKey route, int index, String ruleName,
      List<PolicyResource> extensionRefs, Delegation.Frame frame) {
    List<DelegationLevel> levels = new ArrayList<>();
    levels.add(new DelegationLevel(policies.orderedForRule(route, ruleName, extensionRefs), java.util.Set.of()));
    levels.addAll(frame.levels());
    if (levels.stream().allMatch(l -> l.ordered().isEmpty())) {
      return List.of();
    }
    return policies.forDelegatedRule(levels, route.kind() + " " + route.namespacedName() + " rule " + index
        + " (delegated from " + frame.describe() + ")");
  }
}
