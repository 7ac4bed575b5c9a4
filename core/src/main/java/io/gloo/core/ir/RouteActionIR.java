package io.gloo.core.ir;

import java.util.List;

/** What a matched request gets: forwarded to weighted backends, redirected, or answered directly. */
public sealed interface RouteActionIR {

  /**
   * Forward to one or more backends by weight. A backend that could not be resolved keeps its weight and has a
   * null cluster: its share of requests is answered with 500, as the Gateway API requires.
   *
   * @param rewrite an optional URL rewrite applied before forwarding, or null
   * @param websocket allow WebSocket upgrades (a backend's Service port has appProtocol kubernetes.io/ws or wss)
   */
  record Forward(List<WeightedBackend> backends, UrlRewrite rewrite, List<Mirror> mirrors, Timeouts timeouts,
      Retry retry, boolean websocket) implements RouteActionIR {
    public Forward {
      backends = List.copyOf(backends);
      mirrors = List.copyOf(mirrors);
    }

    public Forward(List<WeightedBackend> backends, UrlRewrite rewrite) {
      this(backends, rewrite, List.of(), null, null, false);
    }
  }

  /**
   * @param cluster the Envoy cluster, or null when the backendRef did not resolve
   * @param requestHeaders header edits of the backendRef's own filters, applied only when this backend is picked
   * @param responseHeaders likewise, for the response
   */
  record WeightedBackend(String cluster, int weight, HeaderEditsIR requestHeaders, HeaderEditsIR responseHeaders) {
    public WeightedBackend(String cluster, int weight) {
      this(cluster, weight, HeaderEditsIR.NONE, HeaderEditsIR.NONE);
    }
  }

  /**
   * A copy of each request sent to a cluster, its response ignored.
   *
   * @param cluster the mirror's Envoy cluster (always resolved: unresolved mirrors are dropped)
   * @param perMillion share of requests mirrored, as numerator per million (1_000_000 = all)
   */
  record Mirror(String cluster, int perMillion) {}

  /**
   * Timeouts in milliseconds; null when not set. {@code 0} disables a timeout.
   *
   * @param requestMillis the whole request, from the downstream request to the last byte of the response
   * @param backendRequestMillis one attempt to the backend (each retry gets its own)
   */
  record Timeouts(Long requestMillis, Long backendRequestMillis) {}

  /**
   * Retries: on {@code codes} (HTTP statuses) plus connection failures, at most {@code attempts} retries,
   * {@code backoffMillis} base interval or null for Envoy's default.
   */
  record Retry(List<Integer> codes, int attempts, Long backoffMillis) {
    public Retry {
      codes = List.copyOf(codes);
    }
  }

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
      implements RouteActionIR {

    /** The Location port for a request arriving on a listener of {@code listenerPort}/{@code listenerScheme}. */
    public Redirect forListener(int listenerPort, String listenerScheme) {
      if (port != null || scheme != null) {
        return this; // an explicit port, or the scheme's well-known one (left out of Location)
      }
      boolean wellKnown = ("http".equals(listenerScheme) && listenerPort == 80)
          || ("https".equals(listenerScheme) && listenerPort == 443);
      return wellKnown ? this : new Redirect(scheme, hostname, listenerPort, fullPath, prefix, statusCode);
    }
  }

  /** Answer directly, e.g. 500 for a rule that cannot be translated. */
  record DirectResponse(int status, String body) implements RouteActionIR {}
}
