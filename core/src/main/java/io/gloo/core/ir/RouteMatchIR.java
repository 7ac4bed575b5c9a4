package io.gloo.core.ir;

import java.util.List;

/**
 * A request match, already in Envoy terms.
 *
 * @param method an HTTP method to match, or null for any
 */
public record RouteMatchIR(PathMatch path, List<ValueMatch> headers, List<ValueMatch> queryParams, String method,
    boolean caseSensitive) {

  public RouteMatchIR {
    headers = List.copyOf(headers);
    queryParams = List.copyOf(queryParams);
  }

  /** A case-sensitive match (the Gateway API's only kind). */
  public RouteMatchIR(PathMatch path, List<ValueMatch> headers, List<ValueMatch> queryParams, String method) {
    this(path, headers, queryParams, method, true);
  }

  /**
   * How the path is compared. {@code PREFIX} matches whole path segments, as the Gateway API requires;
   * {@code STRING_PREFIX} is a plain string prefix ({@code /foo} matches {@code /foobar}), as Gloo Edge matches.
   */
  public enum PathKind { EXACT, PREFIX, REGEX, STRING_PREFIX }

  /** @param value the path, prefix (without trailing slash unless it is "/") or RE2 regex */
  public record PathMatch(PathKind kind, String value) {}

  /**
   * A header or query parameter match: exact value, or an RE2 regex.
   *
   * @param value null: the header or parameter only has to be present
   * @param invert the request matches when this does not (Gloo Edge's {@code invertMatch})
   */
  public record ValueMatch(String name, boolean regex, String value, boolean invert) {
    public ValueMatch(String name, boolean regex, String value) {
      this(name, regex, value, false);
    }
  }
}
