package io.gloo.plugins.extauth.model;

import io.gloo.plugins.common.Durations;
import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.spi.policy.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code oauth2{accessTokenValidation | oidcAuthorizationCode}}. */
public class OAuth2 extends GlooObject {

  public AccessTokenValidation accessTokenValidation;
  public OidcAuthorizationCode oidcAuthorizationCode;

  @Override
  public void validate(String path, List<Violation> out) {
    for (String field : unknownFields().keySet()) {
      out.add(new Violation(Paths.join(path, field), "unknown field or OAuth2 flavour not supported by this "
          + "implementation (supported: accessTokenValidation, oidcAuthorizationCode)"));
    }
    int set = (accessTokenValidation != null ? 1 : 0) + (oidcAuthorizationCode != null ? 1 : 0);
    if (set != 1 && unknownFields().isEmpty()) {
      out.add(new Violation(path, "exactly one of accessTokenValidation or oidcAuthorizationCode is required"));
    }
    validate(accessTokenValidation, Paths.join(path, "accessTokenValidation"), out);
    validate(oidcAuthorizationCode, Paths.join(path, "oidcAuthorizationCode"), out);
  }

  /**
   * {@code {jwt | introspection | introspectionUrl, requiredScopes, claimsToHeaders[{claim, header}]}}. Required
   * scopes may be written as a list or as Gloo's {@code ScopeList} ({@code {scope: [...]}}).
   */
  public static class AccessTokenValidation extends GlooObject {
    public Jwt jwt;
    public Introspection introspection;
    /** Gloo's deprecated form: an introspection URL without client credentials. */
    public String introspectionUrl;
    public Object requiredScopes;
    public List<ClaimToHeader> claimsToHeaders;
    public String cacheTimeout;

    /** The required scopes, never null. */
    @SuppressWarnings("unchecked")
    public List<String> scopes() {
      Object value = requiredScopes;
      if (value instanceof Map<?, ?> map) {
        value = map.get("scope");
      }
      List<String> out = new ArrayList<>();
      if (value instanceof List<?> list) {
        list.forEach(s -> out.add(String.valueOf(s)));
      }
      return out;
    }

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      int set = (jwt != null ? 1 : 0) + (introspection != null ? 1 : 0) + (introspectionUrl != null ? 1 : 0);
      if (set != 1) {
        out.add(new Violation(path, "exactly one of jwt, introspection or introspectionUrl is required"));
      }
      validate(jwt, Paths.join(path, "jwt"), out);
      validate(introspection, Paths.join(path, "introspection"), out);
      if (introspectionUrl != null) {
        Urls.check(introspectionUrl, Paths.join(path, "introspectionUrl"), out);
      }
      if (requiredScopes != null) {
        Object value = requiredScopes instanceof Map<?, ?> map ? map.get("scope") : requiredScopes;
        boolean ok = value instanceof List<?> list && list.stream().allMatch(s -> s instanceof String);
        if (!ok || (requiredScopes instanceof Map<?, ?> m && m.size() != 1)) {
          out.add(new Violation(Paths.join(path, "requiredScopes"),
              "must be a list of scopes or {scope: [list of scopes]}"));
        }
      }
      validateAll(claimsToHeaders, Paths.join(path, "claimsToHeaders"), out);
      Durations.check(cacheTimeout, Paths.join(path, "cacheTimeout"), out);
    }
  }

  /**
   * {@code {remoteJwks{url, refreshInterval} | localJwks{inlineString}, issuer, audiences[], requireExpiration}}.
   * {@code requireExpiration} (Envoy's {@code JwtProvider.require_expiration}; not in Gloo's AuthConfig) defaults to
   * true here: a token without {@code exp} would be valid forever, so it is refused unless set to false.
   */
  public static class Jwt extends GlooObject {
    public RemoteJwks remoteJwks;
    public LocalJwks localJwks;
    public String issuer;
    public List<String> audiences;
    public Boolean requireExpiration;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if ((remoteJwks == null) == (localJwks == null)) {
        out.add(new Violation(path, "one of remoteJwks or localJwks"));
      }
      validate(remoteJwks, Paths.join(path, "remoteJwks"), out);
      validate(localJwks, Paths.join(path, "localJwks"), out);
    }
  }

  /** {@code {url, refreshInterval}}. */
  public static class RemoteJwks extends GlooObject {
    public String url;
    public String refreshInterval;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      Urls.check(url, Paths.join(path, "url"), out);
      Durations.check(refreshInterval, Paths.join(path, "refreshInterval"), out);
    }
  }

  /** {@code {inlineString}}: a JWKS document. */
  public static class LocalJwks extends GlooObject {
    public String inlineString;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      String field = Paths.join(path, "inlineString");
      if (inlineString == null || inlineString.isBlank()) {
        out.add(new Violation(field, "is required"));
        return;
      }
      try {
        com.nimbusds.jose.jwk.JWKSet set = com.nimbusds.jose.jwk.JWKSet.parse(inlineString);
        if (set.getKeys().isEmpty()) {
          out.add(new Violation(field, "holds no keys"));
        }
        for (com.nimbusds.jose.jwk.JWK key : set.getKeys()) {
          if (key.isPrivate()) {
            out.add(new Violation(field, "holds a private key (kid " + key.getKeyID() + "); give public keys only"));
          }
          if (key instanceof com.nimbusds.jose.jwk.OctetSequenceKey) {
            out.add(new Violation(field, "holds a symmetric (oct) key; only RSA and EC public keys are accepted"));
          }
        }
      } catch (java.text.ParseException e) {
        out.add(new Violation(field, "is not a JWKS document: " + e.getMessage()));
      }
    }
  }

  /** RFC 7662 {@code {introspectionUrl, clientId, clientSecretRef, userIdAttributeName, disableClientSecret}}. */
  public static class Introspection extends GlooObject {
    public String introspectionUrl;
    public String clientId;
    public ResourceRef clientSecretRef;
    public String userIdAttributeName;
    public Boolean disableClientSecret;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      Urls.check(introspectionUrl, Paths.join(path, "introspectionUrl"), out);
      if (clientSecretRef != null) {
        ResourceRef.require(clientSecretRef, Paths.join(path, "clientSecretRef"), out);
        if (clientId == null || clientId.isEmpty()) {
          out.add(new Violation(Paths.join(path, "clientId"), "is required with clientSecretRef"));
        }
      }
    }
  }

  /** {@code {claim, header, append}}. */
  public static class ClaimToHeader extends GlooObject {
    public String claim;
    public String header;
    public Boolean append;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      requireText(claim, Paths.join(path, "claim"), out);
      if (header == null || !header.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        out.add(new Violation(Paths.join(path, "header"), "must be an HTTP header name"));
      }
    }
  }
}
