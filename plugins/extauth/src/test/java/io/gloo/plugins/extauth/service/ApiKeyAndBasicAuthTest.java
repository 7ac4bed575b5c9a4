package io.gloo.plugins.extauth.service;

import static io.gloo.plugins.extauth.service.AuthServer.header;
import static io.gloo.plugins.extauth.service.AuthServer.req;
import static io.gloo.plugins.extauth.service.AuthServer.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.gloo.plugins.extauth.TestConfigs;
import io.gloo.plugins.extauth.compile.CompiledAuthConfig;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** apiKeyAuth and basicAuth over a real gRPC socket. */
class ApiKeyAndBasicAuthTest {

  private static final String API_KEYS = """
      configs:
      - apiKeyAuth:
          headerName: x-api-key
          k8sSecretApikeyStorage:
            labelSelector: {team: infra}
            apiKeySecretRefs: [{name: by-ref, namespace: other}]
          headersFromMetadataEntry:
            x-user-id: {name: user-id, required: true}
            x-plan: {name: plan}
      """;

  private static final String BASIC = """
      configs:
      - basicAuth:
          realm: gloo-test
          apr:
            users:
              user: {salt: TESTSALT, hashedPassword: /qh1NeASK65KivtI8Dg4a0}
      """;

  private AuthServer server;
  private TestConfigs.Secrets secrets;

  @BeforeEach
  void start() throws Exception {
    server = new AuthServer();
    secrets = new TestConfigs.Secrets()
        .put("ns", "alice", "extauth.solo.io/apikey", Map.of("team", "infra"),
            Map.of("api-key", "alice-key-0123456789", "user-id", "alice", "plan", "gold"))
        .put("ns", "nouser", "extauth.solo.io/apikey", Map.of("team", "infra"), Map.of("api-key", "nouser-key-xyz"))
        .put("other", "by-ref", "extauth.solo.io/apikey", Map.of(), Map.of("api-key", "bob-key", "user-id", "bob"))
        .put("ns", "wrong-type", "Opaque", Map.of("team", "infra"), Map.of("api-key", "opaque-key"));
    publish();
  }

  private void publish() {
    CompiledAuthConfig keys = TestConfigs.compile("ns", "keys", API_KEYS, secrets, new TestConfigs.Reports());
    CompiledAuthConfig basic = TestConfigs.compile("ns", "basic", BASIC, secrets, new TestConfigs.Reports());
    server.runtime.update(TestConfigs.set(keys, basic));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void apiKeyFromLabelSelectorAllowsAndForwardsMetadata() {
    CheckResponse r = server.check(req("ns.keys").header("x-api-key", "alice-key-0123456789"));
    assertEquals(200, status(r));
    assertEquals("alice", header(r, "x-user-id"));
    assertEquals("gold", header(r, "x-plan"));
  }

  @Test
  void apiKeyFromSecretRefAllows() {
    CheckResponse r = server.check(req("ns.keys").header("X-Api-Key", "bob-key"));
    assertEquals(200, status(r));
    assertEquals("bob", header(r, "x-user-id"));
    assertNull(header(r, "x-plan"));
  }

  @Test
  void wrongMissingOrOtherTypeKeysAreDenied() {
    assertEquals(401, status(server.check(req("ns.keys"))));
    assertEquals(401, status(server.check(req("ns.keys").header("x-api-key", "alice-key-012345678"))));
    assertEquals(401, status(server.check(req("ns.keys").header("x-api-key", "alice-key-01234567890"))));
    assertEquals(401, status(server.check(req("ns.keys").header("x-api-key", "opaque-key"))));
    assertEquals(401, status(server.check(req("ns.keys").header("api-key", "alice-key-0123456789"))));
  }

  @Test
  void requiredMetadataMissingDenies() {
    assertEquals(401, status(server.check(req("ns.keys").header("x-api-key", "nouser-key-xyz"))));
  }

  @Test
  void deletedSecretStopsWorkingOnNextPublish() {
    assertEquals(200, status(server.check(req("ns.keys").header("x-api-key", "bob-key"))));
    secrets.remove("other", "by-ref");
    TestConfigs.Reports reports = new TestConfigs.Reports();
    server.runtime.update(TestConfigs.set(TestConfigs.compile("ns", "keys", API_KEYS, secrets, reports)));
    assertEquals(401, status(server.check(req("ns.keys").header("x-api-key", "bob-key"))));
    assertTrue(reports.warnings.stream().anyMatch(w -> w.contains("apiKeySecretRefs[0]")
        && w.contains("other/by-ref not found")), reports.warnings.toString());
    assertEquals(200, status(server.check(req("ns.keys").header("x-api-key", "alice-key-0123456789"))));
  }

  @Test
  void rotatedSecretTakesEffectWithoutRestart() {
    secrets.put("ns", "alice", "extauth.solo.io/apikey", Map.of("team", "infra"),
        Map.of("api-key", "alice-new-key", "user-id", "alice"));
    publish();
    assertEquals(401, status(server.check(req("ns.keys").header("x-api-key", "alice-key-0123456789"))));
    assertEquals(200, status(server.check(req("ns.keys").header("x-api-key", "alice-new-key"))));
  }

  @Test
  void compiledConfigCarriesNoRawApiKey() {
    CompiledAuthConfig keys = TestConfigs.compile("ns", "keys", API_KEYS, secrets, new TestConfigs.Reports());
    String json = TestConfigs.set(keys).toJson();
    assertTrue(!json.contains("alice-key-0123456789") && !json.contains("bob-key"), "raw key in compiled set");
  }

  @Test
  void basicAuthAcceptsTheUserAndChallengesOtherwise() {
    CheckResponse ok = server.check(req("ns.basic").header("authorization", basic("user", "password")));
    assertEquals(200, status(ok));
    assertEquals("user", header(ok, "x-user-id"));
    // again: served from the short-lived verified-credentials cache, same answer
    assertEquals(200, status(server.check(req("ns.basic").header("authorization", basic("user", "password")))));
    for (String bad : new String[] {basic("user", "passwordx"), basic("nobody", "password"), "Basic !!!",
        "Bearer abc"}) {
      CheckResponse r = server.check(req("ns.basic").header("authorization", bad));
      assertEquals(401, status(r));
      assertEquals("Basic realm=\"gloo-test\"", header(r, "www-authenticate"));
    }
    assertEquals(401, status(server.check(req("ns.basic"))));
  }

  @Test
  void unknownConfigIdFailsClosed() {
    assertEquals(403, status(server.check(req("ns.nope").header("x-api-key", "bob-key"))));
    assertEquals(403, status(server.check(req(null))));
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
