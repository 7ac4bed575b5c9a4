package io.gloo.core.translate.gatewayapi;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Hostname intersection between a listener and a route, as the Gateway API defines it: a wildcard
 * {@code *.example.com} matches any host with at least one more label ({@code a.example.com},
 * {@code a.b.example.com}) but not {@code example.com}; the more specific of two matching names is the result.
 */
final class Hostnames {

  static final String ANY = "*";

  private Hostnames() {}

  /**
   * The Envoy domains a route contributes under a listener, or an empty list when they do not intersect.
   *
   * @param listenerHostname the listener's hostname, or null for any
   * @param routeHostnames the route's hostnames (empty for any)
   */
  static List<String> intersect(String listenerHostname, List<String> routeHostnames) {
    String listener = normalize(listenerHostname);
    if (routeHostnames == null || routeHostnames.isEmpty()) {
      return List.of(listener == null ? ANY : listener);
    }
    Set<String> result = new LinkedHashSet<>();
    for (String raw : routeHostnames) {
      String route = normalize(raw);
      if (route == null) {
        continue;
      }
      if (listener == null) {
        result.add(route);
      } else if (route.equals(listener)) {
        result.add(route);
      } else if (matches(listener, route)) {
        result.add(route);
      } else if (matches(route, listener)) {
        result.add(listener);
      }
    }
    return new ArrayList<>(result);
  }

  /** Whether {@code pattern} (possibly a wildcard) covers {@code host} (possibly a narrower wildcard). */
  static boolean matches(String pattern, String host) {
    if (!pattern.startsWith("*.")) {
      return pattern.equals(host);
    }
    String suffix = pattern.substring(1); // ".example.com"
    if (host.startsWith("*.")) {
      // a wildcard is covered by a broader wildcard: *.a.example.com by *.example.com
      return host.length() > pattern.length() && host.endsWith(suffix);
    }
    return host.length() > suffix.length() && host.endsWith(suffix);
  }

  /**
   * Whether listener hostname {@code narrower} is strictly more specific than {@code broader} and within it (null
   * is any host): requests for its hosts belong to it, not to the broader listener (listener isolation).
   */
  static boolean moreSpecific(String narrower, String broader) {
    String n = normalize(narrower);
    String b = normalize(broader);
    if (n == null) {
      return false;
    }
    return b == null || (!n.equals(b) && matches(b, n));
  }

  /**
   * Whether some other hostname can be {@link #moreSpecific} than this one: it is unset (any host) or a wildcard.
   * A cheap test that lets callers skip pairwise comparisons on ports where every listener names one host.
   */
  static boolean broad(String hostname) {
    return hostname == null || hostname.isBlank() || hostname.trim().startsWith("*.");
  }

  /** Whether listener hostname {@code listenerHostname} (null: any) covers {@code domain}, itself included. */
  static boolean covers(String listenerHostname, String domain) {
    String l = normalize(listenerHostname);
    String d = normalize(domain);
    return l == null || l.equals(d) || (d != null && matches(l, d));
  }

  private static String normalize(String hostname) {
    if (hostname == null || hostname.isBlank()) {
      return null;
    }
    return hostname.trim().toLowerCase(Locale.ROOT);
  }
}
