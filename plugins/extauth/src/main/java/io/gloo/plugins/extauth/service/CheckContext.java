package io.gloo.plugins.extauth.service;

import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The HTTP request an ext_authz Check is about, with case-insensitive header access. Immutable. */
public final class CheckContext {

  private final CheckRequest request;
  private final AttributeContext.HttpRequest http;
  private final Map<String, String> headers;

  public CheckContext(CheckRequest request) {
    this.request = request;
    this.http = request.getAttributes().getRequest().getHttp();
    Map<String, String> lower = new HashMap<>();
    http.getHeadersMap().forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    this.headers = lower;
  }

  public CheckRequest request() {
    return request;
  }

  /** A request header, or null. */
  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  public Map<String, String> headers() {
    return headers;
  }

  public String method() {
    return http.getMethod();
  }

  /** Path with query string, as Envoy sends it. */
  public String path() {
    return http.getPath();
  }

  /** Path without the query string. */
  public String pathOnly() {
    String p = http.getPath();
    int q = p.indexOf('?');
    return q < 0 ? p : p.substring(0, q);
  }

  /** A query parameter (URL-decoded), or null. */
  public String query(String name) {
    String p = http.getPath();
    int q = p.indexOf('?');
    if (q < 0) {
      return null;
    }
    for (String pair : p.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      String key = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
      if (key.equals(name)) {
        return eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  public String host() {
    return http.getHost().isEmpty() ? header(":authority") : http.getHost();
  }

  public String scheme() {
    return http.getScheme().isEmpty() ? "http" : http.getScheme();
  }

  /** A cookie's value, or null. */
  public String cookie(String name) {
    String cookies = header("cookie");
    if (cookies == null) {
      return null;
    }
    for (String part : cookies.split(";")) {
      String c = part.trim();
      int eq = c.indexOf('=');
      if (eq > 0 && c.substring(0, eq).equals(name)) {
        return c.substring(eq + 1);
      }
    }
    return null;
  }

  /** The credentials of an {@code Authorization: <scheme> <credentials>} header, or null. */
  public String authorization(String scheme) {
    String value = header("authorization");
    if (value == null || value.length() <= scheme.length() + 1
        || !value.regionMatches(true, 0, scheme, 0, scheme.length()) || value.charAt(scheme.length()) != ' ') {
      return null;
    }
    return value.substring(scheme.length() + 1).trim();
  }

  public String contextExtension(String key) {
    return request.getAttributes().getContextExtensionsMap().get(key);
  }
}
