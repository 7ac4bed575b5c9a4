package io.gloo.plugins.extauth.compile;

import io.gloo.plugins.extauth.model.AuthConfigSpec;
import java.util.List;
import java.util.Map;

/**
 * An AuthConfig ready for the ext-auth service: its spec plus what was resolved from Secrets, per entry of
 * {@code configs[]} (same index). This is what the control plane streams to standalone servers, so it carries
 * secrets (client secrets, session keys; API keys only as SHA-256 digests): {@link #toString()} never shows them
 * and nothing logs it.
 *
 * @param id {@code <namespace>.<name>}, the {@code config_id} Envoy sends in the check's context extensions
 * @param generation the AuthConfig's metadata.generation
 */
public record CompiledAuthConfig(String id, long generation, AuthConfigSpec spec, List<StepSecrets> secrets) {

  /**
   * What entry {@code i} of {@code configs[]} needs from Secrets.
   *
   * @param apiKeys API keys (by digest) with their metadata, for apiKeyAuth
   * @param clientSecret the OAuth2 client secret (introspection, OIDC), or null
   * @param sessionKey base64url 256-bit key of the OIDC session cookie, or null
   */
  public record StepSecrets(List<ApiKeyEntry> apiKeys, String clientSecret, String sessionKey) {

    public static final StepSecrets NONE = new StepSecrets(List.of(), null, null);

    @Override
    public String toString() {
      return "StepSecrets[apiKeys=" + apiKeys.size() + ", clientSecret=" + (clientSecret == null ? "none" : "***")
          + ", sessionKey=" + (sessionKey == null ? "none" : "***") + "]";
    }
  }

  /**
   * One API key.
   *
   * @param sha256 base64url SHA-256 of the key (the key itself never leaves the control plane)
   * @param secret the Secret it came from, {@code namespace/name} (for diagnostics)
   * @param metadata the Secret's other data fields, forwarded as headers on request
   */
  public record ApiKeyEntry(String sha256, String secret, Map<String, String> metadata) {
    @Override
    public String toString() {
      return "ApiKeyEntry[secret=" + secret + ", metadata=" + metadata.keySet() + "]";
    }
  }

  @Override
  public String toString() {
    return "CompiledAuthConfig[" + id + " generation " + generation + ", " + secrets.size() + " steps]";
  }
}
