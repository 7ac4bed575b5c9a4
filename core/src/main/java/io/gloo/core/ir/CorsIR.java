package io.gloo.core.ir;

import java.util.List;

/**
 * A CORS policy (the Gateway API's HTTPCORSFilter).
 *
 * @param allowOrigins origins: {@code *}, an exact origin, or one with a {@code *} wildcard in the host
 * @param maxAgeSeconds how long a preflight may be cached, or null for the default
 */
public record CorsIR(List<String> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
    List<String> exposeHeaders, Integer maxAgeSeconds, boolean allowCredentials) {
  public CorsIR {
    allowOrigins = List.copyOf(allowOrigins);
    allowMethods = List.copyOf(allowMethods);
    allowHeaders = List.copyOf(allowHeaders);
    exposeHeaders = List.copyOf(exposeHeaders);
  }
}
