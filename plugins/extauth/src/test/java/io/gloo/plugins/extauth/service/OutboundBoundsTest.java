package io.gloo.plugins.extauth.service;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.gloo.plugins.extauth.service.AuthServer.req;
import static io.gloo.plugins.extauth.service.AuthServer.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.plugins.extauth.TestConfigs;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bounds on calls auth configs make ({@link OutboundPolicy}): body caps, a total-call timeout, https unless
 * allowed, denied address ranges (127.0.0.1, where WireMock listens, stays allowed by default), the discovery
 * document's issuer and origins, and the introspection caches (expiry re-checked on hits, inactive answers
 * remembered briefly). WireMock plays the servers; the clock is the test's.
 */
class OutboundBoundsTest {

  OidcLogin idp;
  AuthServer server;

  @BeforeEach
  void start() throws Exception {
    idp = new OidcLogin();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    idp.close();
  }

  /** The service with plugin config {@code outbound.*} (plus allowInsecure unless given). */
  void serve(Map<String, String> outbound, String name, String yaml) throws Exception {
    Map<String, String> config = new HashMap<>(Map.of("outbound.allowInsecure", "true"));
    config.putAll(outbound);
    server = new AuthServer(idp.clock, OutboundPolicy.from(config));
    TestConfigs.Secrets secrets = new TestConfigs.Secrets()
        .put("ns", "client", "extauth.solo.io/oauth", Map.of(), Map.of("client-secret", "s3cret"));
    server.runtime.update(TestConfigs.set(TestConfigs.compile("ns", name, yaml, secrets,
        new TestConfigs.Reports())));
  }

  String remoteJwks(String url) {
    return """
        configs:
        - oauth2:
            accessTokenValidation:
              jwt: {remoteJwks: {url: '%s'}}
        """.formatted(url);
  }

  int bearer(String config, String token) {
    return status(server.check(req(config).header("authorization", "Bearer " + token)));
  }

  String token() throws Exception {
    return Tokens.sign(idp.key, Tokens.claims().issueTime(java.util.Date.from(idp.now.get()))
        .expirationTime(java.util.Date.from(idp.now.get().plusSeconds(600))).build());
  }

  /** A JWKS document padded with an unknown member to about {@code bytes}. */
  String paddedJwks(int bytes) {
    String jwks = Tokens.jwks(idp.key);
    return jwks.substring(0, jwks.lastIndexOf('}')) + ",\"padding\":\"" + "x".repeat(bytes) + "\"}";
  }

  @Test
  void aJwksOverTheCapIsNotUsedAndTheDefaultCapIsOneMebibyte() throws Exception {
    idp.idp.stubFor(get("/big-jwks").willReturn(aResponse().withBody(paddedJwks(1_100_000))));
    idp.idp.stubFor(get("/small-jwks").willReturn(aResponse().withBody(paddedJwks(900_000))));
    serve(Map.of(), "big", remoteJwks(idp.idp.baseUrl() + "/big-jwks"));
    assertEquals(401, bearer("ns.big", token()));
    serve(Map.of(), "small", remoteJwks(idp.idp.baseUrl() + "/small-jwks"));
    assertEquals(200, bearer("ns.small", token()), "under 1 MiB, from 127.0.0.1: allowed by default");
  }

  @Test
  void aJwksWhoseBodyOutlastsTheTotalTimeoutIsNotUsed() throws Exception {
    // headers at once, then the body dribbles for 3 s: a headers-only timeout would wait for it
    idp.idp.stubFor(get("/slow-jwks").willReturn(aResponse().withBody(Tokens.jwks(idp.key))
        .withChunkedDribbleDelay(20, 3_000)));
    serve(Map.of("outbound.timeout", "300ms"), "slow", remoteJwks(idp.idp.baseUrl() + "/slow-jwks"));
    assertEquals(401, bearer("ns.slow", token()));
  }

  @Test
  void plainHttpIsRefusedUnlessAllowed() throws Exception {
    idp.idp.stubFor(get("/jwks-plain").willReturn(aResponse().withBody(Tokens.jwks(idp.key))));
    serve(Map.of("outbound.allowInsecure", "false"), "plain", remoteJwks(idp.idp.baseUrl() + "/jwks-plain"));
    assertEquals(401, bearer("ns.plain", token()));
    assertEquals(0, idp.idp.findAll(getRequestedFor(urlEqualTo("/jwks-plain"))).size(), "no call was made");
  }

  @Test
  void deniedRangesAreNeverCalledAndMetadataAddressesAreDeniedByDefault() throws Exception {
    idp.idp.stubFor(get("/jwks-denied").willReturn(aResponse().withBody(Tokens.jwks(idp.key))));
    serve(Map.of("outbound.deniedRanges", "10.0.0.0/8, 127.0.0.0/8"), "loopback-denied",
        remoteJwks(idp.idp.baseUrl() + "/jwks-denied"));
    assertEquals(401, bearer("ns.loopback-denied", token()));
    assertEquals(0, idp.idp.findAll(getRequestedFor(urlEqualTo("/jwks-denied"))).size());

    OutboundPolicy defaults = OutboundPolicy.DEFAULTS;
    assertTrue(defaults.denies(java.net.InetAddress.getByName("169.254.169.254")));
    assertTrue(defaults.denies(java.net.InetAddress.getByName("fd00:ec2::254")));
    assertTrue(!defaults.denies(java.net.InetAddress.getByName("127.0.0.1")));
    OutboundHttp http = new OutboundHttp(java.net.http.HttpClient.newHttpClient(), defaults.allowingInsecure());
    var refused = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://169.254.169.254/latest/meta-data/")).build(), 1000, Duration.ofSeconds(30));
    var error = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
        refused::get);
    assertTrue(error.getCause().getMessage().contains("denied range"), error.getCause().getMessage());
  }

  String oidc() {
    return """
        configs:
        - oauth2:
            oidcAuthorizationCode:
              appUrl: https://app.example.com
              callbackPath: /callback
              clientId: app-client
              clientSecretRef: {name: client}
              issuerUrl: %s
        """.formatted(idp.idp.baseUrl());
  }

  void discovery(String issuer, String tokenEndpoint) {
    String base = idp.idp.baseUrl();
    idp.idp.stubFor(get("/.well-known/openid-configuration").willReturn(aResponse().withBody("""
        {"issuer": "%s", "authorization_endpoint": "%s/authorize", "token_endpoint": "%s",
         "jwks_uri": "%s/jwks"}""".formatted(issuer, base, tokenEndpoint, base))));
  }

  @Test
  void aDiscoveryDocumentNamingAnotherIssuerIsRefused() throws Exception {
    discovery("https://evil.example.com", idp.idp.baseUrl() + "/token");
    serve(Map.of(), "oidc", oidc());
    assertEquals(403, status(server.check(req("ns.oidc").path("/private"))));
    assertTrue(server.decisions.contains("deny:oidc_discovery_unavailable"), server.decisions.toString());
  }

  @Test
  void endpointsOffTheIssuersOriginNeedAllowCrossOriginEndpoints() throws Exception {
    discovery(idp.idp.baseUrl(), "http://127.0.0.2:" + idp.idp.port() + "/token");
    serve(Map.of(), "oidc", oidc());
    assertEquals(403, status(server.check(req("ns.oidc").path("/private"))));
    server.close();
    serve(Map.of("outbound.allowCrossOriginEndpoints", "true"), "oidc", oidc());
    assertEquals(302, status(server.check(req("ns.oidc").path("/private"))), "login redirect");
  }

  String introspection(String cacheTimeout) {
    return """
        configs:
        - oauth2:
            accessTokenValidation:
              introspection:
                introspectionUrl: %s/introspect
                clientId: gloo
                clientSecretRef: {name: client}
              cacheTimeout: %s
        """.formatted(idp.idp.baseUrl(), cacheTimeout);
  }

  int introspectionCalls() {
    return idp.idp.findAll(postRequestedFor(urlEqualTo("/introspect"))).size();
  }

  @Test
  void anIntrospectionAnswerOverSixtyFourKibibytesIsAFailure() throws Exception {
    idp.idp.stubFor(post("/introspect").willReturn(aResponse().withBody(
        "{\"active\":true,\"padding\":\"" + "x".repeat(70 * 1024) + "\"}")));
    serve(Map.of(), "introspect", introspection("0s"));
    assertEquals(401, bearer("ns.introspect", "opaque-token"));
    assertTrue(server.decisions.contains("deny:introspection_unavailable"), server.decisions.toString());
  }

  @Test
  void aCachedActiveAnswerIsReCheckedAgainstItsExp() throws Exception {
    long exp = idp.now.get().getEpochSecond() + 60;
    idp.idp.stubFor(post("/introspect").willReturn(aResponse().withBody(
        "{\"active\":true,\"exp\":" + exp + "}")));
    serve(Map.of(), "introspect", introspection("10m"));
    assertEquals(200, bearer("ns.introspect", "opaque-token"));
    assertEquals(200, bearer("ns.introspect", "opaque-token"));
    assertEquals(1, introspectionCalls(), "the second answer came from the cache");
    idp.advance(Duration.ofMinutes(2));
    assertEquals(401, bearer("ns.introspect", "opaque-token"), "expired while cached");
    assertEquals(1, introspectionCalls());
  }

  @Test
  void inactiveAnswersAreRememberedBrieflySoBadTokensDoNotStormTheEndpoint() throws Exception {
    idp.idp.stubFor(post("/introspect").willReturn(aResponse().withBody("{\"active\":false}")));
    serve(Map.of(), "introspect", introspection("0s"));
    for (int i = 0; i < 20; i++) {
      assertEquals(401, bearer("ns.introspect", "bad-token"));
    }
    assertEquals(1, introspectionCalls(), "one call for twenty checks of the same bad token");
    idp.advance(Duration.ofSeconds(11));
    assertEquals(401, bearer("ns.introspect", "bad-token"));
    assertEquals(2, introspectionCalls(), "asked again after outbound.negativeCacheTtl (10s)");
    assertEquals(List.of(), server.decisions.stream().filter(d -> d.startsWith("allow")).toList());
  }
}
