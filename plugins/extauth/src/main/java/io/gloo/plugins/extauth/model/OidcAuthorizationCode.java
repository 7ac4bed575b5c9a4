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
   * cipherConfig{keyRef}, failOnFetchFailure}}. Sessions live in an encrypted cookie; Redis sessions are not
   * supported.
   */
  public static class Session extends GlooObject {
    public CookieOptions cookieOptions;
    public Cookie cookie;
    public CipherConfig cipherConfig;
    public Boolean failOnFetchFailure;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out, Set.of("redis"));
      if (unknownFields().containsKey("redis")) {
        out.add(new Violation(Paths.join(path, "redis"),
            "Redis sessions are not supported by this implementation (sessions live in an encrypted cookie)"));
      }
      validate(cookieOptions, Paths.join(path, "cookieOptions"), out);
      validate(cookie, Paths.join(path, "cookie"), out);
      validate(cipherConfig, Paths.join(path, "cipherConfig"), out);
    }
  }

  /** {@code {maxAge, notSecure, path, domain, sameSite, httpOnly}}; maxAge in seconds. */
  public static class CookieOptions extends GlooObject {
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

  /** The session cookie's name. */
  public String cookieName() {
    String prefix = session != null && session.cookie != null && session.cookie.keyPrefix != null
        ? session.cookie.keyPrefix : "";
    return prefix + "id_token";
  }
}
