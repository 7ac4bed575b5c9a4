package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import java.util.List;

/** The values of an HTTPRoute filter checked against the Gateway API schema ({@link SpecValues}). */
final class FilterValues {

  private FilterValues() {}

  /**
   * A filter value the Gateway API schema refuses and Envoy would reject or misread (a header name that is not an
   * HTTP token or longer than 256 characters, a redirect or rewrite hostname that is not a precise hostname), as
   * {@code field: problem}; null when the values are valid.
   */
  static String invalid(HTTPRouteFilter filter) {
    String problem = headerNames("requestHeaderModifier", filter.getRequestHeaderModifier());
    if (problem == null) {
      problem = headerNames("responseHeaderModifier", filter.getResponseHeaderModifier());
    }
    if (problem == null && filter.getRequestRedirect() != null && filter.getRequestRedirect().getHostname() != null) {
      problem = preciseHostname("requestRedirect.hostname", filter.getRequestRedirect().getHostname());
    }
    if (problem == null && filter.getUrlRewrite() != null && filter.getUrlRewrite().getHostname() != null) {
      problem = preciseHostname("urlRewrite.hostname", filter.getUrlRewrite().getHostname());
    }
    return problem;
  }

  private static String preciseHostname(String field, String hostname) {
    String problem = hostname.startsWith("*") ? "hostname \"" + hostname + "\" must not be a wildcard"
        : SpecValues.hostname(hostname);
    return problem == null ? null : field + ": " + problem;
  }

  private static String headerNames(String field, HTTPHeaderFilter filter) {
    if (filter == null) {
      return null;
    }
    String[] lists = {"set", "add"};
    List<List<HTTPHeader>> values = java.util.Arrays.asList(filter.getSet(), filter.getAdd());
    for (int l = 0; l < 2; l++) {
      List<HTTPHeader> headers = values.get(l) == null ? List.of() : values.get(l);
      for (int i = 0; i < headers.size(); i++) {
        String problem = SpecValues.headerName(headers.get(i).getName());
        if (problem != null) {
          return field + "." + lists[l] + "[" + i + "].name: " + problem;
        }
      }
    }
    List<String> remove = filter.getRemove() == null ? List.of() : filter.getRemove();
    for (int i = 0; i < remove.size(); i++) {
      String problem = SpecValues.headerName(remove.get(i));
      if (problem != null) {
        return field + ".remove[" + i + "]: " + problem;
      }
    }
    return null;
  }

}
