package io.gloo.plugins.extauth.model;

import io.gloo.plugins.common.Durations;
import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.spi.policy.Violation;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code oidcAuthorizationCode{appUrl, callbackPath, clientId, clientSecretRef, issuerUrl, scopes, session,
 * headers{idTokenHeader, accessTokenHeader}, logoutPath, afterLogoutUrl, authEndpointQueryParams,
 * tokenEndpointQueryParams}}: the browser login flow.
 */
public class OidcAuthorizationCode extends GlooObject {

  public String appUrl;
  public String callbackPath;
  public String clientId;
  public ResourceRef clientSecretRef;
  public String issuerUrl;
  public List<String> scopes;
  public Session session;
  public Headers headers;
  public String logoutPath;
  public String afterLogoutUrl;
  public Map<String, String> authEndpointQueryParams;
  public Map<String, String> tokenEndpointQueryParams;
  public String discoveryPollInterval;

  /** {@code {idTokenHeader, accessTokenHeader}}: forward the tokens upstream in these headers. */
  public static class Headers extends GlooObject {
    public String idTokenHeader;
    public String accessTokenHeader;
  }

  /**
   * {@code {cookieOptions{maxAge, notSecure, path, domain, sameSite, httpOnly}, cookie{keyPrefix},
   * cipherConfig{keyRef}, failOnFetchFailure, redis{options{host, db}, keyPrefix}}}. Sessions live in an encrypted
   * cookie; {@code redis} holds only the sessions revoked by logout, shared by every replica.
   */
  public static class Session extends GlooObject {
    public CookieOptions cookieOptions;
    public Cookie cookie;
    public CipherConfig cipherConfig;
    public Boolean failOnFetchFailure;
    public Redis redis;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      validate(cookieOptions, Paths.join(path, "cookieOptions"), out);
      validate(cookie, Paths.join(path, "cookie"), out);
      validate(cipherConfig, Paths.join(path, "cipherConfig"), out);
      validate(redis, Paths.join(path, "redis"), out);
    }
  }

  /**
   * Gloo's {@code session.redis}: {@code {options{host, db, poolSize, socketType, tlsCertMountPath}, keyPrefix,
   * cookieName, allowRefreshing, preExpiryBuffer, targetDomain, headerName}}. Here only {@code options.host}
   * ({@code host:port}), {@code options.db} and {@code keyPrefix} matter: Redis keeps the revocation set of logged-out
   * sessions; the session itself stays in the encrypted cookie.
   */
  public static class Redis extends GlooObject {
    public RedisOptions options;
    public String keyPrefix;
    public String cookieName;
    public Boolean allowRefreshing;
    public String preExpiryBuffer;
    public String targetDomain;
    public String headerName;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if (options == null || options.host == null || !options.host.matches("[^:\\s]+:[0-9]{1,5}")) {
        out.add(new Violation(Paths.join(path, "options.host"), "must be host:port"));
      }
      if (options != null) {
        options.validate(Paths.join(path, "options"), out);
      }
    }
  }

  /** {@code {host, db, poolSize, socketType, tlsCertMountPath}}. */
  public static class RedisOptions extends GlooObject {
    public String host;
    public Integer db;
    public Integer poolSize;
    public String socketType;
    public String tlsCertMountPath;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if (db != null && db < 0) {
        out.add(new Violation(Paths.join(path, "db"), "must not be negative"));
      }
      if (socketType != null && !socketType.equals("tcp")) {
        out.add(new Violation(Paths.join(path, "socketType"), "only tcp is supported"));
      }
      if (tlsCertMountPath != null) {
        out.add(new Violation(Paths.join(path, "tlsCertMountPath"), "TLS to Redis is not supported"));
      }
    }
  }

  /**
   * {@code {maxAge, notSecure, path, domain, sameSite, httpOnly}}; maxAge in seconds, Gloo's default 30 days
   * ({@link #DEFAULT_MAX_AGE}); 0 makes the cookie a browser-session cookie (no Max-Age), the server-side session
   * still ends after the default lifetime.
   */
  public static class CookieOptions extends GlooObject {
    /** Gloo's default {@code maxAge}: 30 days. */
    public static final int DEFAULT_MAX_AGE = 2_592_000;

    public Integer maxAge;
    public Boolean notSecure;
    public String path;
    public String domain;
    public String sameSite;
    public Boolean httpOnly;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if (maxAge != null && maxAge < 0) {
        out.add(new Violation(Paths.join(path, "maxAge"), "must not be negative"));
      }
      if (sameSite != null && !Set.of("DefaultMode", "LaxMode", "StrictMode", "NoneMode", "Lax", "Strict", "None")
          .contains(sameSite)) {
        out.add(new Violation(Paths.join(path, "sameSite"), "must be one of LaxMode, StrictMode, NoneMode"));
      }
    }
  }

  /** {@code {keyPrefix}}: prefix of the session cookie's name. */
  public static class Cookie extends GlooObject {
    public String keyPrefix;
  }

  /** {@code {keyRef}}: a Secret whose {@code key} field keys the session cookie's encryption. */
  public static class CipherConfig extends GlooObject {
    public ResourceRef keyRef;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      ResourceRef.require(keyRef, Paths.join(path, "keyRef"), out);
    }
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    Urls.check(appUrl, Paths.join(path, "appUrl"), out);
    Urls.check(issuerUrl, Paths.join(path, "issuerUrl"), out);
    requireText(callbackPath, Paths.join(path, "callbackPath"), out);
    Urls.checkPath(callbackPath, Paths.join(path, "callbackPath"), out);
    Urls.checkPath(logoutPath, Paths.join(path, "logoutPath"), out);
    requireText(clientId, Paths.join(path, "clientId"), out);
    ResourceRef.require(clientSecretRef, Paths.join(path, "clientSecretRef"), out);
    validate(session, Paths.join(path, "session"), out);
    validate(headers, Paths.join(path, "headers"), out);
    Durations.check(discoveryPollInterval, Paths.join(path, "discoveryPollInterval"), out);
    if (afterLogoutUrl != null) {
      Urls.check(afterLogoutUrl, Paths.join(path, "afterLogoutUrl"), out);
    }
  }

  /** The longest a session lives, from login (refreshes do not extend it): {@code maxAge}, else 30 days. */
  public java.time.Duration sessionLifetime() {
    Integer maxAge = session != null && session.cookieOptions != null ? session.cookieOptions.maxAge : null;
    return java.time.Duration.ofSeconds(maxAge == null || maxAge == 0 ? CookieOptions.DEFAULT_MAX_AGE : maxAge);
  }

  /** The cookie's Max-Age for a session that ends in {@code remaining} seconds; -1: no Max-Age (maxAge 0). */
  public long cookieMaxAge(long remaining) {
    Integer maxAge = session != null && session.cookieOptions != null ? session.cookieOptions.maxAge : null;
    return maxAge != null && maxAge == 0 ? -1 : Math.max(0, remaining);
  }

  /** The session cookie's name. */
  public String cookieName() {
    String prefix = session != null && session.cookie != null && session.cookie.keyPrefix != null
        ? session.cookie.keyPrefix : "";
    return prefix + "id_token";
  }
}
