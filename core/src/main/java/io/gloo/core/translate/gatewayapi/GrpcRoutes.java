package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCMethodMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.ArrayList;
import java.util.List;

/**
 * GRPCRoute rules expressed as HTTPRoute rules, so that one translator handles both: a gRPC call is an HTTP/2 POST
 * to {@code /<service>/<method>}. Method matches become paths (Exact service and method: an exact path; otherwise an
 * RE2 pattern where a missing part is {@code [^/]+}), header matches stay header matches, and the filters and
 * backendRefs a GRPCRoute allows have the same shape as HTTPRoute's.
 */
final class GrpcRoutes {

  /** Rules in HTTPRoute form, and match problems that drop a rule's match. */
  record Converted(List<HTTPRouteRule> rules, List<String> problems) {}

  /** Path type standing for a method match without service and method; RuleTranslator drops the match. */
  static final String INVALID_METHOD_MATCH = "GRPCMethodMatchWithoutServiceOrMethod";

  private GrpcRoutes() {}

  static Converted asHttpRules(GRPCRoute route) {
    List<GRPCRouteRule> rules = route.getSpec() == null || route.getSpec().getRules() == null
        ? List.of() : route.getSpec().getRules();
    List<HTTPRouteRule> result = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int r = 0; r < rules.size(); r++) {
      GRPCRouteRule rule = rules.get(r);
      HTTPRouteRule http = new HTTPRouteRule();
      http.setName(rule.getName());
      http.setSessionPersistence(rule.getSessionPersistence());
      List<HTTPRouteMatch> matches = new ArrayList<>();
      List<GRPCRouteMatch> grpcMatches = rule.getMatches() == null ? List.of() : rule.getMatches();
      for (int m = 0; m < grpcMatches.size(); m++) {
        HTTPRouteMatch match = match(grpcMatches.get(m));
        if (match == null) {
          // keep the index stable for RouteSource: an unsupported match type fails in RuleTranslator
          HTTPRouteMatch invalid = new HTTPRouteMatch();
          invalid.setPath(path(INVALID_METHOD_MATCH, "/"));
          matches.add(invalid);
        } else {
          matches.add(match);
        }
      }
      http.setMatches(matches);
      List<HTTPRouteFilter> filters = new ArrayList<>();
      for (GRPCRouteFilter f : rule.getFilters() == null ? List.<GRPCRouteFilter>of() : rule.getFilters()) {
        filters.add(filter(f));
      }
      http.setFilters(filters);
      List<HTTPBackendRef> refs = new ArrayList<>();
      for (GRPCBackendRef b : rule.getBackendRefs() == null ? List.<GRPCBackendRef>of() : rule.getBackendRefs()) {
        HTTPBackendRef ref = new HTTPBackendRef();
        ref.setGroup(b.getGroup());
        ref.setKind(b.getKind());
        ref.setName(b.getName());
        ref.setNamespace(b.getNamespace());
        ref.setPort(b.getPort());
        ref.setWeight(b.getWeight());
        List<HTTPRouteFilter> backendFilters = new ArrayList<>();
        for (GRPCRouteFilter f : b.getFilters() == null ? List.<GRPCRouteFilter>of() : b.getFilters()) {
          backendFilters.add(filter(f));
        }
        ref.setFilters(backendFilters);
        refs.add(ref);
      }
      http.setBackendRefs(refs);
      result.add(http);
    }
    return new Converted(result, problems);
  }

  /** The HTTP match of a gRPC match, or null when the method match names neither service nor method. */
  static HTTPRouteMatch match(GRPCRouteMatch grpc) {
    HTTPRouteMatch http = new HTTPRouteMatch();
    GRPCMethodMatch method = grpc.getMethod();
    if (method == null) {
      http.setPath(path("PathPrefix", "/"));
    } else {
      String service = emptyToNull(method.getService());
      String name = emptyToNull(method.getMethod());
      boolean regex = "RegularExpression".equals(method.getType());
      if (service == null && name == null) {
        return null;
      }
      if (!regex && service != null && name != null) {
        http.setPath(path("Exact", "/" + service + "/" + name));
      } else {
        String s = service == null ? "[^/]+" : regex ? service : quote(service);
        String n = name == null ? "[^/]+" : regex ? name : quote(name);
        http.setPath(path("RegularExpression", "/" + s + "/" + n));
      }
    }
    List<HTTPHeaderMatch> headers = new ArrayList<>();
    for (GRPCHeaderMatch h : grpc.getHeaders() == null ? List.<GRPCHeaderMatch>of() : grpc.getHeaders()) {
      HTTPHeaderMatch header = new HTTPHeaderMatch();
      header.setName(h.getName());
      header.setType(h.getType() == null ? "Exact" : h.getType());
      header.setValue(h.getValue());
      headers.add(header);
    }
    http.setHeaders(headers);
    return http;
  }

  private static HTTPRouteFilter filter(GRPCRouteFilter f) {
    HTTPRouteFilter http = new HTTPRouteFilter();
    http.setType(f.getType());
    http.setRequestHeaderModifier(f.getRequestHeaderModifier());
    http.setResponseHeaderModifier(f.getResponseHeaderModifier());
    http.setRequestMirror(f.getRequestMirror());
    http.setExtensionRef(f.getExtensionRef());
    return http;
  }

  private static HTTPPathMatch path(String type, String value) {
    HTTPPathMatch path = new HTTPPathMatch();
    path.setType(type);
    path.setValue(value);
    return path;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** Escapes RE2 metacharacters (service names are dotted: grpc.health.v1.Health). */
  static String quote(String literal) {
    StringBuilder sb = new StringBuilder(literal.length() + 8);
    for (char c : literal.toCharArray()) {
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
