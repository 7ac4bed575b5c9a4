package io.gloo.core.evaluate;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.translate.xds.EnvoyJson;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A route test file in the format of Envoy's {@code router_check_tool} ({@code tests: [{test_name, input,
 * validate}]}, JSON or YAML), plus our fields: {@code input.port}, {@code input.sni}, {@code validate.status},
 * {@code validate.location}, {@code validate.outcome} and {@code validate.route_source}. Parsing is strict: an
 * unknown field is an error, as it is for Envoy's proto-based parser.
 */
public final class RouteCheckSuite {

  private static final Set<String> INPUT_FIELDS = Set.of("authority", "path", "method", "internal", "random_value",
      "ssl", "runtime", "additional_request_headers", "additional_response_headers", "additional_headers", "port",
      "sni");
  private static final Set<String> VALIDATE_FIELDS = Set.of("cluster_name", "virtual_cluster_name",
      "virtual_host_name", "host_rewrite", "path_rewrite", "path_redirect", "code_redirect", "request_header_matches",
      "response_header_matches", "request_header_fields", "response_header_fields", "header_fields",
      "custom_header_fields", "status", "location", "outcome", "route_source");
  private static final Set<String> SOURCE_FIELDS = Set.of("kind", "namespace", "name", "rule", "match", "ruleName",
      "rule_name");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** One test: its name, the request (port resolved against the listeners), and what to check. */
  public record Case(String name, TestRequest request, JsonNode validate, List<String> notes) {}

  /** One test's result: the differences found (empty when it passed) and the decision they were found in. */
  public record Result(String name, List<String> failures, RouteDecision decision, List<String> notes) {
    public boolean passed() {
      return failures.isEmpty();
    }
  }

  private RouteCheckSuite() {}

  /** Parses a test file's tree; ports without an explicit {@code input.port} are resolved against {@code xds}. */
  public static List<Case> parse(JsonNode root, XdsResources xds) {
    JsonNode tests = root.get("tests");
    if (tests == null || !tests.isArray() || tests.isEmpty()) {
      throw new IllegalArgumentException("the test file needs a non-empty 'tests' list");
    }
    List<Case> cases = new ArrayList<>();
    int i = 0;
    for (JsonNode t : tests) {
      String where = "tests[" + i++ + "]";
      checkFields(t, Set.of("test_name", "input", "validate"), where);
      String name = text(t, "test_name");
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException(where + ": test_name is required");
      }
      where = where + " (" + name + ")";
      JsonNode in = t.get("input");
      JsonNode validate = t.get("validate");
      if (in == null || validate == null || !validate.isObject() || validate.isEmpty()) {
        throw new IllegalArgumentException(where + ": 'input' and a non-empty 'validate' are required");
      }
      checkFields(in, INPUT_FIELDS, where + ".input");
      checkFields(validate, VALIDATE_FIELDS, where + ".validate");
      if (validate.has("route_source") && validate.get("route_source").isObject()) {
        checkFields(validate.get("route_source"), SOURCE_FIELDS, where + ".validate.route_source");
      }
      List<String> notes = new ArrayList<>();
      cases.add(new Case(name, request(in, xds, where, notes), validate, notes));
    }
    return cases;
  }

  private static TestRequest request(JsonNode in, XdsResources xds, String where, List<String> notes) {
    String authority = text(in, "authority");
    String path = text(in, "path");
    if (authority == null || path == null) {
      throw new IllegalArgumentException(where + ": input.authority and input.path are required");
    }
    boolean ssl = in.path("ssl").asBoolean(false);
    TestRequest.Builder b = TestRequest.builder()
        .authority(authority)
        .path(path)
        .method(Objects.requireNonNullElse(text(in, "method"), "GET"))
        .scheme(ssl ? "https" : "http")
        .randomValue(in.path("random_value").asLong(0))
        .port(port(in, authority, ssl, xds));
    // ssl: the request came over TLS (x-forwarded-proto https), with the authority's host as SNI unless given
    String sni = text(in, "sni");
    if (sni != null) {
      b.sni(sni);
    } else if (ssl) {
      b.sni(RouteEvaluator.stripPort(authority));
    }
    // internal: x-envoy-internal: true
    if (in.path("internal").asBoolean(false)) {
      b.header("x-envoy-internal", "true");
    }
    for (String field : List.of("additional_request_headers", "additional_headers")) {
      for (JsonNode h : in.path(field)) {
        b.header(headerKey(h, where), text(h, "value"));
      }
    }
    for (JsonNode h : in.path("additional_response_headers")) {
      b.responseHeader(headerKey(h, where), text(h, "value"));
    }
    if (in.has("runtime")) {
      notes.add("input.runtime '" + text(in, "runtime") + "' is ignored: runtime fractions use their defaults");
    }
    return b.build();
  }

  /** input.port, else the authority's port, else the only listener's port, else 443 with ssl or 80. */
  private static int port(JsonNode in, String authority, boolean ssl, XdsResources xds) {
    if (in.has("port")) {
      return in.get("port").asInt();
    }
    String stripped = RouteEvaluator.stripPort(authority);
    if (!stripped.equals(authority)) {
      return Integer.parseInt(authority.substring(stripped.length() + 1));
    }
    List<Listener> listeners = xds.listeners();
    if (listeners.size() == 1) {
      return listeners.get(0).getAddress().getSocketAddress().getPortValue();
    }
    return ssl ? 443 : 80;
  }

  public static Result check(Case c, RouteEvaluator evaluator) {
    RouteDecision d = evaluator.evaluate(c.request());
    List<String> failures = new ArrayList<>();
    JsonNode v = c.validate();
    boolean forwarded = d.outcome() == RouteDecision.Outcome.FORWARD;
    boolean routed = d.route() != null;
    boolean redirect = d.outcome() == RouteDecision.Outcome.REDIRECT;
    boolean direct = d.outcome() == RouteDecision.Outcome.DIRECT_RESPONSE;
    // router_check_tool resolves the route only: a preflight the CORS filter answers still names the route's cluster
    String cluster = forwarded || d.outcome() == RouteDecision.Outcome.CLUSTER_NOT_FOUND
        || d.outcome() == RouteDecision.Outcome.CORS_PREFLIGHT ? d.cluster() : null;
    compare(failures, v, "cluster_name", cluster);
    compare(failures, v, "virtual_cluster_name", d.virtualCluster());
    compare(failures, v, "virtual_host_name", routed ? d.virtualHost() : null);
    compare(failures, v, "host_rewrite", forwarded ? d.upstream().authority() : null);
    compare(failures, v, "path_rewrite", forwarded ? d.upstream().path() : null);
    compare(failures, v, "path_redirect", redirect ? d.location() : null);
    compare(failures, v, "location", d.location());
    compare(failures, v, "outcome", d.outcome().name());
    if (v.has("code_redirect")) {
      int actual = redirect || direct ? d.status() : 0;
      if (v.get("code_redirect").asInt() != actual) {
        failures.add("code_redirect: expected " + v.get("code_redirect").asInt() + ", got " + actual);
      }
    }
    if (v.has("status")) {
      // a proxied request counts as 200: the real status is the backend's
      int actual = d.status() == null ? 200 : d.status();
      if (v.get("status").asInt() != actual) {
        failures.add("status: expected " + v.get("status").asInt() + ", got " + actual + " (" + d.outcome() + ")");
      }
    }
    HeaderMap request = requestHeaders(c.request(), d);
    HeaderMap response = new HeaderMap();
    if (d.status() != null) {
      response.add(":status", String.valueOf(d.status()));
    }
    d.responseHeaders().forEach(e -> response.add(e.name(), e.value()));
    headerMatches(failures, v.path("request_header_matches"), request, "request_header_matches");
    headerMatches(failures, v.path("response_header_matches"), response, "response_header_matches");
    for (String field : List.of("request_header_fields", "header_fields", "custom_header_fields")) {
      headerFields(failures, v.path(field), request, field);
    }
    headerFields(failures, v.path("response_header_fields"), response, "response_header_fields");
    if (v.has("route_source")) {
      routeSource(failures, v.get("route_source"), d.source());
    }
    return new Result(c.name(), failures, d, c.notes());
  }

  /** The request headers the checks see: the upstream request when proxied, else the downstream one. */
  private static HeaderMap requestHeaders(TestRequest req, RouteDecision d) {
    HeaderMap h = new HeaderMap();
    if (d.upstream() != null) {
      h.add(":method", d.upstream().method()).add(":scheme", d.upstream().scheme())
          .add(":authority", d.upstream().authority()).add(":path", d.upstream().path());
      d.upstream().headers().forEach(e -> h.add(e.name(), e.value()));
    } else {
      h.add(":method", req.method()).add(":scheme", req.scheme()).add(":authority", req.authority())
          .add(":path", req.path());
      req.headers().forEach(e -> h.add(e.name(), e.value()));
    }
    return h;
  }

  private static void compare(List<String> failures, JsonNode v, String field, String actual) {
    if (!v.has(field)) {
      return;
    }
    // "" expects no value, as in router_check_tool
    String expected = v.get(field).isNull() ? "" : v.get(field).asString();
    String got = actual == null ? "" : actual;
    if (!expected.equals(got)) {
      failures.add(field + ": expected '" + expected + "', got '" + got + "'");
    }
  }

  private static void headerMatches(List<String> failures, JsonNode matchers, HeaderMap headers, String field) {
    for (JsonNode m : matchers) {
      HeaderMatcher.Builder b = HeaderMatcher.newBuilder();
      try {
        EnvoyJson.parse(JSON.writeValueAsString(m), b);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException(field + ": not a HeaderMatcher: " + m + " (" + e.getMessage() + ")", e);
      }
      HeaderMatcher matcher = b.build();
      if (!EnvoyMatchers.matches(matcher, headers)) {
        String actual = headers.getJoined(matcher.getName());
        failures.add(field + ": " + m + " does not match " + matcher.getName() + " = "
            + (actual == null ? "(absent)" : "'" + actual + "'"));
      }
    }
  }

  private static void headerFields(List<String> failures, JsonNode fields, HeaderMap headers, String field) {
    for (JsonNode f : fields) {
      String key = headerKey(f, field);
      String expected = text(f, "value");
      String actual = headers.getJoined(key);
      if (!Objects.equals(expected, actual == null ? "" : actual)) {
        failures.add(field + ": " + key + " expected '" + expected + "', got "
            + (actual == null ? "(absent)" : "'" + actual + "'"));
      }
    }
  }

  private static void routeSource(List<String> failures, JsonNode expected, RouteDecision.Source actual) {
    if (expected.isNull() || (expected.isString() && expected.asString().isEmpty())) {
      if (actual != null) {
        failures.add("route_source: expected none, got " + actual);
      }
      return;
    }
    if (actual == null) {
      failures.add("route_source: expected " + expected + ", got none");
      return;
    }
    List<String> diffs = new ArrayList<>();
    diff(diffs, expected, "kind", actual.kind());
    diff(diffs, expected, "namespace", actual.namespace());
    diff(diffs, expected, "name", actual.name());
    diff(diffs, expected, "rule", actual.rule() == null ? null : String.valueOf(actual.rule()));
    diff(diffs, expected, "match", actual.match() == null ? null : String.valueOf(actual.match()));
    diff(diffs, expected, "ruleName", actual.ruleName());
    diff(diffs, expected, "rule_name", actual.ruleName());
    if (!diffs.isEmpty()) {
      failures.add("route_source: " + String.join(", ", diffs) + " (got " + actual + ")");
    }
  }

  private static void diff(List<String> diffs, JsonNode expected, String field, String actual) {
    if (expected.has(field) && !expected.get(field).asString().equals(actual == null ? "" : actual)) {
      diffs.add(field + " expected '" + expected.get(field).asString() + "', got '"
          + (actual == null ? "" : actual) + "'");
    }
  }

  private static String headerKey(JsonNode h, String where) {
    String key = h.has("key") ? text(h, "key") : text(h, "field");
    if (key == null) {
      throw new IllegalArgumentException(where + ": a header needs 'key' (or the old 'field'): " + h);
    }
    return key;
  }

  private static void checkFields(JsonNode node, Set<String> allowed, String where) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + ": expected an object, got " + node);
    }
    List<String> unknown = new ArrayList<>();
    Iterator<String> names = node.propertyNames().iterator();
    while (names.hasNext()) {
      String n = names.next();
      if (!allowed.contains(n)) {
        unknown.add(n);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(where + ": unknown field(s) " + unknown + "; allowed: " + allowed.stream()
          .sorted().toList());
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asString();
  }
}
