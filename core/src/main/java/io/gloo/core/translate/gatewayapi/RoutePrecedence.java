package io.gloo.core.translate.gatewayapi;

import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.RouteMatchIR;
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

  static final Comparator<Entry> ORDER = Comparator
      .comparingInt((Entry e) -> pathRank(e.route().match().path().kind()))
      .thenComparing((Entry e) -> -e.route().match().path().value().length())
      .thenComparing((Entry e) -> e.route().match().method() == null ? 1 : 0)
      .thenComparing((Entry e) -> -e.route().match().headers().size())
      .thenComparing((Entry e) -> -e.route().match().queryParams().size())
      .thenComparing((Entry e) -> e.creationTimestamp() == null ? "" : e.creationTimestamp())
      .thenComparing((Entry e) -> nullToEmpty(e.route().source().route().namespace()))
      .thenComparing((Entry e) -> e.route().source().route().name())
      .thenComparingInt((Entry e) -> e.route().source().rule())
      .thenComparingInt((Entry e) -> e.route().source().match());

  private RoutePrecedence() {}

  private static int pathRank(RouteMatchIR.PathKind kind) {
    return switch (kind) {
      case EXACT -> 0;
      case REGEX -> 1;
      case PREFIX -> 2;
    };
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
