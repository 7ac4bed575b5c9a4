package io.gloo.plugins.extauth.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.plugins.extauth.TestConfigs;
import io.gloo.spi.policy.Violation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

class AuthConfigValidationTest {

  private static List<String> violations(String yaml) {
    return TestConfigs.validate(yaml).stream().map(Violation::toString).toList();
  }

  private static void assertViolation(String yaml, String expected) {
    List<String> v = violations(yaml);
    assertTrue(v.stream().anyMatch(s -> s.startsWith(expected)), "expected '" + expected + "' in " + v);
  }

  @ParameterizedTest
  @ValueSource(strings = {"examples-http-passthrough-auth-authconfig.yaml",
      "examples-grpc-passthrough-auth-authconfig.yaml"})
  void glooExamplesAreAccepted(String file) throws Exception {
    Path shared = io.gloo.core.testing.SharedDir.find()
        .orElseThrow(() -> new AssertionError("shared/gloo-examples not found (set -Dgloo.shared.dir)"));
    Path path = shared.resolve("gloo-examples/docs/" + file);
    JsonNode doc = YAMLMapper.builder().build().readTree(Files.readString(path));
    assertEquals("AuthConfig", doc.get("kind").asString());
    assertEquals(List.of(), violations(doc.get("spec").toString()));
  }

  @Test
  void sessionRedisNeedsAHostAndNoTls() {
    String yaml = """
        configs:
        - oauth2:
            oidcAuthorizationCode:
              appUrl: https://app.example.com
              callbackPath: /callback
              clientId: c
              clientSecretRef: {name: s}
              issuerUrl: https://idp.example.com
              session:
                redis: {options: {db: 1, tlsCertMountPath: /certs}, keyPrefix: app1}
        """;
    assertViolation(yaml, "configs[0].oauth2.oidcAuthorizationCode.session.redis.options.host: must be host:port");
    assertViolation(yaml,
        "configs[0].oauth2.oidcAuthorizationCode.session.redis.options.tlsCertMountPath: TLS to Redis");
    assertEquals(List.of(), violations(yaml.replace("db: 1, tlsCertMountPath: /certs", "host: 'redis:6379'")));
  }

  @Test
  void jwtNeedsExactlyOneKeySource() {
    String yaml = """
        configs:
        - basicAuth: {apr: {users: {u: {salt: abc, hashedPassword: /qh1NeASK65KivtI8Dg4a0}}}}
        - apiKeyAuth: {k8sSecretApikeyStorage: {labelSelector: {team: a}}}
        - oauth2:
            accessTokenValidation:
              jwt: {issuer: x}
        """;
    assertViolation(yaml, "configs[2].oauth2.accessTokenValidation.jwt: one of remoteJwks or localJwks");
  }

  @Test
  void unsupportedTypesAreRejectedByName() {
    for (String type : List.of("opaAuth", "ldap", "hmacAuth", "pluginAuth", "portalAuth", "jwt")) {
      assertViolation("configs:\n- " + type + ": {}\n", "configs[0]." + type + ": auth type not supported");
    }
  }

  @Test
  void booleanExprMustParseAndNameConfigs() {
    String base = """
        configs:
        - name: basic1
          basicAuth: {apr: {users: {u: {salt: abc, hashedPassword: /qh1NeASK65KivtI8Dg4a0}}}}
        """;
    assertViolation(base + "booleanExpr: 'basic1 ||'\n", "booleanExpr: cannot parse");
    assertViolation(base + "booleanExpr: 'basic1 || oidc2'\n", "booleanExpr: names 'oidc2'");
    assertEquals(List.of(), violations(base + "booleanExpr: '!basic1 || basic1'\n"));
  }

  @Test
  void fieldsAreNamed() {
    assertViolation("configs: []\n", "configs: at least one config is required");
    assertViolation("configs:\n- {}\n", "configs[0]: one of basicAuth");
    assertViolation("configs:\n- apiKeyAuth: {}\n",
        "configs[0].apiKeyAuth.k8sSecretApikeyStorage: one of labelSelector or apiKeySecretRefs");
    assertViolation("configs:\n- basicAuth: {apr: {users: {bob: {salt: abc, hashedPassword: short}}}}\n",
        "configs[0].basicAuth.apr.users.bob.hashedPassword");
    assertViolation("configs:\n- oauth2: {accessTokenValidation: {jwt: {localJwks: {inlineString: nope}}}}\n",
        "configs[0].oauth2.accessTokenValidation.jwt.localJwks.inlineString: is not a JWKS document");
    assertViolation("configs:\n- oauth2: {oidcAuthorizationCode: {appUrl: 'http://a', callbackPath: cb}}\n",
        "configs[0].oauth2.oidcAuthorizationCode.callbackPath: must start with '/'");
    assertViolation("configs:\n- oauth2: {oidcAuthorizationCode: {appUrl: 'http://a', callbackPath: /cb}}\n",
        "configs[0].oauth2.oidcAuthorizationCode.clientSecretRef.name: is required");
    assertViolation("configs:\n- passThroughAuth: {grpc: {address: 'nohost'}}\n",
        "configs[0].passThroughAuth.grpc.address: must be host:port");
    assertViolation("configs:\n- passThroughAuth: {}\n", "configs[0].passThroughAuth: exactly one of grpc or http");
    assertViolation("configs:\n- name: a\n  passThroughAuth: {grpc: {address: 'h:1'}}\n- name: a\n  "
        + "passThroughAuth: {grpc: {address: 'h:1'}}\n", "configs[1].name: duplicate");
    assertViolation("configs:\n- passThroughAuth: {grpc: {address: 'h:1'}}\n  bogus: 1\n", "configs[0].bogus: unknown field");
  }
}
