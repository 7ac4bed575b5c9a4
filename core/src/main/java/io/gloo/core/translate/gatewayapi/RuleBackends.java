package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.gloo.core.ir.HeaderEditsIR;
import io.gloo.core.ir.RouteActionIR;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a rule sends requests: its backendRefs, weighted, with their filters, and its RequestMirror backends, both
 * resolved through {@link Backends} (ReferenceGrants included). Unresolved references are recorded in the route's
 * problems.
 */
final class RuleBackends {

  private final Backends backends;

  RuleBackends(Backends backends) {
    this.backends = backends;
  }

  /**
   * The rule's backendRefs (with their header filters) as a forward, or a 500 when none resolves or a backendRef
   * filter is invalid or unsupported.
   */
  RouteActionIR forward(HasMetadata route, String routeKind, int index, HTTPRouteRule rule,
      RouteActionIR.UrlRewrite rewrite, RuleTranslator.Problems problems, RouteInputs inputs) {
    List<HTTPBackendRef> refs = rule.getBackendRefs() == null ? List.of() : rule.getBackendRefs();
    List<RouteActionIR.WeightedBackend> weighted = new ArrayList<>();
    for (int b = 0; b < refs.size(); b++) {
      HTTPBackendRef ref = refs.get(b);
      int weight = ref.getWeight() == null ? 1 : ref.getWeight();
      HeaderEditsIR requestHeaders = HeaderEditsIR.NONE;
      HeaderEditsIR responseHeaders = HeaderEditsIR.NONE;
      List<HTTPRouteFilter> filters = ref.getFilters() == null ? List.of() : ref.getFilters();
      for (int f = 0; f < filters.size(); f++) {
        HTTPRouteFilter filter = filters.get(f);
        String type = filter.getType() == null ? "" : filter.getType();
        String invalidValue = FilterValues.invalid(filter);
        if (invalidValue != null) {
          problems.invalidMessages.add("rule " + index + " backendRefs[" + b + "].filters[" + f + "]."
              + invalidValue + "; the rule answers 500");
          return new RouteActionIR.DirectResponse(500, null);
        }
        switch (type) {
          case "RequestHeaderModifier" -> requestHeaders = RuleFilters.headerEdits(filter.getRequestHeaderModifier());
          case "ResponseHeaderModifier" ->
              responseHeaders = RuleFilters.headerEdits(filter.getResponseHeaderModifier());
          default -> {
            problems.invalidMessages.add("rule " + index + " backendRefs[" + b + "].filters[" + f + "]: filter type "
                + type + " is not supported on a backendRef; the rule answers 500");
            return new RouteActionIR.DirectResponse(500, null);
          }
        }
      }
      Backends.Resolution resolution = backends.resolve(routeKind, route.getMetadata().getNamespace(),
          route.getMetadata().getName(), ref.getGroup(), ref.getKind(), ref.getName(), ref.getNamespace(),
          ref.getPort(), inputs);
      if (!resolution.resolved()) {
        if (resolution.reason() != null) {
          problems.refFailure(resolution.reason(), "rule " + index + " " + resolution.message());
        }
      } else if (GatewayApi.KIND_GRPCROUTE.equals(routeKind)) {
        backends.requireHttp2(resolution.cluster());
        inputs.http2(resolution.cluster());
      }
      if (weight > 0) {
        weighted.add(new RouteActionIR.WeightedBackend(resolution.cluster(), weight, requestHeaders,
            responseHeaders));
      }
    }
    // No backend (or only zero weights) and nothing resolved: the spec asks for a 500.
    if (weighted.isEmpty() || weighted.stream().allMatch(w -> w.cluster() == null)) {
      return new RouteActionIR.DirectResponse(500, null);
    }
    boolean websocket = weighted.stream().anyMatch(w -> w.cluster() != null && backends.websocket(w.cluster()));
    return new RouteActionIR.Forward(weighted, rewrite, List.of(), null, null, websocket);
  }

  /**
   * A RequestMirror filter's backend, resolved like a backendRef (ReferenceGrant included). An unresolved mirror is
   * reported (ResolvedRefs False) and dropped: the request itself is still served.
   */
  Optional<RouteActionIR.Mirror> mirror(HasMetadata route, String routeKind, String field,
      HTTPRequestMirrorFilter filter, RuleTranslator.Problems problems, RouteInputs inputs) {
    BackendObjectReference ref = filter == null ? null : filter.getBackendRef();
    if (ref == null) {
      problems.invalidMessages.add(field + ": RequestMirror without backendRef is ignored");
      return Optional.empty();
    }
    Backends.Resolution resolution = backends.resolve(routeKind, route.getMetadata().getNamespace(),
        route.getMetadata().getName(), ref.getGroup(), ref.getKind(), ref.getName(), ref.getNamespace(),
        ref.getPort(), inputs);
    if (!resolution.resolved()) {
      if (resolution.reason() != null) {
        problems.refFailure(resolution.reason(), field + " mirror " + resolution.message() + "; the mirror is dropped");
      }
      return Optional.empty();
    }
    if (GatewayApi.KIND_GRPCROUTE.equals(routeKind)) {
      backends.requireHttp2(resolution.cluster());
      inputs.http2(resolution.cluster());
    }
    int perMillion = 1_000_000;
    if (filter.getPercent() != null) {
      perMillion = Math.max(0, Math.min(100, filter.getPercent())) * 10_000;
    } else if (filter.getFraction() != null && filter.getFraction().getNumerator() != null) {
      long denominator = filter.getFraction().getDenominator() == null ? 100 : filter.getFraction().getDenominator();
      long numerator = filter.getFraction().getNumerator();
      perMillion = denominator <= 0 ? 0 : (int) Math.min(1_000_000, Math.round(numerator * 1_000_000.0 / denominator));
    }
    return Optional.of(new RouteActionIR.Mirror(resolution.cluster(), perMillion));
  }
}
