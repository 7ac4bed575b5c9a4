package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalObjectReference;
import io.gloo.core.ir.RouteActionIR;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gloo Gateway's {@code gateway.gloo.solo.io/v1alpha1 DirectResponse} ({@code spec.status}, {@code spec.body}),
 * served by core as the OSS Gloo Gateway serves it: a rule names one with an {@code ExtensionRef} filter and answers
 * with that status and body instead of forwarding. Gloo's rules, each breaking only the rule (it answers 500):
 * <ul>
 *   <li>one DirectResponse per rule; several are incompatible filters;</li>
 *   <li>not with backendRefs, nor with a RequestRedirect, URLRewrite or RequestMirror filter (the rule would have
 *       two actions); header modifiers and CORS still apply to the response;</li>
 *   <li>not on a rule that delegates to HTTPRoutes;</li>
 *   <li>the DirectResponse must exist in the route's namespace (ResolvedRefs False, BackendNotFound) and be valid:
 *       {@code status} 200–599, {@code body} at most 4096 bytes (ResolvedRefs False, Rejected; the CRD refuses such
 *       objects in Kubernetes, directory mode reports them here).</li>
 * </ul>
 * Stateless apart from the snapshot it reads.
 */
final class DirectResponses {

  static final String GROUP = "gateway.gloo.solo.io";
  static final String KIND = "DirectResponse";
  static final String API_VERSION = GROUP + "/v1alpha1";
  static final int MAX_BODY_BYTES = 4096;

  /**
   * A rule's direct response: the action (the DirectResponse's, or null when the rule has none), or why the rule
   * answers 500 instead ({@code refsReason} set for a ResolvedRefs failure, else an incompatible-filters problem).
   */
  record Outcome(RouteActionIR.DirectResponse action, String refsReason, String problem) {
    boolean failed() {
      return problem != null;
    }
  }

  private static final Outcome NONE = new Outcome(null, null, null);

  private final ResourceSnapshot snapshot;

  DirectResponses(ResourceSnapshot snapshot) {
    this.snapshot = snapshot;
  }

  /** Whether the filter is an ExtensionRef to a DirectResponse (core serves it; no plugin is asked). */
  static boolean is(HTTPRouteFilter filter) {
    return "ExtensionRef".equals(filter.getType()) && is(filter.getExtensionRef());
  }

  static boolean is(LocalObjectReference ref) {
    return ref != null && GROUP.equals(ref.getGroup()) && KIND.equals(ref.getKind());
  }

  /** Whether any filter of the rule names a DirectResponse. */
  static boolean named(HTTPRouteRule rule) {
    return rule.getFilters() != null && rule.getFilters().stream().anyMatch(DirectResponses::is);
  }

  /**
   * The direct response of a rule that is not delegating.
   *
   * @param where the rule, for messages ({@code rule 2})
   * @param forwards whether the rule also has backendRefs
   */
  Outcome forRule(HasMetadata route, String where, HTTPRouteRule rule, boolean forwards, RouteInputs inputs) {
    List<HTTPRouteFilter> filters = rule.getFilters() == null ? List.of() : rule.getFilters();
    List<Integer> refs = new ArrayList<>();
    List<String> conflicting = new ArrayList<>();
    for (int f = 0; f < filters.size(); f++) {
      HTTPRouteFilter filter = filters.get(f);
      if (is(filter)) {
        refs.add(f);
      } else if (List.of("RequestRedirect", "URLRewrite", "RequestMirror").contains(filter.getType())) {
        conflicting.add("filters[" + f + "] (" + filter.getType() + ")");
      }
    }
    if (refs.isEmpty()) {
      return NONE;
    }
    inputs.notReusable("names a DirectResponse"); // its answer is the DirectResponse's, which may change alone
    String field = where + " filters[" + refs.get(0) + "]";
    if (refs.size() > 1) {
      return new Outcome(null, null, where + ": IncompatibleFilters: " + refs.size() + " DirectResponse ExtensionRefs"
          + " (filters" + refs + "), at most one per rule; the rule answers 500");
    }
    if (forwards) {
      conflicting.add(0, "backendRefs");
    }
    if (!conflicting.isEmpty()) {
      return new Outcome(null, null, field + ": IncompatibleFilters: a DirectResponse cannot be combined with "
          + String.join(", ", conflicting) + "; the rule answers 500");
    }
    LocalObjectReference ref = filters.get(refs.get(0)).getExtensionRef();
    String namespace = route.getMetadata().getNamespace();
    HasMetadata found = snapshot.get(new ResourceKey(KIND, namespace, ref.getName())).orElse(null);
    String what = "DirectResponse " + namespace + "/" + ref.getName();
    if (!(found instanceof GenericKubernetesResource dr) || !API_VERSION.equals(dr.getApiVersion())) {
      return new Outcome(null, GatewayApi.REASON_BACKEND_NOT_FOUND, field + ": ExtensionRef " + what
          + " not found; the rule answers 500");
    }
    Object spec = dr.getAdditionalProperties().get("spec");
    Map<?, ?> fields = spec instanceof Map<?, ?> m ? m : Map.of();
    Object status = fields.get("status");
    Object body = fields.get("body");
    String invalid = null;
    if (!(status instanceof Number n) || n.doubleValue() != n.intValue() || n.intValue() < 200 || n.intValue() > 599) {
      invalid = "spec.status " + (status == null ? "is missing" : status + " is not an HTTP status")
          + " (an integer 200-599)";
    } else if (body != null && !(body instanceof String)) {
      invalid = "spec.body is not a string";
    } else if (body != null && ((String) body).getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) {
      invalid = "spec.body is longer than " + MAX_BODY_BYTES + " bytes";
    }
    if (invalid != null) {
      return new Outcome(null, GatewayApi.REASON_POLICY_REJECTED, field + ": ExtensionRef " + what + " is invalid: "
          + invalid + "; the rule answers 500");
    }
    return new Outcome(new RouteActionIR.DirectResponse(((Number) status).intValue(), (String) body), null, null);
  }
}
