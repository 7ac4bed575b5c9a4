package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPCORSFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathModifier;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestRedirectFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRetry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteTimeouts;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPURLRewriteFilter;
import io.gloo.core.ir.CorsIR;
import io.gloo.core.ir.HeaderEditsIR;
import io.gloo.core.ir.RouteActionIR;
import java.util.ArrayList;
import java.util.List;

/**
 * The Gateway API's rule filters, timeouts and retry as IR values: conversions without lookups, shared by
 * {@link RuleTranslator} for a rule's own routes and for what a delegating rule passes to its children. Stateless.
 */
final class RuleFilters {

  private RuleFilters() {}

  static CorsIR cors(HTTPCORSFilter filter) {
    if (filter == null) {
      return new CorsIR(List.of(), List.of(), List.of(), List.of(), null, false);
    }
    return new CorsIR(orEmpty(filter.getAllowOrigins()), orEmpty(filter.getAllowMethods()),
        orEmpty(filter.getAllowHeaders()), orEmpty(filter.getExposeHeaders()), filter.getMaxAge(),
        Boolean.TRUE.equals(filter.getAllowCredentials()));
  }

  private static List<String> orEmpty(List<String> list) {
    return list == null ? List.of() : list;
  }

  static RouteActionIR.Timeouts timeouts(HTTPRouteTimeouts t) {
    Long request = t.getRequest() == null ? null : GatewayDurations.millis(t.getRequest());
    Long backend = t.getBackendRequest() == null ? null : GatewayDurations.millis(t.getBackendRequest());
    // The spec: backendRequest must not exceed request (0 disables a timeout: 0 request admits any backendRequest).
    if (request != null && backend != null && request != 0 && (backend == 0 || backend > request)) {
      throw new IllegalArgumentException("backendRequest " + t.getBackendRequest() + " exceeds request "
          + t.getRequest());
    }
    return new RouteActionIR.Timeouts(request, backend);
  }

  static RouteActionIR.Retry retry(HTTPRouteRetry r) {
    List<Integer> codes = r.getCodes() == null ? List.of() : r.getCodes();
    for (int code : codes) {
      if (code < 400 || code > 599) {
        throw new IllegalArgumentException("code " + code + " is not a 4xx/5xx status");
      }
    }
    int attempts = r.getAttempts() == null ? 1 : r.getAttempts(); // Envoy's default, implementation-specific per spec
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must not be negative");
    }
    Long backoff = r.getBackoff() == null ? null : GatewayDurations.millis(r.getBackoff());
    return new RouteActionIR.Retry(codes, attempts, backoff == null || backoff == 0 ? null : backoff);
  }

  static HeaderEditsIR headerEdits(HTTPHeaderFilter filter) {
    if (filter == null) {
      return HeaderEditsIR.NONE;
    }
    return new HeaderEditsIR(headers(filter.getSet()), headers(filter.getAdd()),
        filter.getRemove() == null ? List.of() : filter.getRemove());
  }

  private static List<HeaderEditsIR.Header> headers(List<HTTPHeader> headers) {
    List<HeaderEditsIR.Header> result = new ArrayList<>();
    if (headers != null) {
      for (HTTPHeader h : headers) {
        result.add(new HeaderEditsIR.Header(h.getName(), h.getValue() == null ? "" : h.getValue()));
      }
    }
    return result;
  }

  static RouteActionIR.Redirect redirect(HTTPRequestRedirectFilter filter) {
    if (filter == null) {
      return new RouteActionIR.Redirect(null, null, null, null, null, 302);
    }
    HTTPPathModifier path = filter.getPath();
    return new RouteActionIR.Redirect(filter.getScheme(), filter.getHostname(), filter.getPort(),
        path == null ? null : path.getReplaceFullPath(), path == null ? null : path.getReplacePrefixMatch(),
        filter.getStatusCode() == null ? 302 : filter.getStatusCode());
  }

  static RouteActionIR.UrlRewrite rewrite(HTTPURLRewriteFilter filter) {
    if (filter == null) {
      return null;
    }
    HTTPPathModifier path = filter.getPath();
    return new RouteActionIR.UrlRewrite(filter.getHostname(), path == null ? null : path.getReplaceFullPath(),
        path == null ? null : path.getReplacePrefixMatch());
  }
}
