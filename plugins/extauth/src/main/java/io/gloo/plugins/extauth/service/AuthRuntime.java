package io.gloo.plugins.extauth.service;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.nimbusds.jose.jwk.JWKSet;
import io.gloo.plugins.common.Durations;
import io.gloo.plugins.extauth.compile.AuthConfigSet;
import io.gloo.plugins.extauth.compile.CompiledAuthConfig;
import io.gloo.plugins.extauth.model.AuthStep;
import io.gloo.plugins.extauth.model.BooleanExpr;
import io.gloo.plugins.extauth.model.HostPorts;
import io.gloo.plugins.extauth.model.OAuth2;
import io.gloo.plugins.extauth.model.PassThroughAuth;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configs the ext-auth service serves, by config id. {@link #update} swaps in a new compiled set: configs whose
 * compiled form is unchanged keep their runtime (and caches: JWKS, verified basic-auth credentials, discovery);
 * remote JWKS caches and gRPC channels are shared by URL / address across configs and released when no config uses
 * them. Reads ({@link #chain}) are lock-free.
 */
@ThreadSafe
public final class AuthRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AuthRuntime.class);
  private static final Duration DEFAULT_JWKS_REFRESH = Duration.ofMinutes(5);
  private static final Duration DEFAULT_PASSTHROUGH_TIMEOUT = Duration.ofSeconds(5);

  private static final Duration REDIS_TIMEOUT = Duration.ofMillis(500);
  /** Appended to {@code session.redis.keyPrefix} for the keys of revoked sessions. */
  static final String REVOKED_PREFIX = "gloo-extauth-revoked:";

  private final OutboundHttp http;
  private final Clock clock;
  /** Sessions revoked by logout on this replica (configs without {@code session.redis}); outlives config updates. */
  private final MemoryRevocations localRevocations;
  @GuardedBy("this")
  private final Map<String, RedisRevocations> redisRevocations = new HashMap<>();
  private volatile RedisRevocations.Calls redisCalls = RedisRevocations.Calls.NONE;
  private volatile Map<String, AuthChain> chains = Map.of();

  @GuardedBy("this")
  private Map<String, Built> built = new HashMap<>();
  @GuardedBy("this")
  private final Map<String, RemoteJwks> jwks = new HashMap<>();
  @GuardedBy("this")
  private final Map<String, ManagedChannel> channels = new HashMap<>();

  /** A config's runtime and the compiled form it was built from (held in memory only: it holds secrets). */
  private record Built(String compiledJson, AuthChain chain, Set<String> jwksKeys, Set<String> addresses) {}

  public AuthRuntime(HttpClient http, Clock clock) {
    this(http, clock, OutboundPolicy.DEFAULTS);
  }

  /** @param outbound bounds on the calls auth configs make (JWKS, discovery, introspection, pass-through) */
  public AuthRuntime(HttpClient http, Clock clock, OutboundPolicy outbound) {
    this.http = new OutboundHttp(http, outbound);
    this.clock = clock;
    this.localRevocations = new MemoryRevocations(clock);
  }

  public AuthRuntime() {
    this(OutboundPolicy.DEFAULTS);
  }

  public AuthRuntime(OutboundPolicy outbound) {
    this(HttpClient.newBuilder().connectTimeout(outbound.timeout()).build(), Clock.systemUTC(), outbound);
  }

  /** Where the Redis revocation sets opened from now on report their calls (the plugin's metrics). */
  public void reportRedisCalls(RedisRevocations.Calls calls) {
    this.redisCalls = java.util.Objects.requireNonNull(calls, "calls");
  }

  /** The chain for a config id, or null. */
  public AuthChain chain(String configId) {
    return chains.get(configId);
  }

  public Set<String> configIds() {
    return chains.keySet();
  }

  /** Serves {@code set} from now on. */
  public synchronized void update(AuthConfigSet set) {
    Map<String, Built> next = new HashMap<>();
    for (CompiledAuthConfig config : set.configs().values()) {
      String json = new AuthConfigSet(Map.of(config.id(), config)).toJson();
      Built previous = built.get(config.id());
      if (previous != null && previous.compiledJson().equals(json)) {
        next.put(config.id(), previous);
        continue;
      }
      try {
        next.put(config.id(), build(config, json));
      } catch (RuntimeException e) {
        // fail closed: the config is not served, so requests naming it are denied
        LOG.warn("auth config {} cannot be served ({}); requests using it are denied", config.id(),
            e.getClass().getSimpleName());
      }
    }
    Map<String, AuthChain> view = new HashMap<>();
    next.forEach((id, b) -> view.put(id, b.chain()));
    chains = Map.copyOf(view);
    for (Map.Entry<String, Built> old : built.entrySet()) {
      if (next.get(old.getKey()) != old.getValue()) {
        old.getValue().chain().close();
      }
    }
    built = next;
    release(next);
    LOG.info("serving {} auth configs", view.size());
  }

  private Built build(CompiledAuthConfig config, String json) {
    List<String> names = new ArrayList<>();
    List<Authenticator> steps = new ArrayList<>();
    Set<String> jwksKeys = new HashSet<>();
    Set<String> addresses = new HashSet<>();
    for (int i = 0; i < config.spec().configs.size(); i++) {
      AuthStep step = config.spec().configs.get(i);
      CompiledAuthConfig.StepSecrets secrets = config.secrets().get(i);
      names.add(step.name);
      steps.add(step(step, secrets, config.spec().failOnRedirect(), jwksKeys, addresses));
    }
    BooleanExpr expr = config.spec().booleanExpr == null ? null : BooleanExpr.parse(config.spec().booleanExpr);
    return new Built(json, new AuthChain(names, steps, expr), jwksKeys, addresses);
  }

  private Authenticator step(AuthStep step, CompiledAuthConfig.StepSecrets secrets, boolean failOnRedirect,
      Set<String> jwksKeys, Set<String> addresses) {
    if (step.apiKeyAuth != null) {
      return new ApiKeyAuthenticator(step.apiKeyAuth, secrets.apiKeys());
    }
    if (step.basicAuth != null) {
      return new BasicAuthenticator(step.basicAuth);
    }
    if (step.oauth2 != null && step.oauth2.accessTokenValidation != null) {
      OAuth2.AccessTokenValidation v = step.oauth2.accessTokenValidation;
      if (v.jwt != null) {
        JwksSource source;
        if (v.jwt.localJwks != null) {
          try {
            source = JwksSource.fixed(JWKSet.parse(v.jwt.localJwks.inlineString).toPublicJWKSet());
          } catch (java.text.ParseException e) {
            throw new IllegalArgumentException("localJwks");
          }
        } else {
          Duration interval = v.jwt.remoteJwks.refreshInterval == null ? DEFAULT_JWKS_REFRESH
              : duration(v.jwt.remoteJwks.refreshInterval);
          String key = v.jwt.remoteJwks.url + "#" + interval.toMillis();
          jwksKeys.add(key);
          source = jwks.computeIfAbsent(key, k -> new RemoteJwks(URI.create(v.jwt.remoteJwks.url),
              interval.isZero() ? DEFAULT_JWKS_REFRESH : interval, http));
        }
        return new AccessTokenAuthenticator(new JwtValidator(source, v.jwt.issuer, v.jwt.audiences, clock,
            JwtValidator.VERIFIED_TTL, !Boolean.FALSE.equals(v.jwt.requireExpiration)), null, null, v);
      }
      String url = v.introspection != null ? v.introspection.introspectionUrl : v.introspectionUrl;
      String clientId = v.introspection != null ? v.introspection.clientId : null;
      Duration cache = v.cacheTimeout == null ? Duration.ZERO : duration(v.cacheTimeout);
      Introspection in = new Introspection(URI.create(url), clientId, secrets.clientSecret(), cache, http, clock);
      return new AccessTokenAuthenticator(null, in,
          v.introspection == null ? null : v.introspection.userIdAttributeName, v);
    }
    if (step.oauth2 != null && step.oauth2.oidcAuthorizationCode != null) {
      return new OidcAuthenticator(step.oauth2.oidcAuthorizationCode, secrets.clientSecret(), secrets.sessionKey(),
          failOnRedirect, http, clock, revocations(step.oauth2.oidcAuthorizationCode));
    }
    if (step.passThroughAuth != null) {
      PassThroughAuth p = step.passThroughAuth;
      boolean allow = Boolean.TRUE.equals(p.failureModeAllow);
      if (p.grpc != null) {
        Duration timeout = p.grpc.connectionTimeout == null ? DEFAULT_PASSTHROUGH_TIMEOUT
            : duration(p.grpc.connectionTimeout);
        addresses.add(p.grpc.address);
        ManagedChannel channel = channels.computeIfAbsent(p.grpc.address, address -> {
          String[] hp = HostPorts.split(address);
          return NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).usePlaintext().build();
        });
        return new GrpcPassThrough(channel, timeout, allow);
      }
      Duration timeout = p.http.connectionTimeout == null ? DEFAULT_PASSTHROUGH_TIMEOUT
          : duration(p.http.connectionTimeout);
      return new HttpPassThrough(p.http, timeout, allow, http);
    }
    throw new IllegalArgumentException("no supported auth type");
  }

  /** This replica's revocation set, or the Redis one of {@code session.redis} (shared by address, db and prefix). */
  private SessionRevocations revocations(io.gloo.plugins.extauth.model.OidcAuthorizationCode oidc) {
    var redis = oidc.session == null ? null : oidc.session.redis;
    if (redis == null) {
      return localRevocations;
    }
    int db = redis.options.db == null ? 0 : redis.options.db;
    String prefix = (redis.keyPrefix == null ? "" : redis.keyPrefix) + REVOKED_PREFIX;
    return redisRevocations.computeIfAbsent(redis.options.host + "/" + db + "/" + prefix,
        k -> new RedisRevocations(redis.options.host, db, prefix, REDIS_TIMEOUT, clock, redisCalls));
  }

  private static Duration duration(String text) {
    return Duration.ofNanos(Durations.nanos(Durations.parse(text)).longValue());
  }

  @GuardedBy("this")
  private void release(Map<String, Built> live) {
    Set<String> usedJwks = new HashSet<>();
    Set<String> usedAddresses = new HashSet<>();
    live.values().forEach(b -> {
      usedJwks.addAll(b.jwksKeys());
      usedAddresses.addAll(b.addresses());
    });
    jwks.keySet().retainAll(usedJwks);
    channels.entrySet().removeIf(e -> {
      if (usedAddresses.contains(e.getKey())) {
        return false;
      }
      e.getValue().shutdown();
      return true;
    });
  }

  @Override
  public synchronized void close() {
    built.values().forEach(b -> b.chain().close());
    built = new HashMap<>();
    chains = Map.of();
    channels.values().forEach(c -> {
      c.shutdown();
      try {
        c.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    channels.clear();
    jwks.clear();
    redisRevocations.values().forEach(RedisRevocations::close);
    redisRevocations.clear();
  }
}
