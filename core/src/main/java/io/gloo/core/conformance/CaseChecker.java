package io.gloo.core.conformance;

import io.gloo.core.evaluate.HeaderMap;
import io.gloo.core.evaluate.RouteDecision;
import io.gloo.core.evaluate.RouteEvaluator;
import io.gloo.core.evaluate.TestRequest;
import io.gloo.core.translate.XdsResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Evaluates the request cases of an expectation file with {@link RouteEvaluator} on the xDS resources of the case's
 * Gateway, standing in for the suite's echo backends: a request Envoy forwards to a cluster whose endpoint is a
 * synthesized Service address answers 200 from that Service's "pod", echoing the request it received. What the case
 * expects of the backend's request, the redirect and the response headers is compared in {@link MessageExpectations}.
 */
final class CaseChecker {

  /** Random values tried for weighted choices: Envoy picks {@code random % total_weight}. */
  private static final int SAMPLES = 1000;

  private final String test;
  private final ConformanceWorld world;
  private final ConformanceWorld.Observed observed;
  private final EchoUpstream upstream;

  CaseChecker(String test, ConformanceWorld world, ConformanceWorld.Observed observed) {
    this.test = test;
    this.world = world;
    this.observed = observed;
    this.upstream = new EchoUpstream(world);
  }

  /** What the client sees for one request, computed from the evaluator's decision. */
  record Response(RouteDecision decision, Integer status, String service, String why,
      UpstreamHandshake.Result backendTls) {
    Response(RouteDecision decision, Integer status, String service, String why) {
      this(decision, status, service, why, null);
    }

    boolean fromEcho() {
      return service != null && status != null && status == 200;
    }
  }

  CheckResult check(JsonNode c) {
    String name = c.path("name").asString();
    String check = c.path("check").asString();
    JsonNode req = c.path("request");
    JsonNode expect = c.path("expect");
    if (L4CaseChecker.handles(check)) {
      return new L4CaseChecker(test, world, observed).check(c);
    }
    XdsResources xds = observed.gateways().get(c.path("gateway").asString());
    if (xds == null) {
      return CheckResult.fail(test, "case", name, "Gateway " + c.path("gateway").asString()
          + " has no xDS resources (not translated as ours)");
    }
    RouteEvaluator evaluator = new RouteEvaluator(xds);
    if (check.equals("requestMustFail") || req.path("scheme").asString("").equals("https")) {
      ClientHandshake.Result hs = handshake(evaluator, xds, c);
      if (check.equals("requestMustFail")) {
        return hs.completes()
            ? CheckResult.fail(test, "case", name, "the request must fail, but the TLS handshake completes: "
                + hs.why())
            : CheckResult.pass(test, "case", name, "the TLS handshake fails: " + hs.why());
      }
      if (!hs.completes()) {
        return CheckResult.fail(test, "case", name, "the TLS handshake fails: " + hs.why());
      }
    }
    List<String> diffs = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    try {
      if (check.equals("grpcResponse")) {
        GrpcCalls.compare(respond(evaluator, xds, c, 0), expect, world, diffs);
        if (expect.has("weightedDistribution")) {
          weightedDistribution(evaluator, xds, c, expect.path("weightedDistribution"), diffs);
        }
      } else if (check.equals("httpFailure")) {
        // MakeRequestAndExpectFailure: an HTTP answer other than 200 and the timeout codes (those and transport
        // errors it retries until it gives up)
        Response r = respond(evaluator, xds, c, 0);
        if (r.status() == null || r.status() == 200 || r.status() == 408 || r.status() == 504) {
          diffs.add("want an HTTP error, got " + (r.status() == null ? "none (" + r.why() + ")" : r.status() + " ("
              + r.why() + ")"));
        } else {
          notes.add(r.status() + ": " + r.why());
        }
      } else if (check.equals("backendHeaderMatchesPod")) {
        backendHeaderMatchesPod(evaluator, xds, c, diffs);
      } else if (expect.has("weightedDistribution")) {
        Response first = respond(evaluator, xds, c, 0);
        compare(first, xds, c, diffs, notes);
        weightedDistribution(evaluator, xds, c, expect.path("weightedDistribution"), diffs);
      } else {
        Response r = respond(evaluator, xds, c, 0);
        compare(r, xds, c, diffs, notes);
      }
    } catch (EchoUpstream.Undecidable e) {
      return CheckResult.needsDataPlane(test, "case", name, e.getMessage());
    } catch (RuntimeException e) {
      diffs.add("evaluation failed: " + e);
    }
    if (!diffs.isEmpty()) {
      return CheckResult.fail(test, "case", name, String.join("; ", diffs));
    }
    return CheckResult.pass(test, "case", name, String.join("; ", notes));
  }

  /** What the echo backend reports of its TLS connection: the SNI and the client certificate Envoy presented. */
  private void backendTls(Response r, JsonNode want, List<String> diffs) {
    if (!want.isObject()) {
      return;
    }
    String sni = r.backendTls() == null ? null : r.backendTls().sni();
    String wantSni = want.path("sni").asString(null);
    if (wantSni != null && !wantSni.equals(sni)) {
      diffs.add("the backend saw SNI " + sni + ", want " + wantSni);
    }
    JsonNode cert = want.path("clientCertificate");
    if (cert.isObject()) {
      java.security.cert.X509Certificate presented = r.backendTls() == null ? null
          : r.backendTls().clientCertificate();
      java.security.cert.X509Certificate expected = ClientHandshake.certificate(world,
          cert.path("secret").asString());
      if (presented == null || !presented.equals(expected)) {
        diffs.add("the backend saw client certificate " + (presented == null ? "none"
            : presented.getSubjectX500Principal().toString()) + ", want that of " + cert.path("secret").asString());
      }
    }
  }

  /** The TLS handshake of the case's connection, with the client certificate it presents ({@link ClientHandshake}). */
  private ClientHandshake.Result handshake(RouteEvaluator evaluator, XdsResources xds, JsonNode c) {
    RouteDecision d = respond(evaluator, xds, c, 0).decision();
    if (d.outcome() == RouteDecision.Outcome.NO_LISTENER || d.outcome() == RouteDecision.Outcome.NO_FILTER_CHAIN) {
      return new ClientHandshake.Result(false, "connection failed: " + d.outcome());
    }
    return ClientHandshake.decide(xds, d, world, c.path("request").path("clientCertificate").asString(null));
  }

  /** Builds the request the suite sends (a gRPC call for {@code grpcResponse} cases) and evaluates it. */
  Response respond(RouteEvaluator evaluator, XdsResources xds, JsonNode c, long random) {
    if (c.path("check").asString().equals("grpcResponse")) {
      return outcome(evaluator.evaluate(GrpcCalls.request(c, random)), xds);
    }
    JsonNode req = c.path("request");
    int port = c.path("listenerPort").asInt(80);
    String host = req.path("host").asString("");
    String scheme = req.path("scheme").asString("http");
    TestRequest.Builder b = TestRequest.builder().port(port)
        .scheme(scheme.equals("https") ? "https" : "http")
        .method(req.path("method").asString("GET"))
        .path(MessageExpectations.uuid(req.path("path").asString("/")))
        // No Host set by the test: the client uses the Gateway's address (with the listener's port) as Host.
        .authority(host.isEmpty() ? ConformanceWorld.GATEWAY_ADDRESS + ":" + port : host)
        .randomValue(random);
    if (req.hasNonNull("sni")) {
      b.sni(req.path("sni").asString());
    }
    for (Map.Entry<String, JsonNode> h : MessageExpectations.headers(req.path("headers")).entrySet()) {
      if (h.getValue().isArray()) {
        h.getValue().forEach(v -> b.header(h.getKey(), MessageExpectations.uuid(v.asString())));
      } else {
        b.header(h.getKey(), MessageExpectations.uuid(h.getValue().asString()));
      }
    }
    if (c.path("check").asString().equals("websocketEcho")) {
      // The handshake golang.org/x/net/websocket's Dial sends (RFC 6455), with the suite's Origin.
      b.header("Upgrade", "websocket").header("Connection", "Upgrade").header("Sec-WebSocket-Version", "13")
          .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").header("Origin", "ws://gateway/" + test);
    }
    // Every suite request carries X-Echo-Set-Header; the echo backend adds those headers to its response.
    List<String> set = new ArrayList<>();
    JsonNode setHeaders = c.path("expect").path("backendSetResponseHeaders");
    for (Map.Entry<String, JsonNode> h : MessageExpectations.headers(setHeaders).entrySet()) {
      set.add(h.getKey() + ":" + h.getValue().asString());
      b.responseHeader(h.getKey(), h.getValue().asString());
    }
    b.header("X-Echo-Set-Header", String.join(",", set));
    b.responseHeader("content-type", "application/json");
    return outcome(evaluator.evaluate(b.build()), xds);
  }

  /** What the client sees: the echo backend's 200 for a forwarded request, else Envoy's own answer or none. */
  private Response outcome(RouteDecision d, XdsResources xds) {
    return switch (d.outcome()) {
      case FORWARD -> upstream.forward(d, xds);
      case NO_LISTENER, NO_FILTER_CHAIN -> new Response(d, null, null, "connection failed: " + d.outcome());
      default -> new Response(d, d.status(), null, d.outcome().name());
    };
  }

  private void compare(Response r, XdsResources xds, JsonNode c, List<String> diffs, List<String> notes) {
    JsonNode req = c.path("request");
    JsonNode expect = c.path("expect");
    RouteDecision d = r.decision();
    List<Integer> codes = new ArrayList<>();
    expect.path("statusCodes").forEach(n -> codes.add(n.asInt()));
    if (!codes.isEmpty() && (r.status() == null || !codes.contains(r.status()))) {
      diffs.add("status " + (r.status() == null ? "none (" + r.why() + ")" : r.status()) + ", want " + codes
          + " [" + d.summary() + "]");
      return;
    }
    boolean twoHundred = r.status() != null && (r.status() == 200 || r.status() == 204);
    if (twoHundred) {
      String backend = expect.path("backend").asString(null);
      if (backend != null && !backend.isEmpty()) {
        String pod = r.service() == null ? "" : world.podName(r.service());
        if (!pod.startsWith(backend)) {
          diffs.add("reached " + (r.service() == null ? "no echo backend (" + r.why() + ")" : "pod " + pod)
              + ", want backend " + backend);
        }
      }
      JsonNode ns = expect.get("namespace");
      if (ns != null && !ns.isNull()) {
        String actual = r.service() == null ? "" : r.service().substring(0, r.service().indexOf('/'));
        if (!actual.equals(ns.asString())) {
          diffs.add("namespace '" + actual + "', want '" + ns.asString() + "'");
        }
      }
    }
    if (r.fromEcho()) {
      backendTls(r, expect.path("backendTLS"), diffs);
      MessageExpectations.compareBackendRequest(d, req, expect, diffs);
      if ("H2C_PRIOR_KNOWLEDGE".equals(req.path("protocol").asString())) {
        if (!EchoUpstream.speaksHttp2(xds, d.cluster())) {
          diffs.add("cluster " + d.cluster() + " does not speak HTTP/2 (h2c) to the backend, whose port has appProtocol"
              + " kubernetes.io/h2c");
        }
      }
      JsonNode mirrored = expect.path("mirroredTo");
      for (JsonNode m : mirrored) {
        String want = m.path("namespace").asString() + "/" + m.path("name").asString();
        Optional<RouteDecision.Mirror> got = d.mirrors().stream()
            .filter(x -> want.equals(serviceOf(xds, x.cluster()))).findFirst();
        if (got.isEmpty()) {
          diffs.add("no mirror to " + want + " (mirrors: " + d.mirrors() + ")");
        } else if (m.hasNonNull("percent") && Math.abs(got.get().percent() - m.path("percent").asDouble()) > 0.001) {
          diffs.add("mirror to " + want + " gets " + got.get().percent() + "%, want " + m.path("percent").asDouble());
        }
      }
      if (expect.has("mirrorPercentageDistribution")) {
        notes.add("mirror share checked from the configured fraction (Envoy samples it per request)");
      }
    }
    if (r.status() != null && r.status() >= 300 && r.status() < 400 && expect.hasNonNull("redirect")) {
      MessageExpectations.compareRedirect(d.location(), expect.path("redirect"), diffs);
    }
    MessageExpectations.compareResponseHeaders(d, expect, diffs);
  }

  private String serviceOf(XdsResources xds, String cluster) {
    List<String> addresses = EchoUpstream.endpoints(xds, cluster);
    return addresses.isEmpty() ? null : world.serviceAt(addresses.get(0));
  }

  /** Every weighted backend's share within the tolerance; backends of weight 0 get nothing. */
  private void weightedDistribution(RouteEvaluator evaluator, XdsResources xds, JsonNode c, JsonNode wd,
      List<String> diffs) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int r = 0; r < SAMPLES; r++) {
      Response resp = respond(evaluator, xds, c, r);
      String who = resp.service() == null ? "(status " + resp.status() + ")"
          : resp.service().substring(resp.service().indexOf('/') + 1);
      counts.merge(who, 1, Integer::sum);
    }
    WeightedShares.check(counts, SAMPLES, wd, "traffic", diffs);
  }

  /** Each weighted backendRef's header filter names the backend that serves the request. */
  private void backendHeaderMatchesPod(RouteEvaluator evaluator, XdsResources xds, JsonNode c, List<String> diffs) {
    String header = c.path("expect").path("backendRequestHeaderNamesPod").asString("Backend");
    Set<String> problems = new java.util.TreeSet<>();
    for (int r = 0; r < SAMPLES; r++) {
      Response resp = respond(evaluator, xds, c, r);
      if (!resp.fromEcho()) {
        problems.add("request not served by an echo backend (" + resp.why() + ")");
        continue;
      }
      List<HeaderMap.Entry> values = resp.decision().upstream().headers().stream()
          .filter(h -> h.name().equalsIgnoreCase(header)).toList();
      String pod = world.podName(resp.service());
      if (values.size() != 1) {
        problems.add("pod " + pod + " got " + values.size() + " '" + header + "' headers, want exactly 1");
      } else if (!pod.startsWith(values.get(0).value())) {
        problems.add("pod " + pod + " got '" + header + ": " + values.get(0).value() + "'");
      }
    }
    diffs.addAll(problems);
  }

}
