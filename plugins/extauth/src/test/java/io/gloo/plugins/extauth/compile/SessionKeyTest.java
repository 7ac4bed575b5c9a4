package io.gloo.plugins.extauth.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.plugins.extauth.AuthConfigKind;
import io.gloo.plugins.extauth.TestConfigs;
import io.gloo.spi.policy.PolicyRef;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * OIDC session cookies must be readable by every control-plane replica (Envoy spreads Check calls over them), so
 * their key comes from material the replicas share, never from a per-process random value.
 */
class SessionKeyTest {

  private static final String OIDC = """
      configs:
      - oauth2:
          oidcAuthorizationCode:
            appUrl: https://app.example.com
            callbackPath: /callback
            clientId: app
            %s
            issuerUrl: https://idp.example.com
      """;

  private static String sessionKey(AuthConfigCompiler compiler, String clientSecretLine, TestConfigs.Reports reports) {
    TestConfigs.Secrets secrets = new TestConfigs.Secrets()
        .put("ns", "oidc-client", "extauth.solo.io/oauth", Map.of(), Map.of("client-secret", "client-s3cret"));
    return compiler.compile(new PolicyRef(AuthConfigKind.GROUP_KIND, "ns", "login"), 1,
        TestConfigs.spec(OIDC.formatted(clientSecretLine)), secrets, reports).orElseThrow().secrets().get(0)
        .sessionKey();
  }

  @Test
  void twoReplicasWithoutAConfiguredSecretDeriveTheSameKeyFromTheClientSecret() {
    TestConfigs.Reports reports = new TestConfigs.Reports();
    String a = sessionKey(new AuthConfigCompiler(null), "clientSecretRef: {name: oidc-client}", reports);
    String b = sessionKey(new AuthConfigCompiler(null), "clientSecretRef: {name: oidc-client}", reports);
    assertEquals(a, b, "two replicas (two compilers) agree");
    assertTrue(a != null && !a.isEmpty());
    assertTrue(reports.warnings.isEmpty(), reports.warnings.toString());
    assertFalse(a.contains("client-s3cret"), "the key is derived, not the secret itself");
  }

  @Test
  void aConfiguredSessionSecretWins() {
    TestConfigs.Reports reports = new TestConfigs.Reports();
    byte[] configured = "operator-secret".getBytes(StandardCharsets.UTF_8);
    String fromConfigured = sessionKey(new AuthConfigCompiler(configured),
        "clientSecretRef: {name: oidc-client}", reports);
    String fromClient = sessionKey(new AuthConfigCompiler(null), "clientSecretRef: {name: oidc-client}",
        reports);
    assertNotEquals(fromConfigured, fromClient);
    assertEquals(fromConfigured, sessionKey(new AuthConfigCompiler("operator-secret".getBytes(StandardCharsets.UTF_8)),
        "clientSecretRef: {name: oidc-client}", reports));
  }
}
