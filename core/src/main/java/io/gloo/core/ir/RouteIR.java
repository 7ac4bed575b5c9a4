package io.gloo.core.ir;

import io.gloo.core.translate.policy.AppliedPolicy;
import java.util.List;

/**
 * One Envoy route: a match of one HTTPRoute rule, what happens to matching requests, and where it came from.
 *
 * @param requestHeaders header edits applied to the request before it is forwarded
 * @param responseHeaders header edits applied to the response
 * @param cors the rule's CORS policy, or null
 * @param policies plugin policies that apply to this route, one per kind, already merged, in priority order
 */
public record RouteIR(
    String name,
    RouteMatchIR match,
    RouteActionIR action,
    HeaderEditsIR requestHeaders,
    HeaderEditsIR responseHeaders,
    RouteSource source,
    List<AppliedPolicy> policies,
    CorsIR cors) {

  public RouteIR {
    policies = List.copyOf(policies);
  }

  public RouteIR(String name, RouteMatchIR match, RouteActionIR action, HeaderEditsIR requestHeaders,
      HeaderEditsIR responseHeaders, RouteSource source, List<AppliedPolicy> policies) {
    this(name, match, action, requestHeaders, responseHeaders, source, policies, null);
  }

  public RouteIR withAction(RouteActionIR newAction) {
    return new RouteIR(name, match, newAction, requestHeaders, responseHeaders, source, policies, cors);
  }
}
