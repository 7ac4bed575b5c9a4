package io.gloo.plugins.extauth.service;

import static io.gloo.plugins.extauth.service.AuthServer.req;
import static io.gloo.plugins.extauth.service.AuthServer.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import io.gloo.plugins.extauth.TestConfigs;
import io.gloo.plugins.extauth.compile.AuthConfigSet;
import io.gloo.plugins.extauth.compile.CompiledAuthConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs passing and failing checks with debug logging on (src/test/resources/simplelogger.properties), capturing
 * what the service logs, and asserts that no key, password, token or client secret appears in the log, the metric
 * reasons or the compiled set's string form.
 */
class NoSecretsInLogsTest {

  private static final String API_KEY = "sk-live-7f3a9c1e5b";
  private static final String PASSWORD = "password";
  private static final String CLIENT_SECRET = "client-s3cret-42";

  @Test
  void checksNeverLogSecrets() throws Exception {
    RSAKey key = Tokens.rsa("k1");
    String token = Tokens.sign(key, Tokens.claims().build());
    String expired = Tokens.sign(key, Tokens.claims().expirationTime(new java.util.Date(0)).build());
    TestConfigs.Secrets secrets = new TestConfigs.Secrets()
        .put("ns", "key", "extauth.solo.io/apikey", Map.of("a", "b"), Map.of("api-key", API_KEY))
        .put("ns", "client", "extauth.solo.io/oauth", Map.of(), Map.of("client-secret", CLIENT_SECRET));
    CompiledAuthConfig config = TestConfigs.compile("ns", "mixed", """
        configs:
        - name: key
          apiKeyAuth: {labelSelector: {a: b}}
        - name: basic
          basicAuth: {apr: {users: {user: {salt: TESTSALT, hashedPassword: /qh1NeASK65KivtI8Dg4a0}}}}
        - name: jwt
          oauth2: {accessTokenValidation: {jwt: {localJwks: {inlineString: '%s'}}}}
        - name: introspect
          oauth2: {accessTokenValidation: {introspection: {introspectionUrl: 'http://127.0.0.1:1/i', clientId: c,
                   clientSecretRef: {name: client}}}}
        booleanExpr: key || basic || jwt || introspect
        """.formatted(Tokens.jwks(key)), secrets, new TestConfigs.Reports());

    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    List<String> reasons;
    try (PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      System.setErr(tee);
      try (AuthServer server = new AuthServer()) {
        server.runtime.update(TestConfigs.set(config));
        assertEquals(200, status(server.check(req("ns.mixed").header("api-key", API_KEY))));
        assertEquals(200, status(server.check(req("ns.mixed").header("authorization",
            ApiKeyAndBasicAuthTest.basic("user", PASSWORD)))));
        assertEquals(200, status(server.check(req("ns.mixed").header("authorization", "Bearer " + token))));
        assertEquals(401, status(server.check(req("ns.mixed").header("api-key", API_KEY + "x")
            .header("authorization", "Bearer " + expired))));
        assertEquals(401, status(server.check(req("ns.mixed").header("authorization",
            ApiKeyAndBasicAuthTest.basic("user", PASSWORD + "!")))));
        reasons = List.copyOf(server.decisions);
      }
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("check config_id=ns.mixed decision=allow"), "debug log was not captured:\n" + log);
    assertTrue(log.contains("decision=deny"), log);
    String everything = log + reasons + config + AuthConfigSet.EMPTY + new AuthConfigSet(Map.of(config.id(), config));
    for (String secret : List.of(API_KEY, PASSWORD, CLIENT_SECRET, token, expired,
        token.split("\\.")[2], expired.split("\\.")[2])) {
      assertFalse(everything.contains(secret), "a secret leaked into logs, metrics or toString");
    }
  }
}
