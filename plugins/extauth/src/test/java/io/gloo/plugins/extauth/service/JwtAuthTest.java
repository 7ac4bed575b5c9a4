package io.gloo.plugins.extauth.service;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.gloo.plugins.extauth.service.AuthServer.header;
import static io.gloo.plugins.extauth.service.AuthServer.req;
import static io.gloo.plugins.extauth.service.AuthServer.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.gloo.plugins.extauth.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** oauth2.accessTokenValidation.jwt with local and remote (WireMock) JWKS, and the attacks that must fail. */
class JwtAuthTest {

  private WireMockServer idp;
  private AuthServer server;
  private RSAKey rsa;
  private ECKey ec;

  @BeforeEach
  void start() throws Exception {
    idp = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    idp.start();
    server = new AuthServer();
    rsa = Tokens.rsa("rsa-1");
    ec = Tokens.ec("ec-1");
    String local = """
        configs:
        - oauth2:
            accessTokenValidation:
              jwt:
                localJwks: {inlineString: '%s'}
                issuer: %s
                audiences: [other, %s]
              requiredScopes: [read]
              claimsToHeaders: [{claim: sub, header: x-sub}, {claim: email, header: x-email}]
        """.formatted(Tokens.jwks(rsa, ec), Tokens.ISSUER, Tokens.AUDIENCE);
    String remote = """
        configs:
        - oauth2:
            accessTokenValidation:
              jwt:
                remoteJwks: {url: '%s/jwks', refreshInterval: 1s}
              requiredScopes: {scope: [read]}
        """.formatted(idp.baseUrl());
    String noExpAllowed = """
        configs:
        - oauth2:
            accessTokenValidation:
              jwt:
                localJwks: {inlineString: '%s'}
                requireExpiration: false
        """.formatted(Tokens.jwks(rsa));
    server.runtime.update(TestConfigs.set(
        TestConfigs.compile("ns", "local", local, new TestConfigs.Secrets(), new TestConfigs.Reports()),
        TestConfigs.compile("ns", "no-exp-allowed", noExpAllowed, new TestConfigs.Secrets(),
            new TestConfigs.Reports()),
        TestConfigs.compile("ns", "remote", remote, new TestConfigs.Secrets(), new TestConfigs.Reports())));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    idp.stop();
  }

  private CheckResponse check(String config, String token) {
    return server.check(req(config).header("authorization", "Bearer " + token));
  }

  @Test
  void validRs256AndEs256TokensAreAllowedWithClaimHeaders() throws Exception {
    CheckResponse r = check("ns.local", Tokens.sign(rsa, Tokens.claims().build()));
    assertEquals(200, status(r));
    assertEquals("user-1", header(r, "x-sub"));
    assertEquals("u1@example.com", header(r, "x-email"));
    assertEquals(200, status(check("ns.local", Tokens.sign(ec, Tokens.claims().build()))));
  }

  @Test
  void aTokenWithoutExpIsRefusedUnlessTheConfigSetsRequireExpirationFalse() throws Exception {
    String forever = Tokens.sign(rsa, Tokens.claims().expirationTime(null).build());
    CheckResponse refused = check("ns.local", forever);
    assertEquals(401, status(refused));
    assertTrue(server.decisions.contains("deny:jwt_no_expiry"), server.decisions.toString());
    assertEquals(200, status(check("ns.no-exp-allowed", forever)));
  }

  @Test
  void scopeListClaimScpCounts() throws Exception {
    String token = Tokens.sign(rsa, Tokens.claims().claim("scope", null)
        .claim("scp", java.util.List.of("write", "read")).build());
    assertEquals(200, status(check("ns.local", token)));
  }

  @Test
  void missingScopeIsForbidden() throws Exception {
    CheckResponse r = check("ns.local", Tokens.sign(rsa, Tokens.claims().claim("scope", "write").build()));
    assertEquals(403, status(r));
    assertTrue(header(r, "www-authenticate").contains("insufficient_scope"));
  }

  @Test
  void missingTokenIsChallenged() {
    CheckResponse r = server.check(req("ns.local"));
    assertEquals(401, status(r));
    assertEquals("Bearer", header(r, "www-authenticate"));
  }

  @Test
  void algNoneIsDenied() {
    String header = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"rsa-1\"}").toString();
    String payload = Base64URL.encode(Tokens.claims().build().toString()).toString();
    assertEquals(401, status(check("ns.local", header + "." + payload + ".")));
    assertEquals(401, status(check("ns.local", header + "." + payload)));
  }

  @Test
  void hmacSignedWithTheRsaPublicKeyIsDenied() throws Exception {
    for (byte[] secret : new byte[][] {rsa.toRSAPublicKey().getEncoded(),
        rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)}) {
      SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
          Tokens.claims().build());
      forged.sign(new MACSigner(secret));
      CheckResponse r = check("ns.local", forged.serialize());
      assertEquals(401, status(r));
      assertTrue(header(r, "www-authenticate").contains("invalid_token"));
    }
  }

  @Test
  void ecAlgorithmAgainstAnRsaKeyIsDenied() throws Exception {
    // an ES256 signature that claims the RSA key's kid: the key's type pins RS*/PS*, so no verifier is used
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("rsa-1").build(),
        Tokens.claims().build());
    jwt.sign(new com.nimbusds.jose.crypto.ECDSASigner(ec));
    assertEquals(401, status(check("ns.local", jwt.serialize())));
  }

  @Test
  void expiredNotYetValidWrongIssuerWrongAudienceAreDenied() throws Exception {
    Instant now = Instant.now();
    assertEquals(401, status(check("ns.local", Tokens.sign(rsa, Tokens.claims()
        .expirationTime(Date.from(now.minusSeconds(120))).build()))));
    assertEquals(401, status(check("ns.local", Tokens.sign(rsa, Tokens.claims()
        .notBeforeTime(Date.from(now.plusSeconds(300))).build()))));
    assertEquals(401, status(check("ns.local", Tokens.sign(rsa, Tokens.claims().issuer("https://evil").build()))));
    assertEquals(401, status(check("ns.local", Tokens.sign(rsa, Tokens.claims().audience("someone-else").build()))));
    // within the clock skew: still fine
    assertEquals(200, status(check("ns.local", Tokens.sign(rsa, Tokens.claims()
        .expirationTime(Date.from(now.minusSeconds(5))).build()))));
  }

  @Test
  void tamperedSignatureAndUnknownKidAreDenied() throws Exception {
    String token = Tokens.sign(rsa, Tokens.claims().build());
    String[] parts = token.split("\\.");
    String otherPayload = Base64URL.encode(Tokens.claims().subject("admin").build().toString()).toString();
    assertEquals(401, status(check("ns.local", parts[0] + "." + otherPayload + "." + parts[2])));
    char c = parts[2].charAt(10);
    String flipped = parts[2].substring(0, 10) + (c == 'A' ? 'B' : 'A') + parts[2].substring(11);
    assertEquals(401, status(check("ns.local", parts[0] + "." + parts[1] + "." + flipped)));
    RSAKey stranger = Tokens.rsa("rsa-unknown");
    assertEquals(401, status(check("ns.local", Tokens.sign(stranger, Tokens.claims().build()))));
    assertEquals(401, status(check("ns.local", "not-a-jwt")));
  }

  @Test
  void remoteJwksKeepsLastGoodKeysDuringAnOutage() throws Exception {
    idp.stubFor(get("/jwks").willReturn(aResponse().withStatus(200).withBody(Tokens.jwks(rsa))));
    String token = Tokens.sign(rsa, Tokens.claims().build());
    assertEquals(200, status(check("ns.remote", token)));
    idp.resetAll();
    idp.stubFor(get("/jwks").willReturn(aResponse().withStatus(503)));
    Thread.sleep(1300); // past refreshInterval: the next use starts a refresh, which fails
    assertEquals(200, status(check("ns.remote", token)));
    Thread.sleep(300);
    // tokens never seen before (so not in the verified-token cache) still verify with the last good keys
    assertEquals(200, status(check("ns.remote", Tokens.sign(rsa, Tokens.claims().jwtID("fresh-1").build()))));
    Thread.sleep(1100);
    assertEquals(200, status(check("ns.remote", Tokens.sign(rsa, Tokens.claims().jwtID("fresh-2").build()))));
    assertTrue(idp.findAll(getRequestedFor(urlEqualTo("/jwks"))).size() >= 1, "a refresh was attempted");
  }

  @Test
  void rotatedKeyIsFetchedOnUnknownKidAtMostOncePerInterval() throws Exception {
    idp.stubFor(get("/jwks").willReturn(aResponse().withStatus(200).withBody(Tokens.jwks(rsa))));
    assertEquals(200, status(check("ns.remote", Tokens.sign(rsa, Tokens.claims().build()))));
    RSAKey rotated = Tokens.rsa("rsa-2");
    idp.stubFor(get("/jwks").willReturn(aResponse().withStatus(200).withBody(Tokens.jwks(rsa, rotated))));
    String newToken = Tokens.sign(rotated, Tokens.claims().build());
    Thread.sleep(1100); // the forced refresh is limited to once per interval (1s)
    assertEquals(200, status(check("ns.remote", newToken)));
    // a burst of unknown kids right after does not hammer the endpoint
    int before = idp.findAll(getRequestedFor(urlEqualTo("/jwks"))).size();
    RSAKey stranger = Tokens.rsa("nobody");
    for (int i = 0; i < 5; i++) {
      assertEquals(401, status(check("ns.remote", Tokens.sign(stranger, Tokens.claims().build()))));
    }
    assertTrue(idp.findAll(getRequestedFor(urlEqualTo("/jwks"))).size() <= before + 1);

    // the old key is withdrawn: once the refreshed key set arrives, tokens it signed are denied, even those
    // verified (and cached) before
    String oldToken = Tokens.sign(rsa, Tokens.claims().build());
    assertEquals(200, status(check("ns.remote", oldToken)));
    idp.stubFor(get("/jwks").willReturn(aResponse().withStatus(200).withBody(Tokens.jwks(rotated))));
    Thread.sleep(1100);
    io.gloo.core.testing.Await.until(new java.util.concurrent.LinkedBlockingQueue<>(), java.time.Duration.ofSeconds(10),
        () -> status(check("ns.remote", oldToken)) == 401, () -> "a withdrawn key's token kept working");
    assertEquals(200, status(check("ns.remote", newToken)));
  }

  @Test
  void jwksEndpointDownFromTheStartDenies() throws Exception {
    idp.stubFor(get("/jwks").willReturn(aResponse().withStatus(500)));
    assertEquals(401, status(check("ns.remote", Tokens.sign(rsa, Tokens.claims().build()))));
  }
}
