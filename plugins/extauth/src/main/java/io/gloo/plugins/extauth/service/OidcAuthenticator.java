package io.gloo.plugins.extauth.service;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.errorprone.annotations.ThreadSafe;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.gloo.plugins.extauth.model.OidcAuthorizationCode;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code oauth2.oidcAuthorizationCode}: the browser login flow, stateless on the server side.
 *
 * <ol>
 *   <li>No valid session: 302 to the provider's authorization endpoint (from discovery) with {@code state},
 *       {@code nonce} and a PKCE S256 challenge; those three and the original URL go into a short-lived encrypted
 *       state cookie. With {@code failOnRedirect}: 401 instead.
 *   <li>{@code callbackPath}: the state must match the cookie's; the code is exchanged at the token endpoint (client
 *       secret + PKCE verifier); the ID token is validated (provider JWKS, issuer, audience = clientId, nonce); then
 *       302 back to the original URL, setting the session cookie (encrypted, see {@link SessionCodec}).
 *   <li>A session whose access token expired is refreshed with its refresh token; the new cookie is set on the
 *       upstream's response.
 *   <li>{@code logoutPath}: the session is revoked ({@link SessionRevocations}: a copy of the cookie is refused from
 *       now on) and its cookie cleared; 302 to the provider's {@code end_session_endpoint} if it has one, else to
 *       {@code afterLogoutUrl} or {@code appUrl}.
 * </ol>
 * Every session has an id ({@code sid}) and an absolute end ({@code sexp}): login time plus
 * {@link OidcAuthorizationCode#sessionLifetime()} ({@code session.cookieOptions.maxAge}, default 30 days);
 * refreshes do not extend it. A token response without {@code expires_in} makes the access token last as long as
 * the session. A cookie without an id or end (issued before these existed) is no session.
 * Allowed requests carry the tokens upstream in {@code headers.idTokenHeader} / {@code headers.accessTokenHeader}.
 * Thread-safe.
 */
@ThreadSafe
public final class OidcAuthenticator implements Authenticator {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OidcAuthenticator.class);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration STATE_TTL = Duration.ofMinutes(10);

  private final OidcAuthorizationCode spec;
  private final String clientSecret;
  private final SessionCodec codec;
  private final boolean failOnRedirect;
  private final OutboundHttp http;
  private final Clock clock;
  private final String appUrl;
  private final String redirectUri;
  private final String sessionCookie;
  private final String stateCookie;
  private final AsyncLoadingCache<String, Discovery> discovery;
  private final Map<String, JwtValidator> validators = new ConcurrentHashMap<>();
  private final SessionRevocations revocations;
  private final Duration lifetime;

  /** The provider's endpoints (from {@code /.well-known/openid-configuration}). */
  record Discovery(String issuer, String authorizationEndpoint, String tokenEndpoint, String jwksUri,
      String endSessionEndpoint) {}

  public OidcAuthenticator(OidcAuthorizationCode spec, String clientSecret, String sessionKey, boolean failOnRedirect,
      OutboundHttp http, Clock clock, SessionRevocations revocations) {
    this.spec = spec;
    this.revocations = revocations;
    this.lifetime = spec.sessionLifetime();
    this.clientSecret = clientSecret;
    this.codec = new SessionCodec(sessionKey);
    this.failOnRedirect = failOnRedirect;
    this.http = http;
    this.clock = clock;
    this.appUrl = spec.appUrl.endsWith("/") ? spec.appUrl.substring(0, spec.appUrl.length() - 1) : spec.appUrl;
    this.redirectUri = appUrl + spec.callbackPath;
    this.sessionCookie = spec.cookieName();
    this.stateCookie = spec.cookieName() + "_state";
    Duration poll = spec.discoveryPollInterval == null ? Duration.ofMinutes(30)
        : Duration.ofNanos(io.gloo.plugins.common.Durations.nanos(
            io.gloo.plugins.common.Durations.parse(spec.discoveryPollInterval)).longValue());
    this.discovery = Caffeine.newBuilder().refreshAfterWrite(poll.isZero() ? Duration.ofMinutes(30) : poll)
        .buildAsync((key, executor) -> discover());
  }

  @Override
  public CompletionStage<AuthResult> check(CheckContext request) {
    String path = request.pathOnly();
    if (spec.logoutPath != null && path.equals(spec.logoutPath)) {
      return discovery.get("d").handle((d, error) -> d).thenCompose(d -> logout(request, d));
    }
    if (path.equals(spec.callbackPath)) {
      return discovery.get("d").thenCompose(d -> callback(request, d))
          .exceptionally(error -> AuthResult.forbidden("oidc_callback_failed"));
    }
    Map<String, Object> session = codec.open("session", request.cookie(sessionCookie));
    long now = clock.instant().getEpochSecond();
    if (session == null || !(session.get("sid") instanceof String sid) || now >= number(session.get("sexp"))) {
      return login(request);
    }
    return revocations.isRevoked(sid).handle((revoked, error) -> error != null ? null : revoked)
        .thenCompose(revoked -> {
          if (revoked == null) {
            // the revocation set cannot answer: the session cannot be shown to be live (fail closed)
            return CompletableFuture.completedFuture(AuthResult.forbidden("oidc_revocations_unavailable"));
          }
          return revoked ? login(request) : live(request, session, now);
        });
  }

  /** A session that is within its lifetime and not revoked: allowed while its access token lasts, then refreshed. */
  private CompletionStage<AuthResult> live(CheckContext request, Map<String, Object> session, long now) {
    if (now < number(session.get("exp"))) {
      return CompletableFuture.completedFuture(allow(session, List.of()));
    }
    Object refreshToken = session.get("refresh_token");
    if (refreshToken instanceof String rt && !rt.isEmpty()) {
      return discovery.get("d").thenCompose(d -> refresh(request, d, rt, session))
          .exceptionally(error -> null)
          .thenCompose(result -> result != null ? CompletableFuture.completedFuture(result) : login(request));
    }
    return login(request);
  }

  private CompletionStage<AuthResult> login(CheckContext request) {
    if (failOnRedirect) {
      return CompletableFuture.completedFuture(AuthResult.unauthorized("oidc_no_session"));
    }
    return discovery.get("d").handle((d, error) -> {
      if (d == null) {
        return AuthResult.forbidden("oidc_discovery_unavailable");
      }
      String state = random();
      String nonce = random();
      String verifier = random() + random();
      Map<String, Object> claims = new LinkedHashMap<>();
      claims.put("state", state);
      claims.put("nonce", nonce);
      claims.put("verifier", verifier);
      claims.put("url", request.scheme() + "://" + request.host() + request.path());
      claims.put("exp", clock.instant().plus(STATE_TTL).getEpochSecond());
      Map<String, String> query = new LinkedHashMap<>();
      query.put("response_type", "code");
      query.put("client_id", spec.clientId);
      query.put("redirect_uri", redirectUri);
      query.put("scope", scopes());
      query.put("state", state);
      query.put("nonce", nonce);
      query.put("code_challenge", s256(verifier));
      query.put("code_challenge_method", "S256");
      if (spec.authEndpointQueryParams != null) {
        spec.authEndpointQueryParams.forEach(query::putIfAbsent);
      }
      String location = d.authorizationEndpoint() + (d.authorizationEndpoint().contains("?") ? "&" : "?") + form(query);
      return AuthResult.redirect("oidc_login_redirect", location,
          List.of(cookie(stateCookie, codec.seal("state", claims), (int) STATE_TTL.toSeconds())));
    });
  }

  private CompletionStage<AuthResult> callback(CheckContext request, Discovery d) {
    Map<String, Object> state = codec.open("state", request.cookie(stateCookie));
    String returned = request.query("state");
    String code = request.query("code");
    if (state == null || returned == null || code == null
        || number(state.get("exp")) < clock.instant().getEpochSecond()
        || !MessageDigest.isEqual(returned.getBytes(StandardCharsets.UTF_8),
            String.valueOf(state.get("state")).getBytes(StandardCharsets.UTF_8))) {
      return CompletableFuture.completedFuture(AuthResult.forbidden("oidc_bad_state"));
    }
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("redirect_uri", redirectUri);
    form.put("code_verifier", String.valueOf(state.get("verifier")));
    return tokenRequest(d, form).thenCompose(tokens -> {
      Object idToken = tokens.get("id_token");
      if (!(idToken instanceof String id)) {
        return CompletableFuture.completedFuture(AuthResult.forbidden("oidc_no_id_token"));
      }
      return validator(d).validate(id).thenApply(outcome -> {
        if (outcome.claims() == null) {
          return AuthResult.forbidden("oidc_id_token_" + outcome.failure());
        }
        Object nonce = outcome.claims().getClaim("nonce");
        if (nonce == null || !MessageDigest.isEqual(String.valueOf(nonce).getBytes(StandardCharsets.UTF_8),
            String.valueOf(state.get("nonce")).getBytes(StandardCharsets.UTF_8))) {
          return AuthResult.forbidden("oidc_bad_nonce");
        }
        String original = String.valueOf(state.get("url"));
        return AuthResult.redirect("oidc_login_complete", sameOrigin(original, appUrl) ? original : appUrl + "/",
            List.of(sessionCookie(session(tokens, null)), clear(stateCookie)));
      });
    });
  }

  private CompletionStage<AuthResult> refresh(CheckContext request, Discovery d, String refreshToken,
      Map<String, Object> old) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "refresh_token");
    form.put("refresh_token", refreshToken);
    return tokenRequest(d, form).thenApply(tokens -> {
      if (!(tokens.get("access_token") instanceof String)) {
        return null;
      }
      Map<String, Object> session = session(tokens, old);
      return allow(session, List.of(new AuthResult.Header("set-cookie", sessionCookie(session), true)));
    });
  }

  private CompletionStage<AuthResult> logout(CheckContext request, Discovery d) {
    Map<String, Object> session = codec.open("session", request.cookie(sessionCookie));
    CompletionStage<Void> revoked = CompletableFuture.completedFuture(null);
    if (session != null && session.get("sid") instanceof String sid) {
      revoked = revocations.revoke(sid, Instant.ofEpochSecond(number(session.get("sexp"))));
    }
    return revoked.handle((ok, error) -> {
      if (error != null) {
        LOG.warn("OIDC logout: the session could not be revoked ({}); its cookie is cleared but a copy stays valid "
            + "until it expires", error.getClass().getSimpleName());
      }
      return redirectAfterLogout(session, d);
    });
  }

  private AuthResult redirectAfterLogout(Map<String, Object> session, Discovery d) {
    String after = spec.afterLogoutUrl != null ? spec.afterLogoutUrl : appUrl + "/";
    String location = after;
    if (d != null && d.endSessionEndpoint() != null) {
      Map<String, String> query = new LinkedHashMap<>();
      if (session != null && session.get("id_token") instanceof String id) {
        query.put("id_token_hint", id);
      }
      query.put("client_id", spec.clientId);
      query.put("post_logout_redirect_uri", after);
      location = d.endSessionEndpoint() + (d.endSessionEndpoint().contains("?") ? "&" : "?") + form(query);
    }
    return AuthResult.redirect("oidc_logout", location, List.of(clear(sessionCookie)));
  }

  private AuthResult allow(Map<String, Object> session, List<AuthResult.Header> responseHeaders) {
    List<AuthResult.Header> headers = new ArrayList<>();
    if (spec.headers != null && spec.headers.idTokenHeader != null && session.get("id_token") instanceof String id) {
      headers.add(new AuthResult.Header(spec.headers.idTokenHeader, id));
    }
    if (spec.headers != null && spec.headers.accessTokenHeader != null
        && session.get("access_token") instanceof String at) {
      headers.add(new AuthResult.Header(spec.headers.accessTokenHeader, at));
    }
    if (session.get("sub") instanceof String sub) {
      headers.add(new AuthResult.Header("x-user-id", sub));
    }
    return AuthResult.ok("oidc_session", headers).withResponseHeaders(responseHeaders);
  }

  private Map<String, Object> session(Map<String, Object> tokens, Map<String, Object> old) {
    Map<String, Object> session = new LinkedHashMap<>();
    Object id = tokens.get("id_token") != null ? tokens.get("id_token") : old == null ? null : old.get("id_token");
    if (id != null) {
      session.put("id_token", id);
    }
    session.put("access_token", tokens.get("access_token"));
    Object refresh = tokens.get("refresh_token") != null ? tokens.get("refresh_token")
        : old == null ? null : old.get("refresh_token");
    if (refresh != null) {
      session.put("refresh_token", refresh);
    }
    long now = clock.instant().getEpochSecond();
    session.put("sid", old != null && old.get("sid") instanceof String sid ? sid : random());
    long end = old != null ? number(old.get("sexp")) : now + lifetime.toSeconds();
    session.put("sexp", end);
    // no expires_in: the access token is taken to last as long as the session, never forever
    long expiresIn = number(tokens.get("expires_in"));
    session.put("exp", expiresIn > 0 ? Math.min(now + expiresIn, end) : end);
    Object sub = subject(id);
    if (sub != null) {
      session.put("sub", sub);
    } else if (old != null && old.get("sub") != null) {
      session.put("sub", old.get("sub"));
    }
    return session;
  }

  private static Object subject(Object idToken) {
    if (!(idToken instanceof String id)) {
      return null;
    }
    try {
      return com.nimbusds.jwt.SignedJWT.parse(id).getJWTClaimsSet().getSubject();
    } catch (java.text.ParseException e) {
      return null;
    }
  }

  private CompletionStage<Map<String, Object>> tokenRequest(Discovery d, Map<String, String> form) {
    Map<String, String> all = new LinkedHashMap<>(form);
    if (spec.tokenEndpointQueryParams != null) {
      spec.tokenEndpointQueryParams.forEach(all::putIfAbsent);
    }
    String basic = Base64.getEncoder().encodeToString((URLEncoder.encode(spec.clientId, StandardCharsets.UTF_8) + ":"
        + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
    HttpRequest request = HttpRequest.newBuilder(URI.create(d.tokenEndpoint())).timeout(http.policy().timeout())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("authorization", "Basic " + basic)
        .POST(HttpRequest.BodyPublishers.ofString(form(all))).build();
    return http.send(request, http.policy().maxDocumentBytes(), http.policy().timeout()).thenApply(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("token endpoint answered " + response.statusCode());
      }
      try {
        return JSONObjectUtils.parse(response.body());
      } catch (java.text.ParseException e) {
        throw new IllegalStateException("token endpoint returned no JSON object");
      }
    });
  }

  private JwtValidator validator(Discovery d) {
    return validators.computeIfAbsent(d.jwksUri(), uri -> new JwtValidator(
        new RemoteJwks(URI.create(uri), Duration.ofMinutes(5), http), d.issuer(), List.of(spec.clientId), clock));
  }

  private CompletableFuture<Discovery> discover() {
    String base = spec.issuerUrl.endsWith("/") ? spec.issuerUrl.substring(0, spec.issuerUrl.length() - 1)
        : spec.issuerUrl;
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/.well-known/openid-configuration"))
        .timeout(http.policy().timeout()).header("accept", "application/json").GET().build();
    return http.send(request, http.policy().maxDocumentBytes(), http.policy().timeout()).thenApply(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("discovery answered " + response.statusCode());
      }
      try {
        Map<String, Object> doc = JSONObjectUtils.parse(response.body());
        String authz = (String) doc.get("authorization_endpoint");
        String token = (String) doc.get("token_endpoint");
        String jwks = (String) doc.get("jwks_uri");
        if (authz == null || token == null || jwks == null) {
          throw new IllegalStateException("discovery document lacks authorization, token or JWKS endpoint");
        }
        // OpenID Connect Discovery 1.0 §4.3: the issuer must be exactly the one configured, or an attacker's
        // document (e.g. from a hijacked path) could name any issuer and keys
        String issuer = doc.get("issuer") instanceof String i ? i : null;
        if (issuer == null || !trimSlash(issuer).equals(base)) {
          throw new IllegalStateException("discovery document's issuer is not issuerUrl");
        }
        String endSession = (String) doc.get("end_session_endpoint");
        if (!http.policy().allowCrossOriginEndpoints()) {
          for (String endpoint : new String[] {authz, token, jwks, endSession}) {
            if (endpoint != null && !sameOrigin(endpoint, base)) {
              throw new IllegalStateException("discovery names an endpoint off the issuer's origin "
                  + "(outbound.allowCrossOriginEndpoints)");
            }
          }
        }
        return new Discovery(issuer, authz, token, jwks, endSession);
      } catch (java.text.ParseException | ClassCastException | IllegalArgumentException e) {
        throw new IllegalStateException("discovery returned no valid document");
      }
    }).whenComplete((d, error) -> {
      if (error != null) {
        LOG.warn("OIDC discovery at {} failed: {}", OutboundHttp.origin(URI.create(base)), error.getMessage());
      }
    });
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /**
   * Whether {@code a} is on {@code b}'s origin: same scheme, host and port (default ports made explicit), and no user
   * info in {@code a}; false when either is not a URL. Used where the browser is sent back after login, where a
   * string prefix would pass {@code https://app.example.com.evil.net/} and {@code https://app.example.com@evil.net/}
   * (an open redirect), and for the discovery document's endpoints.
   */
  static boolean sameOrigin(String a, String b) {
    URI x;
    URI y;
    try {
      x = new URI(a);
      y = new URI(b);
    } catch (URISyntaxException e) {
      return false;
    }
    return x.getRawUserInfo() == null && x.getScheme() != null && x.getScheme().equalsIgnoreCase(y.getScheme())
        && x.getHost() != null && x.getHost().equalsIgnoreCase(y.getHost()) && port(x) == port(y);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  private String scopes() {
    List<String> scopes = new ArrayList<>();
    scopes.add("openid");
    if (spec.scopes != null) {
      spec.scopes.stream().filter(s -> !s.equals("openid")).forEach(scopes::add);
    }
    return String.join(" ", scopes);
  }

  private String sessionCookie(Map<String, Object> session) {
    long remaining = number(session.get("sexp")) - clock.instant().getEpochSecond();
    return cookie(sessionCookie, codec.seal("session", session), spec.cookieMaxAge(remaining));
  }

  private String clear(String name) {
    return cookie(name, "", 0);
  }

  private String cookie(String name, String value, long maxAge) {
    OidcAuthorizationCode.CookieOptions o = spec.session == null ? null : spec.session.cookieOptions;
    StringBuilder c = new StringBuilder(name).append('=').append(value);
    c.append("; Path=").append(o != null && o.path != null ? o.path : "/");
    if (o != null && o.domain != null) {
      c.append("; Domain=").append(o.domain);
    }
    if (maxAge >= 0) {
      c.append("; Max-Age=").append(maxAge);
    }
    if (o == null || !Boolean.TRUE.equals(o.notSecure)) {
      c.append("; Secure");
    }
    if (o == null || o.httpOnly == null || o.httpOnly) {
      c.append("; HttpOnly");
    }
    String sameSite = o == null || o.sameSite == null ? "Lax" : o.sameSite.replace("Mode", "");
    if (!sameSite.equals("Default")) {
      c.append("; SameSite=").append(sameSite);
    }
    return c.toString();
  }

  private static long number(Object value) {
    return value instanceof Number n ? n.longValue() : 0;
  }

  private static String random() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String s256(String verifier) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String form(Map<String, String> values) {
    StringBuilder out = new StringBuilder();
    values.forEach((k, v) -> {
      if (out.length() > 0) {
        out.append('&');
      }
      out.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
    });
    return out.toString();
  }
}
