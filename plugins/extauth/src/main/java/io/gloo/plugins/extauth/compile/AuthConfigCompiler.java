package io.gloo.plugins.extauth.compile;

import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.plugins.extauth.compile.CompiledAuthConfig.ApiKeyEntry;
import io.gloo.plugins.extauth.compile.CompiledAuthConfig.StepSecrets;
import io.gloo.plugins.extauth.model.ApiKeyAuth;
import io.gloo.plugins.extauth.model.AuthConfigSpec;
import io.gloo.plugins.extauth.model.AuthStep;
import io.gloo.plugins.extauth.model.OAuth2;
import io.gloo.plugins.extauth.model.OidcAuthorizationCode;
import io.gloo.plugins.extauth.model.ResourceRef;
import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.translate.Diagnostics;
import io.gloo.spi.translate.ResourceLookup;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Resolves an AuthConfig's Secrets into a {@link CompiledAuthConfig}. Problems go to the AuthConfig's diagnostics
 * (with field paths, never secret values). An entry that cannot work without a missing Secret (an OIDC or
 * introspection client secret) makes the whole config uncompilable: it is left out of the set, so the service
 * denies every request naming it (fail closed). A missing API-key Secret only means fewer valid keys (a warning).
 */
@ThreadSafe
public final class AuthConfigCompiler {

  /** Secret type of API keys (Gloo's). */
  public static final String API_KEY_SECRET_TYPE = "extauth.solo.io/apikey";
  /** Data field holding the key. */
  public static final String API_KEY_FIELD = "api-key";

  /** The data field of the session-key Secret ({@code sessionSecretRef}), as in Gloo's {@code cipherConfig}. */
  public static final String SESSION_KEY_FIELD = "key";

  private final byte[] sessionSecret;
  private final ResourceRef sessionSecretRef;

  /**
   * @param sessionSecret keys OIDC session cookies when an AuthConfig names no cipher key of its own; null when not
   *     configured, in which case the (required) client secret keys them: every replica derives the same key, which
   *     a per-process random key would not
   */
  public AuthConfigCompiler(byte[] sessionSecret) {
    this(sessionSecret, null);
  }

  /**
   * @param sessionSecretRef instead of {@code sessionSecret}: a Secret (namespace and name) whose {@value
   *     #SESSION_KEY_FIELD} field keys the session cookies, read at every compile (so a rotation applies); when it
   *     is missing, OIDC configs without a cipher key of their own are not served (fail closed)
   */
  public AuthConfigCompiler(byte[] sessionSecret, ResourceRef sessionSecretRef) {
    if (sessionSecret != null && sessionSecretRef != null) {
      throw new IllegalArgumentException("give the session secret or a Secret holding it, not both");
    }
    this.sessionSecret = sessionSecret == null ? null : sessionSecret.clone();
    this.sessionSecretRef = sessionSecretRef;
  }

  /** Compiles one valid AuthConfig; empty when it cannot be served (reported on {@code diagnostics}). */
  public Optional<CompiledAuthConfig> compile(PolicyRef ref, long generation, AuthConfigSpec spec,
      ResourceLookup lookup, Diagnostics diagnostics) {
    String id = configId(ref.namespace(), ref.name());
    List<StepSecrets> secrets = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < spec.configs.size(); i++) {
      AuthStep step = spec.configs.get(i);
      String path = "configs[" + i + "]";
      StepSecrets resolved = StepSecrets.NONE;
      if (step.apiKeyAuth != null) {
        resolved = new StepSecrets(apiKeys(ref.namespace(), step.apiKeyAuth, path + ".apiKeyAuth", lookup,
            diagnostics), null, null);
      } else if (step.oauth2 != null && step.oauth2.accessTokenValidation != null) {
        OAuth2.Introspection in = step.oauth2.accessTokenValidation.introspection;
        if (in != null && in.clientSecretRef != null && !Boolean.TRUE.equals(in.disableClientSecret)) {
          String secret = clientSecret(ref.namespace(), in.clientSecretRef,
              path + ".oauth2.accessTokenValidation.introspection.clientSecretRef", lookup, diagnostics);
          ok &= secret != null;
          resolved = new StepSecrets(List.of(), secret, null);
        }
      } else if (step.oauth2 != null && step.oauth2.oidcAuthorizationCode != null) {
        OidcAuthorizationCode oidc = step.oauth2.oidcAuthorizationCode;
        String base = path + ".oauth2.oidcAuthorizationCode";
        String secret = clientSecret(ref.namespace(), oidc.clientSecretRef, base + ".clientSecretRef", lookup,
            diagnostics);
        // Key material every control-plane replica derives alike, so a session cookie one replica issued is read by
        // the next: the configured cipher key, else the plugin's sessionSecret, else the client secret.
        byte[] keyMaterial = sessionSecret != null ? sessionSecret
            : secret != null ? ("client-secret:" + secret).getBytes(java.nio.charset.StandardCharsets.UTF_8) : null;
        boolean ownKey = oidc.session != null && oidc.session.cipherConfig != null;
        if (sessionSecretRef != null && !ownKey) {
          keyMaterial = lookup.secret(sessionSecretRef.namespace, sessionSecretRef.name)
              .map(data -> data.get(SESSION_KEY_FIELD)).filter(key -> key.length > 0).orElse(null);
          if (keyMaterial == null) {
            diagnostics.error(base, "the session key Secret " + sessionSecretRef.namespace + "/"
                + sessionSecretRef.name + " (plugin config extauth.sessionSecretRef) with a '" + SESSION_KEY_FIELD
                + "' field is not found: this config is not served until it is");
            ok = false;
          }
        }
        if (ownKey) {
          ResourceRef keyRef = oidc.session.cipherConfig.keyRef;
          keyMaterial = lookup.secret(keyRef.namespaceOr(ref.namespace()), keyRef.name)
              .map(data -> data.get("key")).orElse(null);
          if (keyMaterial == null) {
            diagnostics.error(base + ".session.cipherConfig.keyRef",
                "Secret " + keyRef.namespaceOr(ref.namespace()) + "/" + keyRef.name + " with a 'key' field not found");
            ok = false;
          }
        }
        ok &= secret != null;
        String sessionKey = keyMaterial == null ? null : deriveKey(keyMaterial, id + "#" + i);
        resolved = new StepSecrets(List.of(), secret, sessionKey);
      }
      secrets.add(resolved);
    }
    return ok ? Optional.of(new CompiledAuthConfig(id, generation, spec, secrets)) : Optional.empty();
  }

  /** The config id Envoy sends in {@code context_extensions.config_id}. */
  public static String configId(String namespace, String name) {
    return namespace + "." + name;
  }

  private static List<ApiKeyEntry> apiKeys(String namespace, ApiKeyAuth auth, String path, ResourceLookup lookup,
      Diagnostics diagnostics) {
    Map<String, ApiKeyEntry> byDigest = new LinkedHashMap<>();
    String storage = path + ".k8sSecretApikeyStorage";
    List<ResourceRef> refs = auth.refs();
    for (int i = 0; i < refs.size(); i++) {
      ResourceRef ref = refs.get(i);
      String ns = ref.namespaceOr(namespace);
      Optional<Map<String, byte[]>> data = lookup.secret(ns, ref.name);
      if (data.isEmpty()) {
        diagnostics.warning(storage + ".apiKeySecretRefs[" + i + "]",
            "Secret " + ns + "/" + ref.name + " not found (or not readable from " + namespace + "); its key is not accepted");
        continue;
      }
      add(byDigest, ns + "/" + ref.name, data.get(), storage + ".apiKeySecretRefs[" + i + "]", diagnostics);
    }
    Map<String, String> selector = auth.selector();
    if (!selector.isEmpty()) {
      List<ResourceLookup.SecretData> selected = lookup.secrets(selector);
      int matched = 0;
      for (ResourceLookup.SecretData secret : selected) {
        if (secret.type() != null && !secret.type().isEmpty() && !API_KEY_SECRET_TYPE.equals(secret.type())) {
          continue;
        }
        matched++;
        add(byDigest, secret.namespace() + "/" + secret.name(), secret.data(), storage + ".labelSelector",
            diagnostics);
      }
      if (matched == 0) {
        diagnostics.warning(storage + ".labelSelector", "matches no Secret of type " + API_KEY_SECRET_TYPE);
      }
    }
    return List.copyOf(byDigest.values());
  }

  private static void add(Map<String, ApiKeyEntry> byDigest, String secretName, Map<String, byte[]> data,
      String field, Diagnostics diagnostics) {
    byte[] key = data.get(API_KEY_FIELD);
    if (key == null || key.length == 0) {
      diagnostics.warning(field, "Secret " + secretName + " has no '" + API_KEY_FIELD + "' field; ignored");
      return;
    }
    String digest = sha256(key);
    Map<String, String> metadata = new TreeMap<>();
    data.forEach((k, v) -> {
      if (!API_KEY_FIELD.equals(k)) {
        metadata.put(k, new String(v, StandardCharsets.UTF_8));
      }
    });
    ApiKeyEntry previous = byDigest.putIfAbsent(digest, new ApiKeyEntry(digest, secretName, Map.copyOf(metadata)));
    if (previous != null && !previous.secret().equals(secretName)) {
      diagnostics.warning(field, "Secrets " + previous.secret() + " and " + secretName
          + " hold the same API key; the first one's metadata is used");
    }
  }

  private static String clientSecret(String namespace, ResourceRef ref, String field, ResourceLookup lookup,
      Diagnostics diagnostics) {
    String ns = ref.namespaceOr(namespace);
    Optional<Map<String, byte[]>> data = lookup.secret(ns, ref.name);
    byte[] value = data.map(d -> d.containsKey("client-secret") ? d.get("client-secret") : d.get("clientSecret"))
        .orElse(null);
    if (value == null) {
      diagnostics.error(field, data.isEmpty()
          ? "Secret " + ns + "/" + ref.name + " not found (or not readable from " + namespace + ")"
          : "Secret " + ns + "/" + ref.name + " has no 'client-secret' field");
      return null;
    }
    return new String(value, StandardCharsets.UTF_8);
  }

  /** base64url SHA-256. */
  public static String sha256(byte[] value) {
    try {
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(MessageDigest.getInstance("SHA-256").digest(value));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A 256-bit key for one config's sessions: SHA-256 over a label, the secret and the config's identity. */
  static String deriveKey(byte[] secret, String context) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update("gloo-extauth-session-v1\0".getBytes(StandardCharsets.UTF_8));
      md.update(secret);
      md.update(("\0" + context).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
