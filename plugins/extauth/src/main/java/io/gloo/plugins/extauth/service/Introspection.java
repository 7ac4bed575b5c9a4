package io.gloo.plugins.extauth.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.errorprone.annotations.ThreadSafe;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URI;
import java.net.URLEncoder;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * RFC 7662 token introspection: {@code POST token=...} with the client's credentials (HTTP Basic,
 * {@code client_secret_basic}); the token is valid only if the answer says {@code "active": true}. Active answers
 * may be cached for {@code cacheTimeout}, keyed by the token's SHA-256 (never the token); a cached answer is
 * re-checked against its {@code exp} on every use. Inactive answers are remembered for
 * {@code outbound.negativeCacheTtl} (default 10 s), so a storm of bad tokens does not become a storm of calls to
 * the introspection endpoint. Responses over {@code outbound.maxIntrospectionBytes} (64 KiB) are failures.
 * Thread-safe.
 */
@ThreadSafe
public final class Introspection {

  private final URI url;
  private final String authorization;
  private final OutboundHttp http;
  private final Clock clock;
  private final Cache<String, Map<String, Object>> active;
  /** Digests of tokens the endpoint called inactive (or expired), for a short while. */
  private final Cache<String, Boolean> inactive;

  /** @param clientId null for none; @param clientSecret null for none; @param cacheTimeout zero disables caching */
  public Introspection(URI url, String clientId, String clientSecret, Duration cacheTimeout, OutboundHttp http,
      Clock clock) {
    this.url = url;
    this.http = http;
    this.clock = clock;
    Duration negative = http.policy().negativeCacheTtl();
    this.inactive = negative.isZero() ? null
        : Caffeine.newBuilder().expireAfterWrite(negative).ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .maximumSize(100_000).build();
    this.authorization = clientId == null ? null : "Basic " + Base64.getEncoder().encodeToString(
        (form(clientId) + ":" + form(clientSecret == null ? "" : clientSecret)).getBytes(StandardCharsets.UTF_8));
    this.active = cacheTimeout.isZero() ? null
        : Caffeine.newBuilder().expireAfterWrite(cacheTimeout)
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).maximumSize(10_000).build();
  }

  /** The introspection response of an active token, or null when inactive; fails when the server cannot be asked. */
  public CompletionStage<Map<String, Object>> introspect(String token) {
    String digest = io.gloo.plugins.extauth.compile.AuthConfigCompiler.sha256(token.getBytes(StandardCharsets.UTF_8));
    String cacheKey = active == null ? null : digest;
    if (inactive != null && inactive.getIfPresent(digest) != null) {
      return CompletableFuture.completedFuture(null);
    }
    if (cacheKey != null) {
      Map<String, Object> hit = active.getIfPresent(cacheKey);
      if (hit != null) {
        if (!expired(hit)) {
          return CompletableFuture.completedFuture(hit);
        }
        active.invalidate(cacheKey);
        rememberInactive(digest);
        return CompletableFuture.completedFuture(null);
      }
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(http.policy().timeout())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("token=" + form(token) + "&token_type_hint=access_token"));
    if (authorization != null) {
      request.header("authorization", authorization);
    }
    return http.send(request.build(), http.policy().maxIntrospectionBytes(), http.policy().timeout())
        .thenApply(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("introspection endpoint answered " + response.statusCode());
      }
      Map<String, Object> body;
      try {
        body = JSONObjectUtils.parse(response.body());
      } catch (java.text.ParseException e) {
        throw new IllegalStateException("introspection endpoint returned no JSON object");
      }
      if (!Boolean.TRUE.equals(body.get("active")) || expired(body)) {
        rememberInactive(digest);
        return null;
      }
      if (cacheKey != null) {
        active.put(cacheKey, body);
      }
      return body;
    });
  }

  private boolean expired(Map<String, Object> body) {
    return body.get("exp") instanceof Number n
        && n.longValue() * 1000 < clock.millis() - JwtValidator.CLOCK_SKEW.toMillis();
  }

  private void rememberInactive(String digest) {
    if (inactive != null) {
      inactive.put(digest, Boolean.TRUE);
    }
  }

  private static String form(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
