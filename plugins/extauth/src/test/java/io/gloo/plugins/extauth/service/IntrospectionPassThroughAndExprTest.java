package io.gloo.plugins.extauth.service;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.gloo.plugins.extauth.service.AuthServer.header;
import static io.gloo.plugins.extauth.service.AuthServer.req;
import static io.gloo.plugins.extauth.service.AuthServer.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.gloo.plugins.extauth.TestConfigs;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Introspection (RFC 7662), pass-through to gRPC and HTTP auth services, and booleanExpr / all-of chains. */
class IntrospectionPassThroughAndExprTest {

  private WireMockServer http;
  private Server grpcAuth;
  private AuthServer server;
  private int deadPort;

  /** A user's own Authorization server: allows "Bearer good", denies the rest with 401 and a header. */
  static final class UserAuthServer extends AuthorizationGrpc.AuthorizationImplBase {
    @Override
    public void check(CheckRequest request, StreamObserver<CheckResponse> out) {
      String auth = request.getAttributes().getRequest().getHttp().getHeadersMap().get("authorization");
      if ("Bearer good".equals(auth)) {
        out.onNext(CheckResponse.newBuilder().setStatus(Status.newBuilder().setCode(0))
            .setOkResponse(OkHttpResponse.newBuilder().addHeaders(HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey("x-grpc-user").setValue("g1")))).build());
      } else {
        out.onNext(CheckResponse.newBuilder().setStatus(Status.newBuilder().setCode(16))
            .setDeniedResponse(DeniedHttpResponse.newBuilder().setStatus(HttpStatus.newBuilder().setCodeValue(401))
                .addHeaders(HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder()
                    .setKey("www-authenticate").setValue("Custom")))).build());
      }
      out.onCompleted();
    }
  }

  @BeforeEach
  void start() throws Exception {
    http = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    http.start();
    grpcAuth = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new UserAuthServer())
        .build().start();
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort();
    }
    server = new AuthServer();
    TestConfigs.Secrets secrets = new TestConfigs.Secrets()
        .put("ns", "client", "extauth.solo.io/oauth", Map.of(), Map.of("client-secret", "s3cret"))
        .put("ns", "k1", "extauth.solo.io/apikey", Map.of("k", "1"), Map.of("api-key", "key-one", "user", "one"));
    String base = http.baseUrl();
    server.runtime.update(TestConfigs.set(
        TestConfigs.compile("ns", "introspect", """
            configs:
            - oauth2:
                accessTokenValidation:
                  introspection:
                    introspectionUrl: %s/introspect
                    clientId: gloo
                    clientSecretRef: {name: client}
                    userIdAttributeName: sub
                  requiredScopes: [read]
            """.formatted(base), secrets, new TestConfigs.Reports()),
        TestConfigs.compile("ns", "grpc", """
            configs:
            - passThroughAuth:
                grpc: {address: '127.0.0.1:%d', connectionTimeout: 2s}
            """.formatted(grpcAuth.getPort()), secrets, new TestConfigs.Reports()),
        TestConfigs.compile("ns", "grpc-down", """
            configs:
            - passThroughAuth:
                grpc: {address: '127.0.0.1:%d', connectionTimeout: 1s}
            """.formatted(deadPort), secrets, new TestConfigs.Reports()),
        TestConfigs.compile("ns", "grpc-down-allow", """
            configs:
            - passThroughAuth:
                grpc: {address: '127.0.0.1:%d', connectionTimeout: 1s}
                failureModeAllow: true
            """.formatted(deadPort), secrets, new TestConfigs.Reports()),
        TestConfigs.compile("ns", "http", """
            configs:
            - passThroughAuth:
                http:
                  url: %s/check
                  request: {allowedHeaders: [x-token], headersToAdd: {x-from: gloo}}
                  response: {allowedUpstreamHeaders: [x-http-user], allowedClientHeadersOnDenied: [x-why]}
                  connectionTimeout: 2s
            """.formatted(base), secrets, new TestConfigs.Reports()),
        TestConfigs.compile("ns", "expr", """
            configs:
            - name: key
              apiKeyAuth: {labelSelector: {k: '1'}, headersFromMetadataEntry: {x-key-user: {name: user}}}
            - name: grpc
              passThroughAuth: {grpc: {address: '127.0.0.1:%d'}}
            - name: never
              passThroughAuth: {grpc: {address: '127.0.0.1:%d', connectionTimeout: 1s}}
            booleanExpr: key || (grpc && !never)
            """.formatted(grpcAuth.getPort(), deadPort), secrets, new TestConfigs.Reports()),
        TestConfigs.compile("ns", "all", """
            configs:
            - apiKeyAuth: {labelSelector: {k: '1'}, headersFromMetadataEntry: {x-key-user: {name: user}}}
            - passThroughAuth: {grpc: {address: '127.0.0.1:%d'}}
            """.formatted(grpcAuth.getPort()), secrets, new TestConfigs.Reports())));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    grpcAuth.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    http.stop();
  }

  @Test
  void introspectionAllowsActiveTokensWithTheirScopes() {
    http.stubFor(post("/introspect").withBasicAuth("gloo", "s3cret").withRequestBody(containing("token=tok-ok"))
        .willReturn(aResponse().withBody("{\"active\":true,\"sub\":\"intro-user\",\"scope\":\"read\"}")));
    http.stubFor(post("/introspect").withRequestBody(containing("token=tok-inactive"))
        .willReturn(aResponse().withBody("{\"active\":false}")));
    http.stubFor(post("/introspect").withRequestBody(containing("token=tok-noscope"))
        .willReturn(aResponse().withBody("{\"active\":true,\"scope\":\"write\"}")));
    CheckResponse ok = server.check(req("ns.introspect").header("authorization", "Bearer tok-ok"));
    assertEquals(200, status(ok));
    assertEquals("intro-user", header(ok, "x-user-id"));
    assertEquals(401, status(server.check(req("ns.introspect").header("authorization", "Bearer tok-inactive"))));
    assertEquals(403, status(server.check(req("ns.introspect").header("authorization", "Bearer tok-noscope"))));
    // unmatched by WireMock (404) and so unknown: denied
    assertEquals(401, status(server.check(req("ns.introspect").header("authorization", "Bearer other"))));
    http.verify(postRequestedFor(urlEqualTo("/introspect"))
        .withHeader("content-type", equalTo("application/x-www-form-urlencoded")));
  }

  @Test
  void grpcPassThroughAdoptsTheDecision() {
    CheckResponse ok = server.check(req("ns.grpc").header("authorization", "Bearer good"));
    assertEquals(200, status(ok));
    assertEquals("g1", header(ok, "x-grpc-user"));
    CheckResponse denied = server.check(req("ns.grpc").header("authorization", "Bearer bad"));
    assertEquals(401, status(denied));
    assertEquals("Custom", header(denied, "www-authenticate"));
  }

  @Test
  void grpcPassThroughDownDeniesUnlessFailureModeAllow() {
    assertEquals(403, status(server.check(req("ns.grpc-down"))));
    assertEquals(200, status(server.check(req("ns.grpc-down-allow"))));
  }

  @Test
  void httpPassThroughAllowsOn200AndForwardsAllowedHeaders() {
    http.stubFor(post("/check").withHeader("x-token", equalTo("yes")).withHeader("x-from", equalTo("gloo"))
        .withHeader("x-forwarded-uri", equalTo("/orders?id=1"))
        .willReturn(aResponse().withStatus(200).withHeader("x-http-user", "h1").withHeader("x-secret", "no")));
    http.stubFor(post("/check").withHeader("x-token", equalTo("no"))
        .willReturn(aResponse().withStatus(403).withHeader("x-why", "nope")));
    http.stubFor(post("/check").withHeader("x-token", equalTo("boom")).willReturn(aResponse().withStatus(500)));
    CheckResponse ok = server.check(req("ns.http").path("/orders?id=1").header("x-token", "yes")
        .header("x-other", "not forwarded"));
    assertEquals(200, status(ok));
    assertEquals("h1", header(ok, "x-http-user"));
    assertNull(header(ok, "x-secret"));
    CheckResponse denied = server.check(req("ns.http").header("x-token", "no"));
    assertEquals(403, status(denied));
    assertEquals("nope", header(denied, "x-why"));
    assertEquals(403, status(server.check(req("ns.http").header("x-token", "boom"))));
  }

  @Test
  void booleanExpressionShortCircuitsAndCombines() {
    // key alone suffices (the right side is never asked)
    CheckResponse byKey = server.check(req("ns.expr").header("api-key", "key-one"));
    assertEquals(200, status(byKey));
    assertEquals("one", header(byKey, "x-key-user"));
    // grpc && !never: the unreachable "never" step fails, so its negation holds
    CheckResponse byGrpc = server.check(req("ns.expr").header("authorization", "Bearer good"));
    assertEquals(200, status(byGrpc));
    assertEquals("g1", header(byGrpc, "x-grpc-user"));
    assertNull(header(byGrpc, "x-key-user"));
    // neither: the last denial explains it (the gRPC server's 401)
    assertEquals(401, status(server.check(req("ns.expr").header("authorization", "Bearer bad"))));
  }

  @Test
  void withoutExpressionEveryStepMustPassAndHeadersAccumulate() {
    CheckResponse both = server.check(req("ns.all").header("api-key", "key-one").header("authorization", "Bearer good"));
    assertEquals(200, status(both));
    assertEquals("one", header(both, "x-key-user"));
    assertEquals("g1", header(both, "x-grpc-user"));
    assertEquals(401, status(server.check(req("ns.all").header("api-key", "key-one"))));
    assertEquals(401, status(server.check(req("ns.all").header("authorization", "Bearer good"))));
  }
}
