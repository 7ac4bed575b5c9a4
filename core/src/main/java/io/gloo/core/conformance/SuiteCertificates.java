package io.gloo.core.conformance;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Self-signed and CA-signed X.509 certificates for the Secrets and ConfigMaps the conformance suite creates in Go code
 * (INDEX.json {@code secretsCreatedInCode}), made with {@code java.security} and a minimal DER writer: RSA 2048,
 * SHA256withRSA, v3 with key usage, extended key usage, basic constraints (CAs) and subject alternative names.
 * Keys are written as PKCS#1 {@code RSA PRIVATE KEY} PEM, as the suite's Go helpers do.
 */
public final class SuiteCertificates {

  private static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
  private static final Map<String, String> NAME_OIDS = Map.of("CN", "2.5.4.3", "O", "2.5.4.10", "C", "2.5.4.6");
  private static final Map<String, Integer> KEY_USAGE_BITS = Map.of("DigitalSignature", 0, "KeyEncipherment", 2,
      "CertSign", 5);
  private static final Map<String, String> EXT_KEY_USAGE_OIDS = Map.of("ServerAuth", "1.3.6.1.5.5.7.3.1",
      "ClientAuth", "1.3.6.1.5.5.7.3.2");

  private SuiteCertificates() {}

  /** A subject or issuer: ordered attribute type (CN, O, C) to values. */
  public record Name(List<String[]> attributes) {}

  /** What to put in a certificate. */
  public record Spec(Name subject, BigInteger serial, boolean ca, List<String> keyUsage, List<String> extKeyUsage,
      List<String> dnsSans, List<String> uriSans, int validityDays) {}

  /** A certificate and its key, PEM-encoded. */
  public record Issued(String certificatePem, String privateKeyPem, KeyPair keyPair, Name subject, byte[] der) {}

  /** Issues a certificate for a new RSA 2048 key, self-signed when {@code issuer} is null. */
  public static Issued issue(Spec spec, Issued issuer) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048, new SecureRandom());
      KeyPair keys = gen.generateKeyPair();
      Name issuerName = issuer == null ? spec.subject() : issuer.subject();
      PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.keyPair().getPrivate();
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).withNano(0);
      byte[] tbs = seq(
          tagged(0xA0, integer(BigInteger.TWO)),
          integer(spec.serial()),
          algorithm(),
          name(issuerName),
          seq(time(now.minusMinutes(5)), time(now.plusDays(spec.validityDays()))),
          name(spec.subject()),
          keys.getPublic().getEncoded(),
          tagged(0xA3, seq(extensions(spec))));
      Signature signer = Signature.getInstance("SHA256withRSA");
      signer.initSign(signingKey);
      signer.update(tbs);
      byte[] der = seq(tbs, algorithm(), bitString(signer.sign(), 0));
      return new Issued(pem("CERTIFICATE", der), pem("RSA PRIVATE KEY", pkcs1(keys.getPrivate().getEncoded())),
          keys, spec.subject(), der);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a test certificate", e);
    }
  }

  static Name name(Map<String, ?> fields) {
    List<String[]> attrs = new ArrayList<>();
    for (String type : List.of("C", "O", "CN")) {
      Object v = fields.get(type);
      if (v instanceof String s) {
        attrs.add(new String[] {type, s});
      } else if (v instanceof List<?> list) {
        list.forEach(x -> attrs.add(new String[] {type, String.valueOf(x)}));
      }
    }
    return new Name(attrs);
  }

  private static byte[][] extensions(Spec spec) {
    List<byte[]> exts = new ArrayList<>();
    if (spec.ca()) {
      exts.add(extension("2.5.29.19", true, seq(new byte[] {0x01, 0x01, (byte) 0xFF})));
    }
    if (!spec.keyUsage().isEmpty()) {
      int bits = 0;
      for (String u : spec.keyUsage()) {
        Integer bit = KEY_USAGE_BITS.get(u);
        if (bit != null) {
          bits |= 0x80 >> bit;
        }
      }
      exts.add(extension("2.5.29.15", true, bitString(new byte[] {(byte) bits}, Integer.numberOfTrailingZeros(bits))));
    }
    if (!spec.extKeyUsage().isEmpty()) {
      List<byte[]> oids = new ArrayList<>();
      spec.extKeyUsage().stream().map(EXT_KEY_USAGE_OIDS::get).filter(o -> o != null).forEach(o -> oids.add(oid(o)));
      exts.add(extension("2.5.29.37", false, seq(oids.toArray(byte[][]::new))));
    }
    if (!spec.dnsSans().isEmpty() || !spec.uriSans().isEmpty()) {
      List<byte[]> names = new ArrayList<>();
      spec.dnsSans().forEach(d -> names.add(tlv(0x82, d.getBytes(StandardCharsets.US_ASCII))));
      spec.uriSans().forEach(u -> names.add(tlv(0x86, u.getBytes(StandardCharsets.US_ASCII))));
      exts.add(extension("2.5.29.17", false, seq(names.toArray(byte[][]::new))));
    }
    return exts.toArray(byte[][]::new);
  }

  private static byte[] extension(String oid, boolean critical, byte[] value) {
    return critical ? seq(oid(oid), new byte[] {0x01, 0x01, (byte) 0xFF}, tlv(0x04, value))
        : seq(oid(oid), tlv(0x04, value));
  }

  private static byte[] algorithm() {
    return seq(oid(SHA256_WITH_RSA), new byte[] {0x05, 0x00});
  }

  private static byte[] name(Name name) {
    List<byte[]> rdns = new ArrayList<>();
    for (String[] a : name.attributes()) {
      // countryName is a PrintableString; the rest UTF8String
      byte[] value = a[0].equals("C") ? tlv(0x13, a[1].getBytes(StandardCharsets.US_ASCII))
          : tlv(0x0C, a[1].getBytes(StandardCharsets.UTF_8));
      rdns.add(tlv(0x31, seq(oid(NAME_OIDS.get(a[0])), value)));
    }
    return seq(rdns.toArray(byte[][]::new));
  }

  private static byte[] time(ZonedDateTime t) {
    // UTCTime for years before 2050, GeneralizedTime after (RFC 5280 4.1.2.5)
    if (t.getYear() < 2050) {
      return tlv(0x17, t.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII));
    }
    return tlv(0x18, t.format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] integer(BigInteger v) {
    return tlv(0x02, v.toByteArray());
  }

  private static byte[] bitString(byte[] bits, int unused) {
    byte[] content = new byte[bits.length + 1];
    content[0] = (byte) unused;
    System.arraycopy(bits, 0, content, 1, bits.length);
    return tlv(0x03, content);
  }

  static byte[] oid(String dotted) {
    String[] parts = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
    for (int i = 2; i < parts.length; i++) {
      long v = Long.parseLong(parts[i]);
      byte[] tmp = new byte[10];
      int n = 0;
      do {
        tmp[n++] = (byte) (v & 0x7F);
        v >>= 7;
      } while (v > 0);
      for (int j = n - 1; j >= 0; j--) {
        out.write(tmp[j] | (j > 0 ? 0x80 : 0));
      }
    }
    return tlv(0x06, out.toByteArray());
  }

  private static byte[] seq(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  private static byte[] tagged(int tag, byte[] content) {
    return tlv(tag, content);
  }

  static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else {
      byte[] l = BigInteger.valueOf(len).toByteArray();
      int start = l[0] == 0 ? 1 : 0;
      out.write(0x80 | (l.length - start));
      out.write(l, start, l.length - start);
    }
    out.write(content, 0, content.length);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p, 0, p.length);
    }
    return out.toByteArray();
  }

  /** The PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: SEQ { INTEGER, SEQ algorithm, OCTET STRING key }. */
  static byte[] pkcs1(byte[] pkcs8) {
    int[] pos = {0};
    header(pkcs8, pos, 0x30);
    int versionLen = header(pkcs8, pos, 0x02);
    pos[0] += versionLen;
    int algLen = header(pkcs8, pos, 0x30);
    pos[0] += algLen;
    int keyLen = header(pkcs8, pos, 0x04);
    return Arrays.copyOfRange(pkcs8, pos[0], pos[0] + keyLen);
  }

  /** Reads a tag and length at pos (advancing past them) and returns the content length. */
  private static int header(byte[] der, int[] pos, int expectedTag) {
    if ((der[pos[0]++] & 0xFF) != expectedTag) {
      throw new IllegalArgumentException("unexpected DER tag at " + (pos[0] - 1));
    }
    int len = der[pos[0]++] & 0xFF;
    if (len >= 0x80) {
      int n = len & 0x7F;
      len = 0;
      for (int i = 0; i < n; i++) {
        len = (len << 8) | (der[pos[0]++] & 0xFF);
      }
    }
    return len;
  }

  static String pem(String type, byte[] der) {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
  }
}
