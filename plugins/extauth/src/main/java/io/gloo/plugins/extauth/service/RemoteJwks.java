package io.gloo.plugins.extauth.service;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.errorprone.annotations.ThreadSafe;
import com.nimbusds.jose.jwk.JWKSet;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code remoteJwks}: keys fetched from a URL and cached in Caffeine. The cache refreshes after
 * {@code refreshInterval} in the background; a failed refresh keeps the last good keys (Caffeine keeps the old
 * value when a reload fails), so an outage of the JWKS endpoint does not lock users out. A token with an unknown
 * {@code kid} triggers one extra fetch, at most once per interval (so bad tokens cannot hammer the endpoint).
 */
@ThreadSafe
public final class RemoteJwks implements JwksSource {

  private static final Logger LOG = LoggerFactory.getLogger(RemoteJwks.class);
  private static final String KEY = "jwks";

  private final URI url;
  private final Duration interval;
  private final OutboundHttp http;
  private final AsyncLoadingCache<String, JWKSet> cache;
  private final AtomicLong lastForcedRefreshNanos = new AtomicLong(System.nanoTime() - Long.MAX_VALUE / 4);

  public RemoteJwks(URI url, Duration interval, OutboundHttp http) {
    this.url = url;
    this.interval = interval;
    this.http = http;
    this.cache = Caffeine.newBuilder()
        .refreshAfterWrite(interval)
        .buildAsync((key, executor) -> fetch());
  }

  private CompletableFuture<JWKSet> fetch() {
    HttpRequest request = HttpRequest.newBuilder(url).timeout(http.policy().timeout())
        .header("accept", "application/json").GET().build();
    return http.send(request, http.policy().maxDocumentBytes(), http.policy().timeout()).thenApply(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("JWKS endpoint " + OutboundHttp.origin(url) + " answered "
            + response.statusCode());
      }
      try {
        JWKSet set = JWKSet.parse(response.body());
        LOG.debug("fetched {} keys from {}", set.getKeys().size(), url);
        return set;
      } catch (java.text.ParseException e) {
        throw new IllegalStateException("JWKS endpoint " + OutboundHttp.origin(url) + " returned no JWKS document");
      }
    }).whenComplete((ok, error) -> {
      if (error != null) {
        LOG.warn("cannot fetch JWKS from {}: {}", OutboundHttp.origin(url), error.getMessage());
      }
    });
  }

  @Override
  public JWKSet cached() {
    CompletableFuture<JWKSet> present = cache.getIfPresent(KEY);
    if (present == null || !present.isDone() || present.isCompletedExceptionally()) {
      if (present == null) {
        cache.get(KEY); // start the first fetch
      }
      return null;
    }
    // touching the entry lets Caffeine start a background refresh once the interval has passed
    return cache.synchronous().getIfPresent(KEY);
  }

  @Override
  public CompletionStage<JWKSet> keys() {
    return cache.get(KEY);
  }

  @Override
  public CompletionStage<JWKSet> refreshForUnknownKid() {
    long now = System.nanoTime();
    long last = lastForcedRefreshNanos.get();
    if (now - last < interval.toNanos() || !lastForcedRefreshNanos.compareAndSet(last, now)) {
      return keys();
    }
    return cache.synchronous().refresh(KEY).handle((fresh, error) -> {
      JWKSet current = cache.synchronous().getIfPresent(KEY);
      return fresh != null ? fresh : current;
    });
  }
}
