package io.gloo.plugins.extauth.service;

import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.plugins.extauth.compile.CompiledAuthConfig.ApiKeyEntry;
import io.gloo.plugins.extauth.model.ApiKeyAuth;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code apiKeyAuth}: the key in the configured header is hashed (SHA-256) and looked up by its digest; the found
 * digest is then compared with {@link MessageDigest#isEqual} (constant time), so neither the lookup nor the compare
 * reveals how much of a guessed key was right. Keys are only known as digests. Immutable; a rotated or deleted
 * Secret takes effect with the next compiled set (a new instance).
 */
@ThreadSafe
public final class ApiKeyAuthenticator implements Authenticator {

  private final String header;
  private final Map<String, ApiKeyEntry> byDigest;
  private final Map<String, ApiKeyAuth.MetadataEntry> headersFromMetadata;

  public ApiKeyAuthenticator(ApiKeyAuth spec, List<ApiKeyEntry> keys) {
    this.header = spec.header();
    Map<String, ApiKeyEntry> map = new HashMap<>();
    keys.forEach(k -> map.put(k.sha256(), k));
    this.byDigest = Map.copyOf(map);
    this.headersFromMetadata = spec.headersFromMetadataEntry == null ? Map.of() : Map.copyOf(spec.headersFromMetadataEntry);
  }

  @Override
  public CompletionStage<AuthResult> check(CheckContext request) {
    return CompletableFuture.completedFuture(decide(request));
  }

  private AuthResult decide(CheckContext request) {
    String key = request.header(header);
    if (key == null || key.isEmpty()) {
      return AuthResult.unauthorized("api_key_missing");
    }
    byte[] digest = sha256(key.trim().getBytes(StandardCharsets.UTF_8));
    String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    ApiKeyEntry entry = byDigest.get(encoded);
    if (entry == null
        || !MessageDigest.isEqual(digest, Base64.getUrlDecoder().decode(entry.sha256()))) {
      return AuthResult.unauthorized("api_key_invalid");
    }
    List<AuthResult.Header> headers = new ArrayList<>();
    for (Map.Entry<String, ApiKeyAuth.MetadataEntry> e : headersFromMetadata.entrySet()) {
      String value = entry.metadata().get(e.getValue().name);
      if (value == null) {
        if (Boolean.TRUE.equals(e.getValue().required)) {
          return AuthResult.unauthorized("api_key_metadata_missing");
        }
        continue;
      }
      headers.add(new AuthResult.Header(e.getKey(), value));
    }
    return AuthResult.ok("api_key", headers);
  }

  /** One digest per thread: {@code MessageDigest.getInstance} costs more than hashing a short key. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  private static byte[] sha256(byte[] value) {
    MessageDigest md = SHA256.get();
    md.reset();
    return md.digest(value);
  }
}
