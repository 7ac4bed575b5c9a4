package io.gloo.core.ir;

import io.gloo.core.translate.policy.AppliedPolicy;
import java.util.List;

/**
 * One Envoy route: a match of one HTTPRoute rule, what happens to matching requests, and where it came from.
 *
 * @param requestHeaders header edits applied to the request before it is forwarded
 * @param responseHeaders header edits applied to the response
 * @param policies plugin policies that apply to this route, one per kind, already merged, in priority order
 */
public record RouteIR(
    String name,
    RouteMatchIR match,
    RouteActionIR action,
    HeaderEditsIR requestHeaders,
    HeaderEditsIR responseHeaders,
    RouteSource source,
    List<AppliedPolicy> policies) {

  public RouteIR {
    policies = List.copyOf(policies);
  }
}
