package io.gloo.core.admin;

import com.google.errorprone.annotations.ThreadSafe;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Who may read which admin endpoint. The probes ({@code /healthz}, {@code /readyz}) and {@code /metrics} are open on
 * every address the admin listener binds, so the kubelet and Prometheus reach them on the pod address. Everything
 * else (the dumps: {@code /snapshots}, {@code /statuses}, {@code /plugins/...}, {@code /route-check}, and any unknown
 * path) shows the topology, so it is served:
 *
 * <ul>
 *   <li>always to a client on 127.0.0.1 or ::1 (the same host, or the same pod: {@code kubectl port-forward} too);
 *   <li>to other clients only when {@code --admin-bind} widens the dumps beyond loopback — to the wildcard address or
 *       to the local address the connection arrived on — and then only with {@code Authorization: Bearer <token>},
 *       the token read once at start from {@code --admin-token-file}.
 * </ul>
 *
 * <p>Widening without a token file is refused at start ({@link #of}): the dumps are never open to the network without
 * authentication. The token is never logged or echoed. Immutable after construction.
 */
@ThreadSafe
public final class AdminAccess {

  /** The endpoints served to anyone who reaches the admin port. */
  static final Set<String> OPEN_PATHS = Set.of("/healthz", "/readyz", "/metrics");
  private static final InetAddress LOCALHOST_V4 = literal(new byte[] {127, 0, 0, 1});
  private static final InetAddress LOCALHOST_V6 = literal(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  /** Shorter tokens are refused: they could be guessed. */
  static final int MIN_TOKEN_LENGTH = 16;

  /** What a request gets. */
  public enum Decision {
    ALLOW,
    /** 403: the dumps are not served on this address at all (a token would not help). */
    NOT_ON_THIS_ADDRESS,
    /** 401: the dumps are served here, with the bearer token, which was missing or wrong. */
    TOKEN_REQUIRED
  }

  private final InetAddress dumpBind;
  private final byte[] token;

  private AdminAccess(InetAddress dumpBind, byte[] token) {
    this.dumpBind = dumpBind;
    this.token = token;
  }

  /** The default: dumps on loopback only. */
  public static AdminAccess loopbackOnly() {
    return new AdminAccess(InetAddress.getLoopbackAddress(), null);
  }

  /**
   * @param dumpBind an IP address: where the dumps are served besides loopback (loopback: nowhere else; the wildcard
   *     address: on every address of the admin listener; else only on connections to that local address)
   * @param tokenFile a file holding the bearer token (surrounding whitespace ignored); required unless
   *     {@code dumpBind} is loopback
   * @throws IllegalArgumentException with a one-line message for the user when the address does not parse, the
   *     dumps are widened without a token file, or the file is unreadable or its token too short
   */
  public static AdminAccess of(String dumpBind, Path tokenFile) {
    InetAddress address;
    try {
      // an IP literal only: a host name would need a DNS lookup at start, and could change under us
      if (!dumpBind.matches("[0-9.]+|[0-9A-Fa-f:.%]*:[0-9A-Fa-f:.%]*")) {
        throw new UnknownHostException(dumpBind);
      }
      address = InetAddress.getByName(dumpBind);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--admin-bind " + dumpBind + " is not an IP address");
    }
    if (address.isLoopbackAddress() && tokenFile == null) {
      return new AdminAccess(address, null);
    }
    if (tokenFile == null) {
      throw new IllegalArgumentException("--admin-bind " + dumpBind + " serves the admin dumps beyond loopback:"
          + " give --admin-token-file FILE (a bearer token of at least " + MIN_TOKEN_LENGTH + " characters)");
    }
    String text;
    try {
      text = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException("--admin-token-file " + tokenFile + " cannot be read: "
          + e.getClass().getSimpleName());
    }
    if (text.length() < MIN_TOKEN_LENGTH || text.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("--admin-token-file " + tokenFile + " must hold one token of at least "
          + MIN_TOKEN_LENGTH + " characters without blanks");
    }
    return new AdminAccess(address, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether the dumps may be served beyond loopback at all. */
  public boolean widened() {
    return !dumpBind.isLoopbackAddress();
  }

  /**
   * @param path the request's decoded path
   * @param local the local address the connection arrived on
   * @param remote the client's address
   * @param authorization the {@code Authorization} header, or null
   */
  public Decision check(String path, InetAddress local, InetAddress remote, String authorization) {
    if (isOpen(path) || isLocalClient(remote)) {
      return Decision.ALLOW;
    }
    if (!widened() || !(dumpBind.isAnyLocalAddress() || dumpBind.equals(local))) {
      return Decision.NOT_ON_THIS_ADDRESS;
    }
    return tokenMatches(authorization) ? Decision.ALLOW : Decision.TOKEN_REQUIRED;
  }

  /**
   * 127.0.0.1 or ::1: a client on this host or in this pod ({@code kubectl port-forward} connects from 127.0.0.1).
   * Not the rest of 127/8: a sidecar proxy may forward remote clients from there (Istio uses 127.0.0.6), and they
   * must not pass as local.
   */
  static boolean isLocalClient(InetAddress remote) {
    return remote.equals(LOCALHOST_V4) || remote.equals(LOCALHOST_V6);
  }

  static boolean isOpen(String path) {
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return OPEN_PATHS.contains(p);
  }

  private boolean tokenMatches(String authorization) {
    if (token == null || authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(token, given); // constant time: the token is not guessed byte by byte
  }

  private static InetAddress literal(byte[] address) {
    try {
      return InetAddress.getByAddress(address);
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // only for a wrong length
    }
  }

  @Override
  public String toString() {
    return widened() ? "dumps on " + dumpBind.getHostAddress() + " with a bearer token, and on loopback"
        : "dumps on loopback only";
  }
}
