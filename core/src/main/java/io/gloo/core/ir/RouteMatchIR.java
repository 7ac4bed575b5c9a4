package io.gloo.core.ir;

import java.util.List;

/**
 * A request match, already in Envoy terms.
 *
 * @param method an HTTP method to match, or null for any
 */
public record RouteMatchIR(PathMatch path, List<ValueMatch> headers, List<ValueMatch> queryParams, String method) {

  public RouteMatchIR {
    headers = List.copyOf(headers);
    queryParams = List.copyOf(queryParams);
  }

  /** How the path is compared. {@code PREFIX} matches whole path segments, as the Gateway API requires. */
  public enum PathKind { EXACT, PREFIX, REGEX }

  /** @param value the path, prefix (without trailing slash unless it is "/") or RE2 regex */
  public record PathMatch(PathKind kind, String value) {}

  /** A header or query parameter match: exact value, or an RE2 regex. */
  public record ValueMatch(String name, boolean regex, String value) {}
}
