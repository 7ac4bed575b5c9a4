package io.gloo.plugins.extauth.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.gloo.plugins.extauth.TestConfigs;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the ext-auth request path ({@code Check} on {@link AuthorizationService}, in process) with headers,
 * cookies and tokens as the fuzzer makes them, against four configs: API keys, basic auth, JWT (a local JWKS) and
 * the OIDC authorization-code flow (a WireMock identity provider on loopback). Tokens are fuzzed raw and also
 * validly signed with the JWKS's key over a fuzzed payload, so claim handling is reached, not only signature checks.
 *
 * <p>Invariants: every request gets exactly one response (no error, no exception); a denial carries an HTTP status
 * of 300 or more; only credentials the test holds are allowed (an API key it issued, basic credentials it set, a
 * token it signed; never a fuzzed OIDC session or state cookie); no response carries a secret the configs hold.
 */
class AuthRequestFuzzTest {

  private static final String API_KEY = "alice-key-0123456789";
  private static final String BASIC_OK = "Basic " + Base64.getEncoder()
      .encodeToString("user:password".getBytes(StandardCharsets.UTF_8));
  private static final Set<String> SECRETS = Set.of("client-s3cret", API_KEY, "TESTSALT", "/qh1NeASK65KivtI8Dg4a0");
  private static final String[] CONFIGS = {"ns.keys", "ns.basic", "ns.jwt", "ns.oidc"};
  private static final String[] PATHS = {"/", "/private", "/callback", "/callback?code=c&state=", "/logout"};
  private static final String[] COOKIES = {"id_token", "id_token_state", "access_token", "session"};

  private static final OidcLogin IDP = newIdp();
  private static final AuthRuntime RUNTIME = runtime();
  private static final AuthorizationService SERVICE = new AuthorizationService(RUNTIME,
      AuthorizationService.Metrics.NONE, LoggerFactory.getLogger("io.gloo.plugins.extauth.fuzz"));

  private static OidcLogin newIdp() {
    try {
      OidcLogin idp = new OidcLogin();
      Runtime.getRuntime().addShutdownHook(new Thread(idp::close));
      return idp;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static AuthRuntime runtime() {
    AuthRuntime runtime = new AuthRuntime(java.net.http.HttpClient.newHttpClient(), IDP.clock,
        OutboundPolicy.DEFAULTS.allowingInsecure());
    TestConfigs.Secrets secrets = new TestConfigs.Secrets()
        .put("ns", "alice", "extauth.solo.io/apikey", Map.of("team", "infra"),
            Map.of("api-key", API_KEY, "user-id", "alice"))
        .put("ns", "oidc-client", "extauth.solo.io/oauth", Map.of(), Map.of("client-secret", "client-s3cret"));
    TestConfigs.Reports reports = new TestConfigs.Reports();
    String keys = """
        configs:
        - apiKeyAuth:
            headerName: x-api-key
            k8sSecretApikeyStorage: {labelSelector: {team: infra}}
            headersFromMetadataEntry: {x-user-id: {name: user-id, required: true}}
        """;
    String basic = """
        configs:
        - basicAuth:
            realm: gloo-test
            apr: {users: {user: {salt: TESTSALT, hashedPassword: /qh1NeASK65KivtI8Dg4a0}}}
        """;
    String jwt = """
        configs:
        - oauth2:
            accessTokenValidation:
              jwt:
                localJwks: {inlineString: '%s'}
                issuer: %s
                audiences: [%s]
              requiredScopes: [read]
              claimsToHeaders: [{claim: sub, header: x-sub}, {claim: email, header: x-email}]
        """.formatted(Tokens.jwks(IDP.key), Tokens.ISSUER, Tokens.AUDIENCE);
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
        """.formatted(OidcLogin.APP, IDP.idp.baseUrl());
    runtime.update(TestConfigs.set(TestConfigs.compile("ns", "keys", keys, secrets, reports),
        TestConfigs.compile("ns", "basic", basic, secrets, reports),
        TestConfigs.compile("ns", "jwt", jwt, secrets, reports),
        TestConfigs.compile("ns", "oidc", oidc, secrets, reports)));
    if (!reports.errors.isEmpty()) {
      throw new IllegalStateException("fuzz configs do not compile: " + reports.errors);
    }
    return runtime;
  }

  @FuzzTest
  void check(FuzzedDataProvider data) throws Exception {
    // Jazzer's SSRF detector stays on: the only connections expected are to the identity provider the OIDC config
    // names (discovery, JWKS, token endpoint); a request that makes the service connect anywhere else is a finding.
    // (Set per input, not once: Jazzer resets the policy to "none" when fuzzing starts; never closed, because the
    // service's HTTP client connects on its own threads.)
    @SuppressWarnings("unused")
    SilentCloseable onlyTheIdp = BugDetectors.allowNetworkConnections(
        (host, port) -> port == IDP.idp.port() && (host.equals("localhost") || host.equals("127.0.0.1")));
    String config = data.consumeInt(0, 9) == 0 ? data.consumeString(20) : CONFIGS[data.consumeInt(0, 3)];
    AttributeContext.HttpRequest.Builder http = AttributeContext.HttpRequest.newBuilder()
        .setMethod(data.consumeBoolean() ? "GET" : data.consumeString(8))
        .setHost(data.consumeBoolean() ? "app.example.com" : data.consumeString(40))
        .setScheme(data.consumeBoolean() ? "https" : data.consumeString(6))
        .setPath(data.consumeBoolean() ? PATHS[data.consumeInt(0, PATHS.length - 1)] + data.consumeString(60)
            : data.consumeString(100));
    boolean heldCredential = false;
    if (data.consumeBoolean()) {
      int kind = data.consumeInt(0, 4);
      String value = switch (kind) {
        case 0 -> "Bearer " + data.consumeString(200);
        case 1 -> "Bearer " + signed(data.consumeString(400));
        case 2 -> "Basic " + Base64.getEncoder().encodeToString(data.consumeBytes(60));
        case 3 -> BASIC_OK;
        default -> data.consumeString(100);
      };
      heldCredential |= kind == 1 || value.equals(BASIC_OK);
      http.putHeaders(data.consumeBoolean() ? "authorization" : "Authorization", value);
    }
    if (data.consumeBoolean()) {
      String key = data.consumeBoolean() ? API_KEY : data.consumeString(40);
      heldCredential |= key.equals(API_KEY);
      http.putHeaders("x-api-key", key);
    }
    if (data.consumeBoolean()) {
      StringBuilder cookie = new StringBuilder();
      for (int i = data.consumeInt(1, 3); i > 0; i--) {
        cookie.append(i < 3 ? "; " : "").append(COOKIES[data.consumeInt(0, COOKIES.length - 1)]).append('=')
            .append(data.consumeString(120));
      }
      http.putHeaders("cookie", cookie.toString());
    }
    for (int i = data.consumeInt(0, 3); i > 0; i--) {
      http.putHeaders(data.consumeString(20).toLowerCase(java.util.Locale.ROOT), data.consumeString(60));
    }
    AttributeContext.Builder attributes = AttributeContext.newBuilder()
        .setRequest(AttributeContext.Request.newBuilder().setHttp(http));
    if (!data.consumeBoolean()) {
      attributes.putContextExtensions(AuthorizationService.CONFIG_ID, config);
    }
    CheckRequest request = CheckRequest.newBuilder().setAttributes(attributes).build();

    CheckResponse response = call(request);
    boolean allowed = response.getStatus().getCode() == 0;
    if (allowed) {
      assertTrue(heldCredential, () -> "allowed without a credential the test holds: " + request);
    } else {
      int status = response.getDeniedResponse().getStatus().getCodeValue();
      assertTrue(status >= 300 && status <= 599, () -> "denied with HTTP status " + status);
    }
    String text = response.toString();
    for (String secret : SECRETS) {
      assertFalse(text.contains(secret) && !request.toString().contains(secret),
          () -> "a response carries a secret of the configs: " + text);
    }
  }

  /** A JWS signed with the JWKS's key over {@code payload} (any text: claims of any shape, or none). */
  private static String signed(String payload) throws Exception {
    JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(IDP.key.getKeyID())
        .type(JOSEObjectType.JWT).build(), new Payload(payload));
    jws.sign(new RSASSASigner(IDP.key));
    return jws.serialize();
  }

  /** Calls the service as gRPC would: one response or one error, and it must be a response. */
  private static CheckResponse call(CheckRequest request) throws Exception {
    CompletableFuture<CheckResponse> answer = new CompletableFuture<>();
    SERVICE.check(request, new StreamObserver<>() {
      @Override
      public void onNext(CheckResponse value) {
        assertNull(answer.getNow(null), "two responses");
        answer.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        answer.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        assertTrue(answer.isDone(), "completed without a response");
      }
    });
    CheckResponse response = answer.get(20, TimeUnit.SECONDS);
    assertEquals(response.getStatus().getCode() == 0, response.hasOkResponse(), response::toString);
    return response;
  }
}
