package io.gloo.core.evaluate;

import java.util.ArrayDeque;
import java.util.Deque;

/** The HTTP connection manager's path normalisations, applied to the path and never to the query string. */
final class PathNormalizer {

  private PathNormalizer() {}

  /**
   * normalize_path: RFC 3986 section 5.2.4 dot-segment removal ("." and ".." segments, also written %2E) so that
   * {@code /a/./b/../c} routes as {@code /a/c}. Envoy's canonicaliser does more (escape normalisation); this is the
   * part that changes which route matches.
   */
  static String normalize(String pathWithQuery) {
    String path = RouteEvaluator.stripQuery(pathWithQuery);
    String rest = pathWithQuery.substring(path.length());
    if (!path.startsWith("/")) {
      return pathWithQuery;
    }
    String[] segments = path.substring(1).split("/", -1);
    Deque<String> out = new ArrayDeque<>();
    for (int i = 0; i < segments.length; i++) {
      String seg = segments[i];
      boolean last = i == segments.length - 1;
      String dots = seg.replace("%2e", ".").replace("%2E", ".");
      if (dots.equals(".")) {
        if (last) {
          out.addLast("");
        }
      } else if (dots.equals("..")) {
        out.pollLast();
        if (last) {
          out.addLast("");
        }
      } else {
        out.addLast(seg);
      }
    }
    return "/" + String.join("/", out) + rest;
  }

  /** merge_slashes: {@code //a///b} becomes {@code /a/b}. */
  static String mergeSlashes(String pathWithQuery) {
    String path = RouteEvaluator.stripQuery(pathWithQuery);
    return path.replaceAll("/{2,}", "/") + pathWithQuery.substring(path.length());
  }
}
