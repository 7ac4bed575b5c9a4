package io.gloo.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gloo.core.evaluate.HeaderMap;
import io.gloo.core.evaluate.TestRequest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The gRPC call a GRPCRoute case makes, and the status a gRPC client reads from what answers. */
class GrpcCallsTest {

  @Test
  void aCallIsAnHttp2PostToServiceSlashMethodWithMetadataAsHeaders() {
    JsonNode c = JsonMapper.builder().build().readTree("""
        {"listenerPort": 80, "request": {"authority": "", "service": "pkg.Svc", "method": "Echo",
         "metadata": {"Version": "one"}}}""");
    TestRequest r = GrpcCalls.request(c, 0);
    assertEquals("POST", r.method());
    assertEquals("/pkg.Svc/Echo", r.path());
    assertEquals(ConformanceWorld.GATEWAY_ADDRESS + ":80", r.authority());
    assertEquals("application/grpc", header(r, "content-type"));
    assertEquals("one", header(r, "version"), "metadata keys travel lower-case");
  }

  private static String header(TestRequest r, String name) {
    return r.headers().stream().filter(h -> h.name().equals(name)).map(HeaderMap.Entry::value).findFirst()
        .orElse(null);
  }

  @Test
  void httpStatusesMapToGrpcCodes() {
    assertEquals("Unimplemented", GrpcCalls.code(new CaseChecker.Response(null, 404, null, "no route")));
    assertEquals("Unavailable", GrpcCalls.code(new CaseChecker.Response(null, 503, null, "no upstream")));
    assertEquals("Unavailable", GrpcCalls.code(new CaseChecker.Response(null, null, null, "no listener")));
    assertEquals("OK", GrpcCalls.code(new CaseChecker.Response(null, 200, "ns/svc", "echo")));
    assertEquals("Unknown", GrpcCalls.code(new CaseChecker.Response(null, 500, "ns/svc", "echo answered 500")));
  }
}
