package io.gloo.plugins.extauth.service;

import com.google.errorprone.annotations.ThreadSafe;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.gloo.plugins.extauth.compile.AuthConfigCompiler;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Verifies a JWS-signed JWT against a JWKS. The key decides the algorithm, never the token: RSA keys accept only
 * RS256/384/512 and PS256/384/512, EC keys only the ES algorithm of their curve, and a key's own {@code alg}, when
 * set, must match exactly. Symmetric ({@code oct}) keys are never used, so a token "signed" with HMAC over the RSA
 * public key (the RS256→HS256 confusion) finds no key; {@code alg: none} is not a JWS and fails to parse. Then
 * issuer, audiences, expiry and not-before (with a small clock skew). Thread-safe.
 */
@ThreadSafe
public final class JwtValidator {

  /** Tolerated clock difference between the issuer and us. */
  public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
  private static final long SKEW_MILLIS = CLOCK_SKEW.toMillis();

  private static final Set<JWSAlgorithm> RSA_ALGS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
      JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);

  /** How long a verified signature is remembered (Envoy's jwt_authn caches verified tokens the same way). */
  public static final Duration VERIFIED_TTL = Duration.ofSeconds(30);

  private final JwksSource keys;
  private final String issuer;
  private final List<String> audiences;
  private final Clock clock;
  /**
   * Tokens whose signature verified, by SHA-256 of the token, with the key set that verified them. A hit is used
   * only while that same key set is current (a rotation or removal re-verifies), and time claims are re-checked on
   * every use; only successes are cached.
   */
  private final Cache<String, Verified> verified;
  private final boolean requireExpiration;

  private record Verified(JWKSet keys, SignedJWT jwt) {}

  public JwtValidator(JwksSource keys, String issuer, List<String> audiences, Clock clock) {
    this(keys, issuer, audiences, clock, VERIFIED_TTL, true);
  }

  public JwtValidator(JwksSource keys, String issuer, List<String> audiences, Clock clock, Duration verifiedTtl) {
    this(keys, issuer, audiences, clock, verifiedTtl, true);
  }

  /**
   * @param verifiedTtl zero disables the verified-token cache
   * @param requireExpiration refuse tokens without {@code exp} (they would never expire)
   */
  public JwtValidator(JwksSource keys, String issuer, List<String> audiences, Clock clock, Duration verifiedTtl,
      boolean requireExpiration) {
    this.requireExpiration = requireExpiration;
    this.keys = keys;
    this.issuer = issuer == null || issuer.isEmpty() ? null : issuer;
    this.audiences = audiences == null ? List.of() : List.copyOf(audiences);
    this.clock = clock;
    // upkeep (expiry, eviction) on the calling thread, a little per call: handing it to the common pool woke a pool
    // thread on nearly every put of a new token, a system call on the request path
    this.verified = verifiedTtl.isZero() ? null
        : Caffeine.newBuilder().expireAfterWrite(verifiedTtl).maximumSize(100_000).executor(Runnable::run).build();
  }

  /** The outcome: claims, or a failure reason code (never containing the token). */
  public record Outcome(JWTClaimsSet claims, String failure) {
    static Outcome fail(String reason) {
      return new Outcome(null, reason);
    }
  }

  public CompletionStage<Outcome> validate(String token) {
    String cacheKey = null;
    if (verified != null) {
      cacheKey = AuthConfigCompiler.sha256(token.getBytes(StandardCharsets.UTF_8));
      Verified hit = verified.getIfPresent(cacheKey);
      if (hit != null && hit.keys() == keys.cached()) {
        return CompletableFuture.completedFuture(checkClaims(hit.jwt()));
      }
    }
    String key = cacheKey;
    return parseAndVerify(token).thenApply(result -> {
      if (key != null && result.outcome().claims() != null) {
        verified.put(key, new Verified(result.keys(), result.jwt()));
      }
      return result.outcome();
    });
  }

  private record Attempt(Outcome outcome, JWKSet keys, SignedJWT jwt) {}

  private CompletionStage<Attempt> parseAndVerify(String token) {
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException | IllegalArgumentException e) {
      return CompletableFuture.completedFuture(new Attempt(Outcome.fail("jwt_malformed"), null, null));
    }
    JWSHeader header = jwt.getHeader();
    if (header.getAlgorithm() == null || "none".equalsIgnoreCase(header.getAlgorithm().getName())) {
      return CompletableFuture.completedFuture(new Attempt(Outcome.fail("jwt_alg_none"), null, null));
    }
    JWKSet current = keys.cached();
    if (current != null && (header.getKeyID() == null || index(current).byKid.containsKey(header.getKeyID()))) {
      return CompletableFuture.completedFuture(new Attempt(verify(jwt, current), current, jwt));
    }
    CompletionStage<JWKSet> next = current == null ? keys.keys() : keys.refreshForUnknownKid();
    return next.handle((set, error) -> {
      if (set == null) {
        return new Attempt(Outcome.fail("jwks_unavailable"), null, null);
      }
      if (header.getKeyID() != null && !index(set).byKid.containsKey(header.getKeyID())) {
        return new Attempt(Outcome.fail("jwt_unknown_kid"), set, null);
      }
      return new Attempt(verify(jwt, set), set, jwt);
    });
  }

  /**
   * A key set's keys by id and their verifiers, built once per set (a JWKS fetch): a token then costs one map lookup
   * for its key instead of scanning the set twice and a lookup in a weak-keyed cache of verifiers.
   */
  private static final class KeyIndex {
    final JWKSet set;
    /** The first key of each id, as {@link JWKSet#getKeyByKeyId} finds it. */
    final Map<String, JWK> byKid = new HashMap<>();
    final Map<JWK, JWSVerifier> verifiers = new IdentityHashMap<>();

    KeyIndex(JWKSet set) {
      this.set = set;
      for (JWK key : set.getKeys()) {
        if (key.getKeyID() != null) {
          byKid.putIfAbsent(key.getKeyID(), key);
        }
        VERIFIERS.get(key, JwtValidator::newVerifier).ifPresent(v -> verifiers.put(key, v));
      }
    }
  }

  /** The last key set's index; rebuilt when the source hands out another set. */
  private volatile KeyIndex index;

  private KeyIndex index(JWKSet set) {
    KeyIndex i = index;
    if (i == null || i.set != set) {
      i = new KeyIndex(set);
      index = i;
    }
    return i;
  }

  private Outcome verify(SignedJWT jwt, JWKSet set) {
    JWSHeader header = jwt.getHeader();
    KeyIndex keyIndex = index(set);
    List<JWK> candidates;
    if (header.getKeyID() != null) {
      JWK key = keyIndex.byKid.get(header.getKeyID());
      candidates = key == null ? List.of() : List.of(key);
    } else {
      candidates = set.getKeys();
    }
    boolean anyCompatible = false;
    for (JWK key : candidates) {
      JWSVerifier verifier = mayVerify(key, header.getAlgorithm()) ? keyIndex.verifiers.get(key) : null;
      if (verifier == null) {
        continue;
      }
      anyCompatible = true;
      try {
        if (jwt.verify(verifier)) {
          return checkClaims(jwt);
        }
      } catch (JOSEException e) {
        // a key/algorithm mismatch the checks above did not catch: treat as not verified
      }
    }
    return Outcome.fail(anyCompatible ? "jwt_bad_signature" : "jwt_no_key_for_alg");
  }

  /** A verifier if {@code key} may verify {@code alg}; null otherwise. */
  static JWSVerifier verifierFor(JWK key, JWSAlgorithm alg) {
    return mayVerify(key, alg) ? VERIFIERS.get(key, JwtValidator::newVerifier).orElse(null) : null;
  }

  /** Whether {@code key} may verify {@code alg}: a signing key of the algorithm's family, and its own alg if set. */
  private static boolean mayVerify(JWK key, JWSAlgorithm alg) {
    if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
      return false;
    }
    if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(alg.getName())) {
      return false;
    }
    return key instanceof RSAKey && RSA_ALGS.contains(alg)
        || key instanceof ECKey ec && alg.equals(esFor(ec.getCurve()));
  }

  /**
   * Verifiers by key object (identity: a JWKS's keys are parsed once per fetch): building one decodes the key's
   * numbers into a public key, which cost more than the signature check itself. Neither holds a secret.
   */
  private static final Cache<JWK, java.util.Optional<JWSVerifier>> VERIFIERS = Caffeine.newBuilder().weakKeys()
      .maximumSize(10_000).build();

  private static java.util.Optional<JWSVerifier> newVerifier(JWK key) {
    try {
      if (key instanceof RSAKey rsa) {
        return java.util.Optional.of(new RSASSAVerifier(rsa.toRSAPublicKey()));
      }
      if (key instanceof ECKey ec) {
        return java.util.Optional.of(new ECDSAVerifier(ec.toECPublicKey()));
      }
    } catch (JOSEException e) {
      // an unusable key verifies nothing
    }
    return java.util.Optional.empty();
  }

  private static JWSAlgorithm esFor(Curve curve) {
    if (Curve.P_256.equals(curve)) {
      return JWSAlgorithm.ES256;
    }
    if (Curve.P_384.equals(curve)) {
      return JWSAlgorithm.ES384;
    }
    if (Curve.P_521.equals(curve)) {
      return JWSAlgorithm.ES512;
    }
    return null;
  }

  private Outcome checkClaims(SignedJWT jwt) {
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return Outcome.fail("jwt_malformed");
    }
    long now = clock.millis();
    Date exp = claims.getExpirationTime();
    if (exp == null && requireExpiration) {
      return Outcome.fail("jwt_no_expiry");
    }
    if (exp != null && now - SKEW_MILLIS > exp.getTime()) {
      return Outcome.fail("jwt_expired");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now + SKEW_MILLIS < nbf.getTime()) {
      return Outcome.fail("jwt_not_yet_valid");
    }
    if (issuer != null && !issuer.equals(claims.getIssuer())) {
      return Outcome.fail("jwt_wrong_issuer");
    }
    if (!audiences.isEmpty() && !anyAudience(claims.getAudience())) {
      return Outcome.fail("jwt_wrong_audience");
    }
    return new Outcome(claims, null);
  }

  private boolean anyAudience(List<String> aud) {
    if (aud != null) {
      for (String a : aud) {
        if (audiences.contains(a)) {
          return true;
        }
      }
    }
    return false;
  }
}
