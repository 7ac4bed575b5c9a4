package io.gloo.core.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.admin.AdminAccess.Decision;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin access rules at the handler level, with any addresses (AdminServerTest checks them over real sockets
 * where this host has a non-loopback address).
 */
class AdminAccessTest {

  private static final String TOKEN = "s3cr3t-token-0123456789";
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  @TempDir
  Path dir;

  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  private Path tokenFile(String content) throws Exception {
    return Files.writeString(dir.resolve("token"), content);
  }

  @Test
  void byDefaultTheDumpsAreForLoopbackOnlyAndTheProbesAndMetricsForAnyone() throws Exception {
    AdminAccess access = AdminAccess.loopbackOnly();
    assertFalse(access.widened());
    InetAddress pod = ip("10.1.2.3");
    InetAddress peer = ip("10.9.9.9");
    for (String open : new String[] {"/healthz", "/readyz", "/metrics", "/healthz/"}) {
      assertEquals(Decision.ALLOW, access.check(open, pod, peer, null), open);
    }
    for (String dump : new String[] {"/snapshots", "/statuses", "/route-check", "/plugins", "/plugins/x/y",
        "/unknown", "/metricsx"}) {
      assertEquals(Decision.NOT_ON_THIS_ADDRESS, access.check(dump, pod, peer, "Bearer " + TOKEN), dump);
      assertEquals(Decision.ALLOW, access.check(dump, LOOPBACK, LOOPBACK, null), dump);
    }
    assertEquals(AdminAccess.loopbackOnly().toString(), AdminAccess.of("127.0.0.1", null).toString());
    assertEquals(Decision.ALLOW, access.check("/statuses", ip("::1"), ip("::1"), null));
    // a sidecar forwarding remote clients from another loopback address (Istio: 127.0.0.6) does not pass as local
    assertEquals(Decision.NOT_ON_THIS_ADDRESS, access.check("/statuses", LOOPBACK, ip("127.0.0.6"), null));
  }

  @Test
  void widenedDumpsNeedTheBearerTokenBeyondLoopback() throws Exception {
    AdminAccess access = AdminAccess.of("0.0.0.0", tokenFile("  " + TOKEN + "\n"));
    assertTrue(access.widened());
    InetAddress pod = ip("10.1.2.3");
    InetAddress peer = ip("10.9.9.9");
    assertEquals(Decision.TOKEN_REQUIRED, access.check("/statuses", pod, peer, null));
    assertEquals(Decision.TOKEN_REQUIRED, access.check("/statuses", pod, peer, "Bearer wrong-token-0123456789"));
    assertEquals(Decision.TOKEN_REQUIRED, access.check("/statuses", pod, peer, "Basic " + TOKEN));
    assertEquals(Decision.TOKEN_REQUIRED, access.check("/statuses", pod, peer, "Bearer " + TOKEN + "x"));
    assertEquals(Decision.ALLOW, access.check("/statuses", pod, peer, "Bearer " + TOKEN));
    assertEquals(Decision.ALLOW, access.check("/statuses", pod, peer, "bearer " + TOKEN));
    assertEquals(Decision.ALLOW, access.check("/statuses", LOOPBACK, LOOPBACK, null), "loopback needs no token");
    assertEquals(Decision.ALLOW, access.check("/healthz", pod, peer, null));
    assertFalse(access.toString().contains(TOKEN), "the token is never shown");
  }

  @Test
  void aSpecificAddressServesTheDumpsOnlyOnConnectionsToIt() throws Exception {
    AdminAccess access = AdminAccess.of("10.1.2.3", tokenFile(TOKEN));
    InetAddress peer = ip("10.9.9.9");
    assertEquals(Decision.ALLOW, access.check("/snapshots", ip("10.1.2.3"), peer, "Bearer " + TOKEN));
    assertEquals(Decision.NOT_ON_THIS_ADDRESS, access.check("/snapshots", ip("192.168.0.7"), peer,
        "Bearer " + TOKEN));
  }

  @Test
  void wideningWithoutAUsableTokenIsRefusedWithOneLine() throws Exception {
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> AdminAccess.of("0.0.0.0",
        null));
    assertTrue(none.getMessage().contains("--admin-token-file"), none.getMessage());
    IllegalArgumentException shortToken = assertThrows(IllegalArgumentException.class,
        () -> AdminAccess.of("0.0.0.0", tokenFile("short")));
    assertTrue(shortToken.getMessage().contains("at least 16"), shortToken.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> AdminAccess.of("0.0.0.0", dir.resolve("absent")));
    assertTrue(missing.getMessage().contains("cannot be read"), missing.getMessage());
    IllegalArgumentException twoWords = assertThrows(IllegalArgumentException.class,
        () -> AdminAccess.of("0.0.0.0", tokenFile(TOKEN + " " + TOKEN)));
    assertTrue(twoWords.getMessage().contains("without blanks"), twoWords.getMessage());
    IllegalArgumentException badAddress = assertThrows(IllegalArgumentException.class,
        () -> AdminAccess.of("not an address", null));
    assertTrue(badAddress.getMessage().startsWith("--admin-bind"), badAddress.getMessage());
    for (IllegalArgumentException e : new IllegalArgumentException[] {none, shortToken, missing, twoWords,
        badAddress}) {
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
    // loopback with a token file: fine (the token is then unused but harmless)
    assertFalse(AdminAccess.of("::1", tokenFile(TOKEN)).widened());
  }
}
