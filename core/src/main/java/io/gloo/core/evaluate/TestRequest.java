package io.gloo.core.evaluate;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A request as it arrives at the proxy, for {@link RouteEvaluator}.
 *
 * @param port the listener port the connection was made to
 * @param scheme {@code http} or {@code https} (the {@code :scheme} Envoy sets from the connection)
 * @param sni the TLS server name, or null
 * @param authority the {@code :authority} / Host header, port included if the client sent one
 * @param method the HTTP method
 * @param path the {@code :path}, query included
 * @param headers further request headers (multi-valued, case-insensitive names)
 * @param randomValue the random number Envoy draws for weighted cluster selection ({@code random % total_weight})
 * @param responseHeaders the headers the backend answers with, to show response header edits on
 */
public record TestRequest(
    int port,
    String scheme,
    String sni,
    String authority,
    String method,
    String path,
    List<HeaderMap.Entry> headers,
    long randomValue,
    List<HeaderMap.Entry> responseHeaders) {

  public TestRequest {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(authority, "authority");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    headers = List.copyOf(headers);
    responseHeaders = List.copyOf(responseHeaders);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A plain GET on port 80. */
  public static TestRequest get(String authority, String path) {
    return builder().authority(authority).path(path).build();
  }

  /**
   * A request written as people write them: {@code "METHOD URL"} (an absolute http(s) URL, whose port defaults to
   * the scheme's), headers as {@code "Name: value"}, a random value for weighted clusters, and the SNI for https
   * (default: the URL's host). Used by {@code gloo route-check --request} and the admin API's {@code /route-check}.
   *
   * @throws IllegalArgumentException when the request or a header is malformed
   */
  public static TestRequest parse(String request, java.util.List<String> headers, long random, String sni) {
    String[] parts = request == null ? new String[0] : request.trim().split("\\s+", 2);
    if (parts.length != 2) {
      throw new IllegalArgumentException("a request is \"METHOD URL\", got \"" + request + "\"");
    }
    java.net.URI uri;
    try {
      uri = java.net.URI.create(parts[1]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a URL: " + parts[1]);
    }
    if (uri.getScheme() == null || uri.getRawAuthority() == null) {
      throw new IllegalArgumentException("the request needs an absolute http(s) URL, got " + parts[1]);
    }
    String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    Builder b = builder().method(parts[0].toUpperCase(java.util.Locale.ROOT)).scheme(scheme)
        .authority(uri.getRawAuthority()).path(path).port(port).randomValue(random);
    if (scheme.equals("https")) {
      b.sni(sni != null ? sni : uri.getHost());
    }
    for (String h : headers == null ? java.util.List.<String>of() : headers) {
      int colon = h.indexOf(':', 1);
      if (colon < 0) {
        throw new IllegalArgumentException("a header is 'Name: value', got '" + h + "'");
      }
      b.header(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
    }
    return b.build();
  }

  /** Builder with defaults: port 80, http, GET, path "/", random value 0. */
  public static final class Builder {
    private int port = 80;
    private String scheme = "http";
    private String sni;
    private String authority = "localhost";
    private String method = "GET";
    private String path = "/";
    private final List<HeaderMap.Entry> headers = new ArrayList<>();
    private long randomValue;
    private final List<HeaderMap.Entry> responseHeaders = new ArrayList<>();

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder scheme(String scheme) {
      this.scheme = scheme;
      return this;
    }

    public Builder sni(String sni) {
      this.sni = sni;
      return this;
    }

    public Builder authority(String authority) {
      this.authority = authority;
      return this;
    }

    public Builder method(String method) {
      this.method = method;
      return this;
    }

    public Builder path(String path) {
      this.path = path;
      return this;
    }

    public Builder header(String name, String value) {
      headers.add(new HeaderMap.Entry(name, value));
      return this;
    }

    public Builder randomValue(long randomValue) {
      this.randomValue = randomValue;
      return this;
    }

    public Builder responseHeader(String name, String value) {
      responseHeaders.add(new HeaderMap.Entry(name, value));
      return this;
    }

    public TestRequest build() {
      return new TestRequest(port, scheme, sni, authority, method, path, headers, randomValue, responseHeaders);
    }
  }
}
