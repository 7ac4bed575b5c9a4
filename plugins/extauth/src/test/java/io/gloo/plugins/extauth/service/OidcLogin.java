package io.gloo.plugins.extauth.service;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.gloo.plugins.extauth.service.AuthServer.header;
import static io.gloo.plugins.extauth.service.AuthServer.req;
import static io.gloo.plugins.extauth.service.AuthServer.status;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.jwk.RSAKey;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.gloo.plugins.extauth.TestConfigs;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A WireMock identity provider (discovery, JWKS, token endpoint), a clock the test moves, and the browser side of
 * an OIDC login against an {@link AuthServer}; for the session tests.
 */
final class OidcLogin implements AutoCloseable {

  static final String APP = "https://app.example.com";

  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  };
  final WireMockServer idp;
  final RSAKey key;

  OidcLogin() throws Exception {
    idp = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    idp.start();
    key = Tokens.rsa("idp-1");
    idp.stubFor(get("/.well-known/openid-configuration").willReturn(aResponse().withBody("""
        {"issuer": "%1$s", "authorization_endpoint": "%1$s/authorize", "token_endpoint": "%1$s/token",
         "jwks_uri": "%1$s/jwks", "end_session_endpoint": "%1$s/logout"}""".formatted(idp.baseUrl()))));
    idp.stubFor(get("/jwks").willReturn(aResponse().withBody(Tokens.jwks(key))));
  }

  void advance(Duration d) {
    now.set(now.get().plus(d));
  }

  /** Serves config {@code ns.oidc}: the OIDC flow with {@code extra} YAML appended under oidcAuthorizationCode. */
  void serve(AuthServer server, String extra) {
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
              headers: {accessTokenHeader: x-access-token}
        """.formatted(APP, idp.baseUrl()) + extra.indent(6);
    TestConfigs.Reports reports = new TestConfigs.Reports();
    server.runtime.update(TestConfigs.set(TestConfigs.compile("ns", "oidc", oidc, secrets, reports)));
  }

  /** Logs in through {@code server}; the token endpoint answers {@code tokenJson} (with the ID token added). */
  CheckResponse login(AuthServer server, String tokenFields) throws Exception {
    CheckResponse login = server.check(req("ns.oidc").path("/private"));
    assertEquals(302, status(login));
    Map<String, String> q = query(URI.create(header(login, "location")).getRawQuery());
    String idToken = Tokens.sign(key, Tokens.claims().issuer(idp.baseUrl()).audience("app-client")
        .claim("nonce", q.get("nonce")).issueTime(java.util.Date.from(now.get()))
        .expirationTime(java.util.Date.from(now.get().plusSeconds(600))).build());
    idp.stubFor(post("/token").willReturn(aResponse().withBody("{\"token_type\":\"Bearer\",\"id_token\":\""
        + idToken + "\"" + (tokenFields.isEmpty() ? "" : "," + tokenFields) + "}")));
    CheckResponse callback = server.check(req("ns.oidc").path("/callback?code=c&state=" + q.get("state"))
        .header("cookie", cookie(login, "id_token_state")));
    assertEquals(302, status(callback), String.valueOf(setCookies(callback)));
    return callback;
  }

  static List<String> setCookies(CheckResponse r) {
    return r.getDeniedResponse().getHeadersList().stream().filter(h -> h.getHeader().getKey().equals("set-cookie"))
        .map(h -> h.getHeader().getValue()).toList();
  }

  /** The Set-Cookie header of cookie {@code name}. */
  static String setCookie(CheckResponse r, String name) {
    return setCookies(r).stream().filter(c -> c.startsWith(name + "=")).findFirst()
        .orElseThrow(() -> new AssertionError("no cookie " + name + " in " + setCookies(r)));
  }

  /** {@code name=value} of a Set-Cookie the response carries. */
  static String cookie(CheckResponse r, String name) {
    return setCookie(r, name).split(";")[0];
  }

  static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Override
  public void close() {
    idp.stop();
  }
}
