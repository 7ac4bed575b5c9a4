package io.gloo.plugins.extauth.service;

import static io.gloo.plugins.extauth.service.AuthServer.header;
import static io.gloo.plugins.extauth.service.AuthServer.req;
import static io.gloo.plugins.extauth.service.AuthServer.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OIDC sessions end: at {@code session.cookieOptions.maxAge} (Gloo's default 30 days) from login whatever the token
 * response says, and at logout for every copy of the cookie (this replica's revocation set). The clock is the
 * test's; the identity provider is WireMock.
 */
class OidcSessionLifetimeTest {

  OidcLogin idp;
  AuthServer server;

  @BeforeEach
  void start() throws Exception {
    idp = new OidcLogin();
    server = new AuthServer(idp.clock);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    idp.close();
  }

  CheckResponse visit(String session) {
    return server.check(req("ns.oidc").path("/private").header("cookie", session));
  }

  @Test
  void aTokenResponseWithoutExpiresInLastsTheSessionLifetimeNotForever() throws Exception {
    idp.serve(server, "session: {cookieOptions: {maxAge: 3600}}");
    CheckResponse callback = idp.login(server, "\"access_token\":\"at-1\"");
    assertTrue(OidcLogin.setCookie(callback, "id_token").contains("Max-Age=3600"),
        OidcLogin.setCookie(callback, "id_token"));
    String session = OidcLogin.cookie(callback, "id_token");
    idp.advance(Duration.ofMinutes(59));
    assertEquals(200, status(visit(session)));
    idp.advance(Duration.ofMinutes(2));
    CheckResponse after = visit(session);
    assertEquals(302, status(after), "the session ended: login again");
    assertTrue(header(after, "location").startsWith(idp.idp.baseUrl() + "/authorize?"));
  }

  @Test
  void theDefaultLifetimeIsThirtyDaysAndRefreshesDoNotExtendIt() throws Exception {
    idp.serve(server, "");
    CheckResponse callback = idp.login(server, "\"access_token\":\"at-1\",\"expires_in\":86400,"
        + "\"refresh_token\":\"rt-1\"");
    assertTrue(OidcLogin.setCookie(callback, "id_token").contains("Max-Age=2592000"));
    String session = OidcLogin.cookie(callback, "id_token");
    // day 2: the access token expired, the refresh token renews it within the same session
    idp.advance(Duration.ofDays(1).plusMinutes(1));
    idp.idp.stubFor(WireMock.post("/token").willReturn(WireMock.aResponse().withBody(
        "{\"access_token\":\"at-2\",\"expires_in\":86400000}")));
    CheckResponse refreshed = visit(session);
    assertEquals(200, status(refreshed));
    String renewed = refreshed.getOkResponse().getResponseHeadersToAdd(0).getHeader().getValue();
    assertTrue(renewed.contains("Max-Age=" + (Duration.ofDays(29).minusMinutes(1).toSeconds())), renewed);
    String newSession = renewed.split(";")[0];
    idp.advance(Duration.ofDays(28));
    assertEquals(200, status(visit(newSession)));
    idp.advance(Duration.ofDays(1));
    assertEquals(302, status(visit(newSession)), "30 days after login, however long the access token said");
  }

  @Test
  void logoutRevokesEveryCopyOfTheCookie() throws Exception {
    idp.serve(server, "session: {cookieOptions: {maxAge: 3600}}");
    String session = OidcLogin.cookie(idp.login(server, "\"access_token\":\"at-1\",\"expires_in\":300"),
        "id_token");
    String copy = session;
    assertEquals(200, status(visit(copy)));
    CheckResponse logout = server.check(req("ns.oidc").path("/logout").header("cookie", session));
    assertEquals(302, status(logout));
    assertTrue(OidcLogin.setCookie(logout, "id_token").contains("Max-Age=0"));
    assertEquals(302, status(visit(copy)), "a copied cookie no longer works after logout");
    // another login is a new session
    String next = OidcLogin.cookie(idp.login(server, "\"access_token\":\"at-2\",\"expires_in\":300"), "id_token");
    assertEquals(200, status(visit(next)));
  }

  @Test
  void aRevokedSessionIsForgottenOnlyAfterItWouldHaveEndedAnyway() throws Exception {
    idp.serve(server, "session: {cookieOptions: {maxAge: 3600}}");
    String session = OidcLogin.cookie(idp.login(server, "\"access_token\":\"at-1\""), "id_token");
    server.check(req("ns.oidc").path("/logout").header("cookie", session));
    idp.advance(Duration.ofMinutes(59));
    assertEquals(302, status(visit(session)), "still revoked near the end of its lifetime");
    idp.advance(Duration.ofMinutes(2));
    assertEquals(302, status(visit(session)), "past its lifetime: refused as expired");
  }
}
