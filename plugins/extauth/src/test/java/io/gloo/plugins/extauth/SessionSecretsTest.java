package io.gloo.plugins.extauth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.plugins.extauth.compile.AuthConfigCompiler;
import io.gloo.plugins.extauth.compile.CompiledAuthConfig;
import io.gloo.spi.policy.PolicyRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.helpers.NOPLogger;

/**
 * The OIDC session key may come from a file or a Secret instead of the command line: each keys sessions exactly as
 * the same bytes given inline would, and a missing Secret fails the config closed.
 */
class SessionSecretsTest {

  private static final String OIDC = """
      configs:
      - oauth2:
          oidcAuthorizationCode:
            appUrl: https://app.example.com
            callbackPath: /callback
            clientId: app
            clientSecretRef: {name: oidc-client}
            issuerUrl: https://idp.example.com
      """;

  private static Optional<CompiledAuthConfig> compile(AuthConfigCompiler compiler, TestConfigs.Secrets secrets,
      TestConfigs.Reports reports) {
    return compiler.compile(new PolicyRef(AuthConfigKind.GROUP_KIND, "ns", "login"), 1, TestConfigs.spec(OIDC),
        secrets, reports);
  }

  private static TestConfigs.Secrets secrets() {
    return new TestConfigs.Secrets()
        .put("ns", "oidc-client", "extauth.solo.io/oauth", Map.of(), Map.of("client-secret", "client-s3cret"));
  }

  private static String sessionKey(Map<String, String> config, TestConfigs.Secrets secrets) {
    TestConfigs.Reports reports = new TestConfigs.Reports();
    String key = compile(SessionSecrets.compiler(config, NOPLogger.NOP_LOGGER), secrets, reports).orElseThrow()
        .secrets().get(0).sessionKey();
    assertTrue(reports.errors.isEmpty(), reports.errors.toString());
    return key;
  }

  @Test
  void aFileOrASecretKeysSessionsAsTheInlineValueDoes(@TempDir Path dir) throws Exception {
    String inline = sessionKey(Map.of("sessionSecret", "operator-secret"), secrets());
    Path file = Files.writeString(dir.resolve("session-secret"), "operator-secret\n");
    assertEquals(inline, sessionKey(Map.of("sessionSecretFile", file.toString()), secrets()),
        "the file, its trailing newline dropped");
    TestConfigs.Secrets withKey = secrets().put("gloo-system", "oidc-session", "Opaque", Map.of(),
        Map.of("key", "operator-secret"));
    assertEquals(inline, sessionKey(Map.of("sessionSecretRef", "gloo-system/oidc-session"), withKey));
    assertNotEquals(inline, sessionKey(Map.of(), secrets()), "without one, the client secret keys them");
    assertArrayEquals("a\r\nb".getBytes(StandardCharsets.UTF_8),
        SessionSecrets.readFile(Files.writeString(dir.resolve("crlf"), "a\r\nb\r\n")));
  }

  @Test
  void aMissingSessionSecretFailsTheConfigClosed() {
    TestConfigs.Reports reports = new TestConfigs.Reports();
    AuthConfigCompiler compiler = SessionSecrets.compiler(Map.of("sessionSecretRef", "gloo-system/oidc-session"),
        NOPLogger.NOP_LOGGER);
    assertEquals(Optional.empty(), compile(compiler, secrets(), reports));
    assertEquals("configs[0].oauth2.oidcAuthorizationCode: the session key Secret gloo-system/oidc-session (plugin"
        + " config extauth.sessionSecretRef) with a 'key' field is not found: this config is not served until it is",
        String.join("\n", reports.errors));
  }

  @Test
  void badConfigIsOneLineNamingTheKey(@TempDir Path dir) throws Exception {
    assertEquals("extauth.sessionSecretFile " + dir.resolve("nope") + " cannot be read: no such file",
        assertThrows(IllegalArgumentException.class, () -> SessionSecrets.compiler(
            Map.of("sessionSecretFile", dir.resolve("nope").toString()), NOPLogger.NOP_LOGGER)).getMessage());
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertEquals("extauth.sessionSecretFile " + empty + " is empty", assertThrows(IllegalArgumentException.class,
        () -> SessionSecrets.compiler(Map.of("sessionSecretFile", empty.toString()), NOPLogger.NOP_LOGGER))
        .getMessage());
    assertEquals("extauth.sessionSecretRef must be NAMESPACE/NAME, got 'just-a-name'",
        assertThrows(IllegalArgumentException.class, () -> SessionSecrets.compiler(
            Map.of("sessionSecretRef", "just-a-name"), NOPLogger.NOP_LOGGER)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SessionSecrets.compiler(
        Map.of("sessionSecret", "x", "sessionSecretFile", "y"), NOPLogger.NOP_LOGGER)).getMessage()
        .startsWith("give at most one of"));
  }
}
