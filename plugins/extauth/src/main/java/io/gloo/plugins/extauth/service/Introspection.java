package io.gloo.plugins.extauth.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.errorprone.annotations.ThreadSafe;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * RFC 7662 token introspection: {@code POST token=...} with the client's credentials (HTTP Basic,
 * {@code client_secret_basic}); the token is valid only if the answer says {@code "active": true}. Active answers
 * may be cached for {@code cacheTimeout}, keyed by the token's SHA-256 (never the token). Thread-safe.
 */
@ThreadSafe
public final class Introspection {

  private final URI url;
  private final String authorization;
  private final HttpClient http;
  private final Cache<String, Map<String, Object>> active;

  /** @param clientId null for none; @param clientSecret null for none; @param cacheTimeout zero disables caching */
  public Introspection(URI url, String clientId, String clientSecret, Duration cacheTimeout, HttpClient http) {
    this.url = url;
    this.http = http;
    this.authorization = clientId == null ? null : "Basic " + Base64.getEncoder().encodeToString(
        (form(clientId) + ":" + form(clientSecret == null ? "" : clientSecret)).getBytes(StandardCharsets.UTF_8));
    this.active = cacheTimeout.isZero() ? null
        : Caffeine.newBuilder().expireAfterWrite(cacheTimeout).maximumSize(10_000).build();
  }

  /** The introspection response of an active token, or null when inactive; fails when the server cannot be asked. */
  public CompletionStage<Map<String, Object>> introspect(String token) {
    String cacheKey = active == null ? null : io.gloo.plugins.extauth.compile.AuthConfigCompiler.sha256(
        token.getBytes(StandardCharsets.UTF_8));
    if (cacheKey != null) {
      Map<String, Object> hit = active.getIfPresent(cacheKey);
      if (hit != null) {
        return CompletableFuture.completedFuture(hit);
      }
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("token=" + form(token) + "&token_type_hint=access_token"));
    if (authorization != null) {
      request.header("authorization", authorization);
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("introspection endpoint answered " + response.statusCode());
      }
      Map<String, Object> body;
      try {
        body = JSONObjectUtils.parse(response.body());
      } catch (java.text.ParseException e) {
        throw new IllegalStateException("introspection endpoint returned no JSON object");
      }
      if (!Boolean.TRUE.equals(body.get("active"))) {
        return null;
      }
      Object exp = body.get("exp");
      if (exp instanceof Number n && n.longValue() * 1000 < System.currentTimeMillis() - JwtValidator.CLOCK_SKEW.toMillis()) {
        return null;
      }
      if (cacheKey != null) {
        active.put(cacheKey, body);
      }
      return body;
    });
  }

  private static String form(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
