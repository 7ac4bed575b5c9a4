package io.gloo.plugins.extauth.service;

import com.google.errorprone.annotations.ThreadSafe;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.gloo.plugins.extauth.model.OAuth2;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code oauth2.accessTokenValidation}: a bearer token validated as a JWT (local or remote JWKS) or by RFC 7662
 * introspection; then the required scopes ({@code scope}, space-separated, or {@code scp}, a list), and claims
 * copied to upstream headers. 401 with {@code WWW-Authenticate: Bearer ...} for a missing or invalid token, 403 for
 * missing scopes. Thread-safe.
 */
@ThreadSafe
public final class AccessTokenAuthenticator implements Authenticator {

  private final JwtValidator jwt;
  private final Introspection introspection;
  private final String userIdAttribute;
  private final List<String> requiredScopes;
  private final List<OAuth2.ClaimToHeader> claimsToHeaders;

  public AccessTokenAuthenticator(JwtValidator jwt, Introspection introspection, String userIdAttribute,
      OAuth2.AccessTokenValidation spec) {
    this.jwt = jwt;
    this.introspection = introspection;
    this.userIdAttribute = userIdAttribute;
    this.requiredScopes = List.copyOf(spec.scopes());
    this.claimsToHeaders = spec.claimsToHeaders == null ? List.of() : List.copyOf(spec.claimsToHeaders);
  }

  @Override
  public CompletionStage<AuthResult> check(CheckContext request) {
    String token = request.authorization("Bearer");
    if (token == null || token.isEmpty()) {
      return CompletableFuture.completedFuture(
          AuthResult.unauthorized("token_missing", new AuthResult.Header("www-authenticate", "Bearer")));
    }
    if (jwt != null) {
      return jwt.validate(token).thenApply(outcome -> outcome.claims() == null
          ? invalid(outcome.failure())
          : decide(outcome.claims().getClaims(), "jwt"));
    }
    return introspection.introspect(token).handle((claims, error) -> {
      if (error != null) {
        return AuthResult.unauthorized("introspection_unavailable",
            new AuthResult.Header("www-authenticate", "Bearer error=\"invalid_token\""));
      }
      return claims == null ? invalid("token_inactive") : decide(claims, "introspection");
    });
  }

  private static AuthResult invalid(String reason) {
    return AuthResult.unauthorized(reason, new AuthResult.Header("www-authenticate", "Bearer error=\"invalid_token\""));
  }

  private AuthResult decide(Map<String, Object> claims, String kind) {
    if (!requiredScopes.isEmpty()) {
      Set<String> granted = scopes(claims);
      if (!granted.containsAll(requiredScopes)) {
        return AuthResult.deny(403, "token_insufficient_scope", new AuthResult.Header("www-authenticate",
            "Bearer error=\"insufficient_scope\", scope=\"" + String.join(" ", requiredScopes) + "\""));
      }
    }
    List<AuthResult.Header> headers = new ArrayList<>();
    if (userIdAttribute != null && claims.get(userIdAttribute) != null) {
      headers.add(new AuthResult.Header("x-user-id", text(claims.get(userIdAttribute))));
    }
    for (OAuth2.ClaimToHeader c : claimsToHeaders) {
      Object value = claims.get(c.claim);
      if (value != null) {
        headers.add(new AuthResult.Header(c.header, text(value), Boolean.TRUE.equals(c.append)));
      }
    }
    return AuthResult.ok(kind, headers);
  }

  static Set<String> scopes(Map<String, Object> claims) {
    Set<String> out = new HashSet<>();
    for (String claim : List.of("scope", "scp")) {
      Object value = claims.get(claim);
      if (value instanceof String s) {
        out.addAll(Arrays.asList(s.trim().split("\\s+")));
      } else if (value instanceof List<?> list) {
        list.forEach(v -> out.add(String.valueOf(v)));
      }
    }
    return out;
  }

  static String text(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof java.util.Date d) {
      return Long.toString(d.getTime() / 1000);
    }
    if (value instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) m;
      return JSONObjectUtils.toJSONString(map);
    }
    if (value instanceof List<?> list) {
      return String.join(",", list.stream().map(String::valueOf).toList());
    }
    return String.valueOf(value);
  }
}
