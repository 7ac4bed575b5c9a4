package io.gloo.plugins.extauth.service;

import com.google.errorprone.annotations.ThreadSafe;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.util.Base64;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;

/**
 * Cookie values as compact JWE ({@code dir} + {@code A256GCM}): encrypted, and authenticated by GCM's tag, so a
 * cookie can neither be read nor altered by the browser. The payload names its purpose ({@code typ}) so a state
 * cookie is never accepted as a session. Thread-safe.
 */
@ThreadSafe
public final class SessionCodec {

  private final SecretKeySpec key;

  /** @param base64urlKey a 256-bit key, base64url */
  public SessionCodec(String base64urlKey) {
    byte[] raw = Base64.getUrlDecoder().decode(base64urlKey);
    if (raw.length != 32) {
      throw new IllegalArgumentException("session key must be 256 bits");
    }
    this.key = new SecretKeySpec(raw, "AES");
  }

  public String seal(String purpose, Map<String, Object> claims) {
    Map<String, Object> payload = new java.util.LinkedHashMap<>(claims);
    payload.put("typ", purpose);
    JWEObject jwe = new JWEObject(new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A256GCM),
        new Payload(JSONObjectUtils.toJSONString(payload)));
    try {
      jwe.encrypt(new DirectEncrypter(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot encrypt a cookie", e);
    }
    return jwe.serialize();
  }

  /** The claims of a cookie sealed for {@code purpose}, or null when it is not one (tampered, other key, other use). */
  public Map<String, Object> open(String purpose, String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      JWEObject jwe = JWEObject.parse(value);
      if (!JWEAlgorithm.DIR.equals(jwe.getHeader().getAlgorithm())
          || !EncryptionMethod.A256GCM.equals(jwe.getHeader().getEncryptionMethod())) {
        return null;
      }
      jwe.decrypt(new DirectDecrypter(key));
      Map<String, Object> claims = JSONObjectUtils.parse(jwe.getPayload().toString());
      return purpose.equals(claims.get("typ")) ? claims : null;
    } catch (ParseException | JOSEException | IllegalStateException e) {
      return null;
    }
  }
}
