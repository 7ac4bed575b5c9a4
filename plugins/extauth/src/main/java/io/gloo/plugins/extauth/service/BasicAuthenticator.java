package io.gloo.plugins.extauth.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.plugins.extauth.model.BasicAuth;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;

/**
 * {@code basicAuth}: {@code Authorization: Basic} checked against APR1-MD5 htpasswd users; 401 with
 * {@code WWW-Authenticate: Basic realm="..."} otherwise. APR1 is slow on purpose (1000 MD5 rounds), so credentials
 * that verified are remembered for a short time, keyed by a SHA-256 of user, salt and password (never the password
 * itself). Unknown users are hashed against a dummy entry so that timing does not tell which users exist.
 */
@ThreadSafe
public final class BasicAuthenticator implements Authenticator {

  private static final Duration VERIFIED_TTL = Duration.ofSeconds(30);
  private static final BasicAuth.User DUMMY = dummy();

  private final String challenge;
  private final Map<String, BasicAuth.User> users;
  private final Cache<String, Boolean> verified =
      Caffeine.newBuilder().expireAfterWrite(VERIFIED_TTL).maximumSize(10_000).build();

  public BasicAuthenticator(BasicAuth spec) {
    String realm = spec.realm == null || spec.realm.isEmpty() ? "gloo" : spec.realm;
    this.challenge = "Basic realm=\"" + realm.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    this.users = Map.copyOf(spec.apr.users);
  }

  /**
   * Decides from the cache on the calling thread (the gRPC event loop); a cache miss hashes on the common fork-join
   * pool, so that a flood of wrong passwords does not stall the event loop.
   */
  @Override
  public CompletionStage<AuthResult> check(CheckContext request) {
    String credentials = request.authorization("Basic");
    if (credentials == null) {
      return CompletableFuture.completedFuture(deny("basic_missing"));
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(deny("basic_malformed"));
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return CompletableFuture.completedFuture(deny("basic_malformed"));
    }
    String user = decoded.substring(0, colon);
    String password = decoded.substring(colon + 1);
    BasicAuth.User entry = users.get(user);
    BasicAuth.User against = entry == null ? DUMMY : entry;
    String cacheKey = cacheKey(user, against, password);
    if (entry != null && verified.getIfPresent(cacheKey) != null) {
      return CompletableFuture.completedFuture(allow(user));
    }
    return CompletableFuture.supplyAsync(() -> {
      boolean ok = Apr1Md5.verify(password, against.salt, against.hashedPassword) && entry != null;
      if (!ok) {
        return deny("basic_invalid");
      }
      verified.put(cacheKey, Boolean.TRUE);
      return allow(user);
    }, ForkJoinPool.commonPool());
  }

  private static AuthResult allow(String user) {
    return AuthResult.ok("basic", List.of(new AuthResult.Header("x-user-id", user)));
  }

  private AuthResult deny(String reason) {
    return AuthResult.unauthorized(reason, new AuthResult.Header("www-authenticate", challenge));
  }

  private static String cacheKey(String user, BasicAuth.User entry, String password) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String part : List.of(user, entry.salt, entry.hashedPassword, password)) {
        md.update(part.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return Base64.getEncoder().encodeToString(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BasicAuth.User dummy() {
    BasicAuth.User u = new BasicAuth.User();
    u.salt = "dummy";
    u.hashedPassword = "0000000000000000000000";
    return u;
  }
}
