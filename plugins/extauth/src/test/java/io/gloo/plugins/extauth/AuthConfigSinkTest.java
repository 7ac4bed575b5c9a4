package io.gloo.plugins.extauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.testing.PluginTranslation;
import io.gloo.core.translate.TranslationResult;
import io.gloo.plugins.extauth.compile.AuthConfigCompiler;
import io.gloo.plugins.extauth.compile.AuthConfigSet;
import io.gloo.plugins.extauth.compile.CompiledAuthConfig;
import io.gloo.spi.GlooPlugin;
import io.gloo.spi.policy.PolicyKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Core's translation publishes valid AuthConfigs to the kind's sink, which compiles them with their Secrets. */
class AuthConfigSinkTest {

  @Test
  void compilesValidConfigsAndReportsProblemsOnTheirStatus() throws Exception {
    AtomicReference<AuthConfigSet> published = new AtomicReference<>();
    AuthConfigKind kind = new AuthConfigKind(new AuthConfigCompiler("s".getBytes(StandardCharsets.UTF_8)),
        published::set);
    GlooPlugin plugin = new GlooPlugin() {
      @Override
      public List<PolicyKind<?>> policyKinds() {
        return List.of(kind);
      }
    };
    ResourceSnapshot snapshot = PluginTranslation.load(List.of(
        Path.of(getClass().getResource("/sink/authconfigs.yaml").toURI())));
    assertTrue(snapshot.problems().isEmpty(), snapshot.problems().toString());
    TranslationResult result = PluginTranslation.translate(snapshot, Map.of("extauth", plugin));

    AuthConfigSet set = published.get();
    // the rejected config is not published; the OIDC one lacks its client secret and is left out (fail closed)
    assertEquals(List.of("team-a.keys"), List.copyOf(set.configs().keySet()));
    CompiledAuthConfig keys = set.configs().get("team-a.keys");
    // only the Secret in the policy's own namespace (no ReferenceGrant to team-b)
    assertEquals(1, keys.secrets().get(0).apiKeys().size());
    assertEquals(Map.of("user-id", "alice"), keys.secrets().get(0).apiKeys().get(0).metadata());
    assertEquals(AuthConfigCompiler.sha256("alice-key".getBytes(StandardCharsets.UTF_8)),
        keys.secrets().get(0).apiKeys().get(0).sha256());

    Map<String, Object> keysStatus = PluginTranslation.status(result, "AuthConfig", "team-a", "keys");
    assertEquals("Warning", keysStatus.get("state"));
    assertTrue(String.valueOf(keysStatus.get("reason")).contains("apiKeySecretRefs[0]: Secret team-a/gone not found"),
        keysStatus.toString());
    Map<String, Object> oidcStatus = PluginTranslation.status(result, "AuthConfig", "team-a", "oidc");
    assertEquals("Rejected", oidcStatus.get("state"));
    assertTrue(String.valueOf(oidcStatus.get("reason")).contains(
        "configs[0].oauth2.oidcAuthorizationCode.clientSecretRef: Secret team-a/no-such-secret not found"),
        oidcStatus.toString());
    Map<String, Object> badStatus = PluginTranslation.status(result, "AuthConfig", "team-a", "bad");
    assertEquals("Rejected", badStatus.get("state"));
    assertTrue(String.valueOf(badStatus.get("reason")).contains(
        "configs[0].oauth2.accessTokenValidation.jwt: one of remoteJwks or localJwks"), badStatus.toString());
  }
}
