package io.gloo.plugins.extauth.service;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.gloo.plugins.extauth.service.AuthServer.header;
import static io.gloo.plugins.extauth.service.AuthServer.req;
import static io.gloo.plugins.extauth.service.AuthServer.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.jwk.RSAKey;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.gloo.plugins.extauth.TestConfigs;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OIDC authorization-code flow end to end against WireMock as the identity provider. */
class OidcFlowTest {

  private static final String APP = "https://app.example.com";

  private OidcLogin login;
  private AtomicReference<Instant> now;
  private WireMockServer idp;
  private AuthServer server;
  private RSAKey key;

  @BeforeEach
  void start() throws Exception {
    login = new OidcLogin();
    idp = login.idp;
    key = login.key;
    now = login.now;
    String base = idp.baseUrl();
    server = new AuthServer(login.clock);
    TestConfigs.Secrets secrets = new TestConfigs.Secrets()
        .put("ns", "oidc-client", "extauth.solo.io/oauth", Map.of(), Map.of("client-secret", "client-s3cret"));
    String oidc = """
        configs:
        - oauth2:
            oidcAuthorizationCode:
              appUrl: %s
              callbackPath: /callback
              logoutPath: /logout
              clientId: app-client
              clientSecretRef: {name: oidc-client}
              issuerUrl: %s
              scopes: [email]
              headers: {idTokenHeader: x-id-token, accessTokenHeader: x-access-token}
        """.formatted(APP, base);
    server.runtime.update(TestConfigs.set(
        TestConfigs.compile("ns", "oidc", oidc, secrets, new TestConfigs.Reports()),
        TestConfigs.compile("ns", "oidc-api", oidc + "failOnRedirect: true\n", secrets, new TestConfigs.Reports())));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    login.close();
  }

  @Test
  void loginCallbackSessionRefreshLogout() throws Exception {
    // 1. no session: redirect to the provider with state, nonce and PKCE
    CheckResponse login = server.check(req("ns.oidc").path("/private?x=1"));
    assertEquals(302, status(login));
    URI location = URI.create(header(login, "location"));
    assertTrue(location.toString().startsWith(idp.baseUrl() + "/authorize?"), location.toString());
    Map<String, String> q = query(location.getRawQuery());
    assertEquals("code", q.get("response_type"));
    assertEquals("app-client", q.get("client_id"));
    assertEquals(APP + "/callback", q.get("redirect_uri"));
    assertEquals("openid email", q.get("scope"));
    assertEquals("S256", q.get("code_challenge_method"));
    assertNotNull(q.get("state"));
    assertNotNull(q.get("nonce"));
    String stateCookie = cookie(login, "id_token_state");

    // 2. the provider sends the browser back with a code; we exchange it and set the session
    idp.stubFor(post("/token").withBasicAuth("app-client", "client-s3cret")
        .withRequestBody(containing("grant_type=authorization_code"))
        .withRequestBody(containing("code=the-code"))
        .willReturn(aResponse().withBody(tokenResponse("at-1", "rt-1", idToken(q.get("nonce"))))));
    CheckResponse badState = server.check(req("ns.oidc").path("/callback?code=the-code&state=forged")
        .header("cookie", stateCookie));
    assertEquals(403, status(badState));
    CheckResponse callback = server.check(req("ns.oidc").path("/callback?code=the-code&state=" + q.get("state"))
        .header("cookie", stateCookie));
    assertEquals(302, status(callback));
    assertEquals(APP + "/private?x=1", header(callback, "location"));
    String session = cookie(callback, "id_token");
    assertTrue(setCookies(callback).stream().anyMatch(c -> c.startsWith("id_token_state=;") && c.contains("Max-Age=0")));
    LoggedRequest tokenRequest = idp.findAll(postRequestedFor(urlEqualTo("/token"))).get(0);
    String verifier = query(tokenRequest.getBodyAsString()).get("code_verifier");
    assertEquals(q.get("code_challenge"), Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII))));
    assertTrue(!session.contains("at-1") && !session.contains("rt-1"), "the session cookie is encrypted");

    // 3. the session authorizes requests and forwards the tokens upstream
    CheckResponse authorized = server.check(req("ns.oidc").path("/private").header("cookie", "a=b; " + session));
    assertEquals(200, status(authorized));
    assertEquals("at-1", header(authorized, "x-access-token"));
    assertEquals("user-1", header(authorized, "x-user-id"));
    assertNotNull(header(authorized, "x-id-token"));

    // a tampered session is no session
    String tampered = session.substring(0, session.length() - 3) + (session.endsWith("AAA") ? "BBB" : "AAA");
    assertEquals(302, status(server.check(req("ns.oidc").path("/private").header("cookie", tampered))));

    // 4. after the access token expired, the refresh token gets a new one and a new cookie
    idp.stubFor(post("/token").withRequestBody(containing("grant_type=refresh_token"))
        .withRequestBody(containing("refresh_token=rt-1"))
        .willReturn(aResponse().withBody(tokenResponse("at-2", null, null))));
    now.set(now.get().plus(Duration.ofMinutes(10)));
    CheckResponse refreshed = server.check(req("ns.oidc").path("/private").header("cookie", session));
    assertEquals(200, status(refreshed));
    assertEquals("at-2", header(refreshed, "x-access-token"));
    List<HeaderValueOption> setOnResponse = refreshed.getOkResponse().getResponseHeadersToAddList();
    assertEquals(1, setOnResponse.size());
    String newSession = setOnResponse.get(0).getHeader().getValue().split(";")[0];
    assertEquals("at-2", header(server.check(req("ns.oidc").path("/x").header("cookie", newSession)),
        "x-access-token"));

    // 5. logout clears the session and goes to the provider's end-session endpoint
    CheckResponse logout = server.check(req("ns.oidc").path("/logout").header("cookie", newSession));
    assertEquals(302, status(logout));
    assertTrue(header(logout, "location").startsWith(idp.baseUrl() + "/logout?id_token_hint="));
    assertTrue(setCookies(logout).stream().anyMatch(c -> c.startsWith("id_token=;") && c.contains("Max-Age=0")));
  }

  @Test
  void idTokenWithWrongNonceOrAudienceIsRejected() throws Exception {
    CheckResponse login = server.check(req("ns.oidc").path("/"));
    Map<String, String> q = query(URI.create(header(login, "location")).getRawQuery());
    idp.stubFor(post("/token").willReturn(aResponse().withBody(tokenResponse("at", "rt", idToken("other-nonce")))));
    assertEquals(403, status(server.check(req("ns.oidc").path("/callback?code=c&state=" + q.get("state"))
        .header("cookie", cookie(login, "id_token_state")))));
    String wrongAudience = Tokens.sign(key, Tokens.claims().issuer(idp.baseUrl()).audience("another-client")
        .claim("nonce", q.get("nonce")).build());
    idp.stubFor(post("/token").willReturn(aResponse().withBody(tokenResponse("at", "rt", wrongAudience))));
    assertEquals(403, status(server.check(req("ns.oidc").path("/callback?code=c&state=" + q.get("state"))
        .header("cookie", cookie(login, "id_token_state")))));
  }

  @Test
  void theCallbackReturnsOnlyToTheAppsOriginNotToALookAlike() throws Exception {
    // The original URL is the request's own (a route may match any host); a string-prefix check let these through.
    for (String host : List.of("app.example.com.evil.net", "app.example.com@evil.net", "app.example.com:8443")) {
      CheckResponse login = server.check(req("ns.oidc").host(host).path("/steal"));
      assertEquals(302, status(login), host);
      Map<String, String> q = query(URI.create(header(login, "location")).getRawQuery());
      idp.stubFor(post("/token").willReturn(aResponse().withBody(tokenResponse("at", "rt", idToken(q.get("nonce"))))));
      CheckResponse callback = server.check(req("ns.oidc").path("/callback?code=c&state=" + q.get("state"))
          .header("cookie", cookie(login, "id_token_state")));
      assertEquals(302, status(callback), host);
      assertEquals(APP + "/", header(callback, "location"), "not back to https://" + host + "/steal");
    }
    assertTrue(OidcAuthenticator.sameOrigin("HTTPS://App.Example.com:443/a?b", APP), "case and default port");
    assertTrue(!OidcAuthenticator.sameOrigin("http://app.example.com/a", APP), "another scheme");
  }

  @Test
  void failOnRedirectAnswers401() {
    assertEquals(401, status(server.check(req("ns.oidc-api").path("/private"))));
  }

  private String idToken(String nonce) throws Exception {
    return Tokens.sign(key, Tokens.claims().issuer(idp.baseUrl()).audience("app-client").claim("nonce", nonce)
        .build());
  }

  private static String tokenResponse(String accessToken, String refreshToken, String idToken) {
    StringBuilder b = new StringBuilder("{\"token_type\":\"Bearer\",\"expires_in\":300,\"access_token\":\"")
        .append(accessToken).append('"');
    if (refreshToken != null) {
      b.append(",\"refresh_token\":\"").append(refreshToken).append('"');
    }
    if (idToken != null) {
      b.append(",\"id_token\":\"").append(idToken).append('"');
    }
    return b.append('}').toString();
  }

  private static List<String> setCookies(CheckResponse r) {
    return OidcLogin.setCookies(r);
  }

  private static String cookie(CheckResponse r, String name) {
    return OidcLogin.cookie(r, name);
  }

  private static Map<String, String> query(String raw) {
    return OidcLogin.query(raw);
  }
}
