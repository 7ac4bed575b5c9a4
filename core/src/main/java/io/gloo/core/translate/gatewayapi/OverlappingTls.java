package io.gloo.core.translate.gatewayapi;

import java.util.List;

/**
 * The listener condition {@code OverlappingTLSConfig} (reason {@code OverlappingHostnames}): among the HTTPS listeners
 * of one port, two whose hostnames overlap, one covering the other ({@code *.example.com} and
 * {@code foo.example.com}). A listener without a hostname matches every host, so it overlaps every listener of the
 * port that has one. Listeners with the same hostname are already Conflicted (HostnameConflict) and are not marked
 * again; listeners with an unsupported protocol or an invalid port or hostname take no part. The spec makes
 * detecting overlapping certificates optional; it is not done here.
 */
final class OverlappingTls {

  private OverlappingTls() {}

  /** Marks every pair of overlapping HTTPS listeners among {@code samePort} (listeners sharing one port). */
  static void mark(List<ListenerContext> samePort) {
    for (ListenerContext a : samePort) {
      for (ListenerContext b : samePort) {
        if (a != b && takesPart(a) && takesPart(b) && overlap(a.hostname, b.hostname)) {
          a.overlappingHostnames.add(b.name);
        }
      }
    }
  }

  private static boolean takesPart(ListenerContext l) {
    return GatewayApi.PROTOCOL_HTTPS.equals(l.protocol()) && l.unsupportedReason == null && l.invalidReason == null;
  }

  /** Whether one hostname (null: any host) covers the other, the two being different. */
  static boolean overlap(String a, String b) {
    if (a == null && b == null) {
      return false; // the same "hostname": a HostnameConflict, not an overlap
    }
    if (a != null && b != null && a.equalsIgnoreCase(b)) {
      return false;
    }
    return Hostnames.moreSpecific(a, b) || Hostnames.moreSpecific(b, a);
  }
}
