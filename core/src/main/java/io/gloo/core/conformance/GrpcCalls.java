package io.gloo.core.conformance;

import io.gloo.core.evaluate.TestRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The unary calls of the GRPCRoute conformance tests (upstream {@code conformance/utils/grpc}), as the route evaluator
 * sees them: an HTTP/2 POST to {@code /<service>/<method>} with {@code content-type: application/grpc}, the call's
 * metadata as lower-case headers, {@code :authority} the one asked for or the Gateway's address; and the gRPC status
 * the client reads from what answers (the echo server's OK, or Envoy's local reply mapped as gRPC clients map HTTP
 * statuses). Stateless.
 */
final class GrpcCalls {

  private GrpcCalls() {}

  static TestRequest request(JsonNode c, long random) {
    JsonNode req = c.path("request");
    int port = c.path("listenerPort").asInt(80);
    String authority = req.path("authority").asString("");
    TestRequest.Builder b = TestRequest.builder().port(port).scheme("http").method("POST")
        .path("/" + req.path("service").asString() + "/" + req.path("method").asString())
        .authority(authority.isEmpty() ? ConformanceWorld.GATEWAY_ADDRESS + ":" + port : authority)
        .randomValue(random)
        .header("content-type", "application/grpc")
        .header("te", "trailers");
    for (Map.Entry<String, JsonNode> m : req.path("metadata").properties()) {
      // gRPC metadata keys travel as lower-case HTTP/2 header names
      b.header(m.getKey().toLowerCase(Locale.ROOT), m.getValue().asString());
    }
    return b.build();
  }

  /**
   * The gRPC status a client reports for a response: OK from the echo server; otherwise the HTTP-to-gRPC status
   * mapping of gRPC's {@code http-grpc-status-mapping.md} (Envoy's local replies to gRPC requests carry the same).
   */
  static String code(CaseChecker.Response r) {
    if (r.fromEcho()) {
      return "OK";
    }
    if (r.status() == null) {
      return "Unavailable"; // no connection
    }
    return switch (r.status()) {
      case 400 -> "Internal";
      case 401 -> "Unauthenticated";
      case 403 -> "PermissionDenied";
      case 404 -> "Unimplemented";
      case 429, 502, 503, 504 -> "Unavailable";
      default -> "Unknown";
    };
  }

  /** Status code, then (for OK) the backend pod and namespace the echo server reports. */
  static void compare(CaseChecker.Response r, JsonNode expect, ConformanceWorld world, List<String> diffs) {
    String want = expect.path("code").asString("OK");
    String got = code(r);
    if (!want.equals(got)) {
      diffs.add("gRPC status " + got + " (" + r.why() + "), want " + want + " [" + r.decision().summary() + "]");
      return;
    }
    if (!got.equals("OK")) {
      return;
    }
    String backend = expect.path("backend").asString(null);
    String pod = world.podName(r.service());
    if (backend != null && !backend.isEmpty() && !pod.startsWith(backend)) {
      diffs.add("reached pod " + pod + ", want backend " + backend);
    }
    String ns = expect.path("namespace").asString(null);
    if (ns != null && !r.service().startsWith(ns + "/")) {
      diffs.add("namespace of " + r.service() + ", want " + ns);
    }
  }
}
