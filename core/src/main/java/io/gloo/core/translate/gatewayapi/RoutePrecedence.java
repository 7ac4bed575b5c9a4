package io.gloo.core.translate.gatewayapi;

import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.RouteMatchIR;
import io.gloo.core.ir.RouteSource;
import java.util.Comparator;

/**
 * The Gateway API's route precedence, which Envoy cannot infer (it takes the first matching route in order):
 * exact path, then the longest prefix (regular expressions, whose precedence is implementation-specific, rank
 * between the two by pattern length), then a method match, then more header matches, then more query-parameter
 * matches, then the oldest route, then the route's namespace/name, then rule and match order.
 */
final class RoutePrecedence {

  /** A route with the ordering facts of the HTTPRoute it came from. */
  record Entry(RouteIR route, String creationTimestamp) {}

  /**
   * Written out by hand rather than as a {@code Comparator.comparing(...).thenComparing(...)} chain: sorting the
   * routes of a large virtual host compares each pair through most of the keys, and the chain's lambdas box every
   * int. Same keys, same order.
   */
  static final Comparator<Entry> ORDER = RoutePrecedence::compare;

  private static int compare(Entry a, Entry b) {
    RouteMatchIR ma = a.route().match();
    RouteMatchIR mb = b.route().match();
    int c = Integer.compare(pathRank(ma.path().kind()), pathRank(mb.path().kind()));
    if (c != 0) {
      return c;
    }
    c = Integer.compare(-ma.path().value().length(), -mb.path().value().length()); // longer first
    if (c != 0) {
      return c;
    }
    c = Integer.compare(ma.method() == null ? 1 : 0, mb.method() == null ? 1 : 0); // with a method first
    if (c != 0) {
      return c;
    }
    c = Integer.compare(-ma.headers().size(), -mb.headers().size()); // more headers first
    if (c != 0) {
      return c;
    }
    c = Integer.compare(-ma.queryParams().size(), -mb.queryParams().size()); // more query params first
    if (c != 0) {
      return c;
    }
    c = nullToEmpty(a.creationTimestamp()).compareTo(nullToEmpty(b.creationTimestamp())); // oldest first
    if (c != 0) {
      return c;
    }
    RouteSource sa = a.route().source();
    RouteSource sb = b.route().source();
    c = nullToEmpty(sa.route().namespace()).compareTo(nullToEmpty(sb.route().namespace()));
    if (c != 0) {
      return c;
    }
    c = sa.route().name().compareTo(sb.route().name());
    if (c != 0) {
      return c;
    }
    c = Integer.compare(sa.rule(), sb.rule());
    if (c != 0) {
      return c;
    }
    return Integer.compare(sa.match(), sb.match());
  }

  private RoutePrecedence() {}

  private static int pathRank(RouteMatchIR.PathKind kind) {
    return switch (kind) {
      case EXACT -> 0;
      case REGEX -> 1;
      case PREFIX, STRING_PREFIX -> 2;
    };
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
