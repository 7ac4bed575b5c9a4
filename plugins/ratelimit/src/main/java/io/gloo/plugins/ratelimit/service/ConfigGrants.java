package io.gloo.plugins.ratelimit.service;

import com.google.errorprone.annotations.ThreadSafe;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks the config selector ({@value RuleSet#CONFIG_KEY}) that the control plane puts first in the
 * descriptors of a RateLimitConfig's actions, so that only a route the config was given to can consume its counters.
 *
 * <p>The selector's value is {@code <domain>/<referrer namespace>/<referrer name>/<mac>}: the config's domain
 * ({@code <namespace>.<name>}), the RouteOption / VirtualHostOption that references it, and the first 128 bits of
 * HMAC-SHA256(key, domain LF referrer), base64url. The key is known only to the control plane and the service (a
 * random key per control-plane process, or {@code ratelimit.descriptorKeyFile}; standalone replicas receive it with
 * the rules). A selector the key did not sign — typed into an option's own actions, copied with another config's
 * name, or signed by an old key — selects nothing.
 *
 * <p>Object names cannot contain {@code /}, so the value splits unambiguously at its first and last {@code /}.
 * Thread-safe: each signature uses its own {@link Mac}; selectors that verified are remembered (at most
 * {@value #MAX_REMEMBERED}: there is one per config reference) so that the request path does not pay for the HMAC.
 */
@ThreadSafe
public final class ConfigGrants {

  private static final String ALGORITHM = "HmacSHA256";
  private static final int MAC_BYTES = 16;
  /** Bytes of a generated key. */
  public static final int KEY_BYTES = 32;

  static final int MAX_REMEMBERED = 10_000;

  private final byte[] key;
  /** Verified selector → its domain. Only what this key signed gets in; forged values are never remembered. */
  private final Map<String, String> verified = new ConcurrentHashMap<>();

  private ConfigGrants(byte[] key) {
    if (key.length < 16) {
      throw new IllegalArgumentException("the descriptor signing key needs at least 16 bytes, got " + key.length);
    }
    this.key = key.clone();
  }

  public static ConfigGrants of(byte[] key) {
    return new ConfigGrants(key);
  }

  public static ConfigGrants random() {
    byte[] key = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(key);
    return new ConfigGrants(key);
  }

  /** The key, base64, to hand to standalone replicas with the rules. */
  public String encodedKey() {
    return Base64.getEncoder().encodeToString(key);
  }

  public static ConfigGrants decode(String base64) {
    return new ConfigGrants(Base64.getDecoder().decode(base64));
  }

  /** The selector value that gives {@code domain} to the option {@code referrerNamespace/referrerName}. */
  public String grant(String domain, String referrerNamespace, String referrerName) {
    String referrer = referrerNamespace + "/" + referrerName;
    return domain + "/" + referrer + "/" + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(domain,
        referrer));
  }

  /** The domain a selector value grants, or null when this key did not sign it. */
  public String domainOf(String selector) {
    String known = verified.get(selector);
    if (known != null) {
      return known;
    }
    int first = selector.indexOf('/');
    int last = selector.lastIndexOf('/');
    if (first <= 0 || last <= first) {
      return null;
    }
    String domain = selector.substring(0, first);
    String referrer = selector.substring(first + 1, last);
    byte[] given;
    try {
      given = Base64.getUrlDecoder().decode(selector.substring(last + 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!MessageDigest.isEqual(given, mac(domain, referrer))) {
      return null;
    }
    if (verified.size() < MAX_REMEMBERED) {
      verified.put(selector, domain);
    }
    return domain;
  }

  private byte[] mac(String domain, String referrer) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      mac.update(domain.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) '\n');
      return Arrays.copyOf(mac.doFinal(referrer.getBytes(StandardCharsets.UTF_8)), MAC_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
