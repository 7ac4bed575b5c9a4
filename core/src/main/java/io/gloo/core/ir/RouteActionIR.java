package io.gloo.core.ir;

import java.util.List;

/** What a matched request gets: forwarded to weighted backends, redirected, or answered directly. */
public sealed interface RouteActionIR {

  /**
   * Forward to one or more backends by weight. A backend that could not be resolved keeps its weight and has a
   * null cluster: its share of requests is answered with 500, as the Gateway API requires.
   *
   * @param rewrite an optional URL rewrite applied before forwarding, or null
   */
  record Forward(List<WeightedBackend> backends, UrlRewrite rewrite) implements RouteActionIR {
    public Forward {
      backends = List.copyOf(backends);
    }
  }

  /** @param cluster the Envoy cluster, or null when the backendRef did not resolve */
  record WeightedBackend(String cluster, int weight) {}

  /**
   * Rewrites applied when forwarding.
   *
   * @param hostname replacement Host/:authority, or null
   * @param fullPath replacement of the whole path, or null
   * @param prefix replacement of the matched prefix, or null
   */
  record UrlRewrite(String hostname, String fullPath, String prefix) {}

  /**
   * An HTTP redirect. Null fields keep the request's value.
   *
   * @param fullPath replace the whole path, or null
   * @param prefix replace the matched prefix, or null
   */
  record Redirect(String scheme, String hostname, Integer port, String fullPath, String prefix, int statusCode)
      implements RouteActionIR {}

  /** Answer directly, e.g. 500 for a rule that cannot be translated. */
  record DirectResponse(int status, String body) implements RouteActionIR {}
}
