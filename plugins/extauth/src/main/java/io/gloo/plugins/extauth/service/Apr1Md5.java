package io.gloo.plugins.extauth.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Apache's APR1-MD5 password hash ({@code $apr1$SALT$HASH} in htpasswd files): MD5-crypt with the {@code $apr1$}
 * magic and 1000 rounds. Deliberately slow; stateless and thread-safe.
 */
public final class Apr1Md5 {

  private static final String MAGIC = "$apr1$";
  private static final char[] ITOA64 =
      "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private Apr1Md5() {}

  /** The 22-character hash (the part after {@code $apr1$SALT$}) of {@code password} with {@code salt}. */
  public static String hash(String password, String salt) {
    byte[] pw = password.getBytes(StandardCharsets.UTF_8);
    byte[] s = salt.getBytes(StandardCharsets.UTF_8);
    if (s.length > 8) {
      s = java.util.Arrays.copyOf(s, 8);
    }
    MessageDigest ctx = md5();
    ctx.update(pw);
    ctx.update(MAGIC.getBytes(StandardCharsets.US_ASCII));
    ctx.update(s);

    MessageDigest alt = md5();
    alt.update(pw);
    alt.update(s);
    alt.update(pw);
    byte[] fin = alt.digest();
    for (int left = pw.length; left > 0; left -= 16) {
      ctx.update(fin, 0, Math.min(left, 16));
    }
    for (int i = pw.length; i != 0; i >>>= 1) {
      if ((i & 1) != 0) {
        ctx.update((byte) 0);
      } else {
        ctx.update(pw[0]);
      }
    }
    fin = ctx.digest();

    MessageDigest round = md5();
    for (int i = 0; i < 1000; i++) {
      if ((i & 1) != 0) {
        round.update(pw);
      } else {
        round.update(fin);
      }
      if (i % 3 != 0) {
        round.update(s);
      }
      if (i % 7 != 0) {
        round.update(pw);
      }
      if ((i & 1) != 0) {
        round.update(fin);
      } else {
        round.update(pw);
      }
      fin = round.digest();
    }

    StringBuilder out = new StringBuilder(22);
    to64(out, (u(fin[0]) << 16) | (u(fin[6]) << 8) | u(fin[12]), 4);
    to64(out, (u(fin[1]) << 16) | (u(fin[7]) << 8) | u(fin[13]), 4);
    to64(out, (u(fin[2]) << 16) | (u(fin[8]) << 8) | u(fin[14]), 4);
    to64(out, (u(fin[3]) << 16) | (u(fin[9]) << 8) | u(fin[15]), 4);
    to64(out, (u(fin[4]) << 16) | (u(fin[10]) << 8) | u(fin[5]), 4);
    to64(out, u(fin[11]), 2);
    return out.toString();
  }

  /** Whether {@code password} hashes to {@code expectedHash}, compared in constant time. */
  public static boolean verify(String password, String salt, String expectedHash) {
    return MessageDigest.isEqual(hash(password, salt).getBytes(StandardCharsets.US_ASCII),
        expectedHash.getBytes(StandardCharsets.US_ASCII));
  }

  private static int u(byte b) {
    return b & 0xff;
  }

  private static void to64(StringBuilder out, int value, int n) {
    for (int i = 0; i < n; i++) {
      out.append(ITOA64[value & 0x3f]);
      value >>>= 6;
    }
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
