package io.gloo.core.conformance;

import io.gloo.core.evaluate.HeaderMap;
import io.gloo.core.evaluate.RouteDecision;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * What a request case expects of the messages its request leads to, compared with what the route evaluator decided:
 * the request the echo backend receives, the redirect's Location, the response headers. Each difference is added to
 * {@code diffs} as one line.
 */
final class MessageExpectations {

  private MessageExpectations() {}

  /** The response headers the case expects, allows (one of several values) and wants absent. */
  static void compareResponseHeaders(RouteDecision d, JsonNode expect, List<String> diffs) {
    HeaderMap response = new HeaderMap();
    d.responseHeaders().forEach(h -> response.add(h.name(), h.value()));
    boolean ignoreWs = expect.path("ignoreResponseHeaderWhitespace").asBoolean(false);
    for (Map.Entry<String, JsonNode> h : headers(expect.path("responseHeaders")).entrySet()) {
      String got = response.getJoined(h.getKey());
      if (got == null || !same(got, h.getValue().asString(), ignoreWs)) {
        diffs.add("response header " + h.getKey() + " = " + got + ", want " + h.getValue().asString());
      }
    }
    for (Map.Entry<String, JsonNode> h : headers(expect.path("validResponseHeaderValues")).entrySet()) {
      String got = response.getJoined(h.getKey());
      boolean ok = false;
      for (JsonNode v : h.getValue()) {
        ok |= got != null && same(got, v.asString(), ignoreWs);
      }
      if (!ok) {
        diffs.add("response header " + h.getKey() + " = " + got + ", want one of " + h.getValue());
      }
    }
    for (JsonNode h : expect.path("absentResponseHeaders")) {
      if (response.contains(h.asString().toLowerCase(Locale.ROOT)) || response.contains(h.asString())) {
        diffs.add("response header " + h.asString() + " present (" + response.getJoined(h.asString()) + ")");
      }
    }
  }

  /** The request the echo backend reports: ExpectedRequest when the test sets one, else the request as sent. */
  static void compareBackendRequest(RouteDecision d, JsonNode req, JsonNode expect, List<String> diffs) {
    RouteDecision.Upstream up = d.upstream();
    HeaderMap headers = new HeaderMap();
    up.headers().forEach(h -> headers.add(h.name(), h.value()));
    JsonNode br = expect.get("backendRequest");
    String wantPath;
    String wantHost;
    String wantMethod;
    JsonNode wantHeaders;
    JsonNode absent = null;
    if (br != null && !br.isNull()) {
      wantPath = uuid(br.path("path").asString(""));
      wantHost = br.hasNonNull("host") ? br.path("host").asString() : null;
      wantMethod = br.hasNonNull("method") ? br.path("method").asString() : null;
      wantHeaders = br.path("headers");
      absent = br.path("absentHeaders");
    } else {
      wantPath = uuid(req.path("path").asString("/"));
      wantHost = req.path("host").asString("").isEmpty() ? null : req.path("host").asString();
      wantMethod = req.path("method").asString("GET");
      wantHeaders = req.path("headers");
    }
    if (!wantPath.equals(up.path())) {
      diffs.add("backend saw path " + up.path() + ", want " + wantPath);
    }
    if (wantHost != null && !wantHost.equals(up.authority())) {
      diffs.add("backend saw host " + up.authority() + ", want " + wantHost);
    }
    if (wantMethod != null && !wantMethod.equals(up.method())) {
      diffs.add("backend saw method " + up.method() + ", want " + wantMethod);
    }
    for (Map.Entry<String, JsonNode> h : headers(wantHeaders).entrySet()) {
      String want = h.getValue().isArray() ? join(h.getValue()) : h.getValue().asString();
      if (want.contains("{UUID}")) {
        if (!headers.contains(h.getKey())) {
          diffs.add("backend request lacks header " + h.getKey());
        }
        continue;
      }
      String got = headers.getJoined(h.getKey());
      if (got == null || !got.equals(want)) {
        diffs.add("backend request header " + h.getKey() + " = " + got + ", want " + want);
      }
    }
    if (absent != null) {
      for (JsonNode h : absent) {
        if (headers.contains(h.asString())) {
          diffs.add("backend request header " + h.asString() + " present (" + headers.getJoined(h.asString())
              + "), want absent");
        }
      }
    }
  }

  static void compareRedirect(String location, JsonNode want, List<String> diffs) {
    if (location == null) {
      diffs.add("no Location header, want a redirect");
      return;
    }
    URI uri;
    try {
      uri = URI.create(location);
    } catch (IllegalArgumentException e) {
      diffs.add("Location " + location + " is not a URI");
      return;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    String wantScheme = want.path("scheme").asString("");
    if (!wantScheme.isEmpty() && !wantScheme.equals(scheme)) {
      diffs.add("redirect scheme " + scheme + ", want " + wantScheme + " (Location " + location + ")");
    }
    if (want.hasNonNull("host") && !want.path("host").asString().equals(uri.getHost())) {
      diffs.add("redirect host " + uri.getHost() + ", want " + want.path("host").asString() + " (Location " + location
          + ")");
    }
    String wantPort = want.hasNonNull("port") ? want.path("port").asString() : null;
    if (wantPort != null) {
      String port = uri.getPort() < 0 ? "" : Integer.toString(uri.getPort());
      String effectiveScheme = wantScheme.isEmpty() ? scheme : wantScheme;
      String defaultPort = effectiveScheme.equals("https") ? "443" : "80";
      boolean ok = wantPort.isEmpty() ? port.isEmpty() || port.equals(defaultPort) : wantPort.equals(port);
      if (!ok) {
        diffs.add("redirect port '" + port + "', want '" + wantPort + "' (Location " + location + ")");
      }
    }
    String wantPath = want.path("path").asString("");
    if (!wantPath.isEmpty() && !wantPath.equals(uri.getRawPath())) {
      diffs.add("redirect path " + uri.getRawPath() + ", want " + wantPath + " (Location " + location + ")");
    }
  }

  private static boolean same(String got, String want, boolean ignoreWhitespace) {
    return ignoreWhitespace ? got.replaceAll("\\s", "").equals(want.replaceAll("\\s", "")) : got.equals(want);
  }

  private static String join(JsonNode array) {
    List<String> parts = new ArrayList<>();
    array.forEach(v -> parts.add(v.asString()));
    return String.join(",", parts);
  }

  /** The properties of a case's headers object, in order; none when it is absent. */
  static Map<String, JsonNode> headers(JsonNode object) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    if (object != null && object.isObject()) {
      for (Map.Entry<String, JsonNode> e : object.properties()) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  private static final String RUN_UUID = UUID.randomUUID().toString();

  /** {UUID} stands for a fresh UUID per request; one per run keeps the sent and the expected value equal. */
  static String uuid(String s) {
    return s.replace("{UUID}", RUN_UUID);
  }
}
