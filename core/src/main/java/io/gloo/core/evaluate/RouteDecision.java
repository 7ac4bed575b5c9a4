package io.gloo.core.evaluate;

import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.gloo.core.translate.xds.EnvoyJson;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Envoy does with one {@link TestRequest}, as computed by {@link RouteEvaluator}: the listener, filter chain,
 * route configuration, virtual host and route it selects, and the outcome. Renders to JSON with {@link #toJson()}.
 *
 * @param outcome what happens to the request
 * @param status the status the client receives, or null when the request is proxied (the backend decides)
 * @param listener the listener's name, or null
 * @param filterChain the filter chain's name (or {@code #index} when unnamed), or null
 * @param routeConfiguration the route configuration's name, or null
 * @param virtualHost the selected virtual host's name, or null
 * @param route the selected route's name, or null
 * @param source the HTTPRoute rule/match the route came from (its {@code io.gloo.source} metadata), or null
 * @param cluster the chosen cluster (after weighted selection), or null
 * @param weightedClusters the weighted choice ({@code name=weight} in order, and the pick), or null
 * @param location the redirect's Location, or null
 * @param body the direct response body, or null
 * @param upstream the request as the backend receives it (proxied requests only), or null
 * @param responseHeaders the response headers after the route's edits (backend headers for proxied requests)
 * @param mirrors clusters that receive a shadow copy
 * @param timeout the route timeout ({@code 15s} is Envoy's default when unset), or null when not proxied
 * @param retryPolicy the effective retry policy, or null
 * @param virtualCluster the matched virtual cluster's name, or null
 * @param rateLimits what each rate-limit filter asks its service about (domain and descriptors), in filter order
 * @param trace the rules applied, in order: why Envoy decided so
 */
public record RouteDecision(
    TestRequest request,
    Outcome outcome,
    Integer status,
    String listener,
    String filterChain,
    String routeConfiguration,
    String virtualHost,
    String route,
    Source source,
    String cluster,
    String weightedClusters,
    String location,
    String body,
    Upstream upstream,
    List<HeaderMap.Entry> responseHeaders,
    List<Mirror> mirrors,
    String timeout,
    RetryPolicy retryPolicy,
    String virtualCluster,
    List<RateLimitCall> rateLimits,
    List<String> trace) {

  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  public RouteDecision {
    responseHeaders = responseHeaders == null ? List.of() : List.copyOf(responseHeaders);
    mirrors = mirrors == null ? List.of() : List.copyOf(mirrors);
    trace = trace == null ? List.of() : List.copyOf(trace);
    rateLimits = rateLimits == null ? List.of() : List.copyOf(rateLimits);
  }

  /** One entry of a rate-limit descriptor. */
  public record Entry(String key, String value) {}

  /**
   * One call of a rate-limit filter ({@code ShouldRateLimit}): its domain, stage, and the descriptors it sends.
   */
  public record RateLimitCall(String filter, String domain, int stage, List<List<Entry>> descriptors) {
    public RateLimitCall {
      descriptors = descriptors.stream().map(List::copyOf).toList();
    }
  }

  /** What happens to the request. */
  public enum Outcome {
    /** Proxied to {@link #cluster()}. */
    FORWARD,
    /** Answered with a redirect to {@link #location()}. */
    REDIRECT,
    /** Answered by the proxy itself ({@code direct_response}). */
    DIRECT_RESPONSE,
    /** A CORS preflight answered 200 by the CORS filter ({@code envoy.filters.http.cors}); never proxied. */
    CORS_PREFLIGHT,
    /** The route names a cluster CDS does not have: {@code cluster_not_found_response_code}. */
    CLUSTER_NOT_FOUND,
    /** A virtual host matched but none of its routes: 404. */
    NO_ROUTE,
    /** An upgrade (e.g. WebSocket) neither the route nor the connection manager allows: 403 ({@link Upgrades}). */
    UPGRADE_REJECTED,
    /** No virtual host matches the authority: 404. */
    NO_VIRTUAL_HOST,
    /** Nothing listens on the port: the connection is refused. */
    NO_LISTENER,
    /** The listener has no filter chain for the connection (or no HTTP connection manager): it is closed. */
    NO_FILTER_CHAIN
  }

  /** The HTTPRoute a route was translated from. Rule and match are null for resources without them. */
  public record Source(String kind, String namespace, String name, Integer rule, Integer match, String ruleName) {
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(kind).append('/');
      if (namespace != null) {
        sb.append(namespace).append('/');
      }
      sb.append(name);
      if (rule != null) {
        sb.append(" rule ").append(rule);
        if (ruleName != null) {
          sb.append(" (").append(ruleName).append(')');
        }
      }
      if (match != null) {
        sb.append(" match ").append(match);
      }
      return sb.toString();
    }
  }

  /** The request the backend receives. */
  public record Upstream(String method, String scheme, String authority, String path, List<HeaderMap.Entry> headers) {
    public Upstream {
      headers = List.copyOf(headers);
    }
  }

  /** A request mirror: the cluster and the share of requests (percent) that it receives. */
  public record Mirror(String cluster, double percent) {}

  /** The route's vhost-less summary: one line, for CLI output. */
  public String summary() {
    StringBuilder sb = new StringBuilder(outcome.name());
    if (status != null) {
      sb.append(' ').append(status);
    }
    if (cluster != null) {
      sb.append(" cluster=").append(cluster);
    }
    if (location != null) {
      sb.append(" location=").append(location);
    }
    if (virtualHost != null) {
      sb.append(" vhost=").append(virtualHost);
    }
    if (route != null) {
      sb.append(" route=").append(route);
    }
    if (source != null) {
      sb.append(" source=").append(source);
    }
    return sb.toString();
  }

  /** JSON rendering, for the CLI and the admin API. Null fields are left out. */
  public ObjectNode toJson() {
    ObjectNode n = MAPPER.createObjectNode();
    ObjectNode req = n.putObject("request");
    req.put("port", request.port());
    req.put("scheme", request.scheme());
    if (request.sni() != null) {
      req.put("sni", request.sni());
    }
    req.put("method", request.method());
    req.put("authority", request.authority());
    req.put("path", request.path());
    req.set("headers", headers(request.headers()));
    req.put("randomValue", request.randomValue());
    n.put("outcome", outcome.name());
    if (status != null) {
      n.put("status", status);
    }
    putIf(n, "listener", listener);
    putIf(n, "filterChain", filterChain);
    putIf(n, "routeConfiguration", routeConfiguration);
    putIf(n, "virtualHost", virtualHost);
    putIf(n, "route", route);
    if (source != null) {
      ObjectNode s = n.putObject("source");
      s.put("kind", source.kind());
      putIf(s, "namespace", source.namespace());
      s.put("name", source.name());
      if (source.rule() != null) {
        s.put("rule", source.rule());
      }
      putIf(s, "ruleName", source.ruleName());
      if (source.match() != null) {
        s.put("match", source.match());
      }
    }
    putIf(n, "virtualCluster", virtualCluster);
    putIf(n, "cluster", cluster);
    putIf(n, "weightedClusters", weightedClusters);
    putIf(n, "location", location);
    putIf(n, "body", body);
    if (upstream != null) {
      ObjectNode u = n.putObject("upstream");
      u.put("method", upstream.method());
      u.put("scheme", upstream.scheme());
      u.put("authority", upstream.authority());
      u.put("path", upstream.path());
      u.set("headers", headers(upstream.headers()));
    }
    if (!responseHeaders.isEmpty()) {
      n.set("responseHeaders", headers(responseHeaders));
    }
    if (!mirrors.isEmpty()) {
      ArrayNode m = n.putArray("mirrors");
      mirrors.forEach(x -> m.addObject().put("cluster", x.cluster()).put("percent", x.percent()));
    }
    putIf(n, "timeout", timeout);
    if (retryPolicy != null) {
      n.set("retryPolicy", MAPPER.readTree(EnvoyJson.print(retryPolicy)));
    }
    if (!rateLimits.isEmpty()) {
      ArrayNode calls = n.putArray("rateLimits");
      for (RateLimitCall c : rateLimits) {
        ObjectNode call = calls.addObject().put("filter", c.filter()).put("domain", c.domain())
            .put("stage", c.stage());
        ArrayNode descriptors = call.putArray("descriptors");
        for (List<Entry> d : c.descriptors()) {
          ArrayNode entries = descriptors.addArray();
          d.forEach(e -> entries.addObject().put("key", e.key()).put("value", e.value()));
        }
      }
    }
    ArrayNode t = n.putArray("trace");
    trace.forEach(t::add);
    return n;
  }

  private static ArrayNode headers(List<HeaderMap.Entry> headers) {
    ArrayNode a = MAPPER.createArrayNode();
    headers.forEach(h -> a.addObject().put("name", h.name()).put("value", h.value()));
    return a;
  }

  private static void putIf(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }

  /** Mutable accumulator used by {@link RouteEvaluator}. */
  static final class Builder {
    final TestRequest request;
    Outcome outcome;
    Integer status;
    String listener;
    String filterChain;
    String routeConfiguration;
    String virtualHost;
    String route;
    Source source;
    String cluster;
    String weightedClusters;
    String location;
    String body;
    Upstream upstream;
    List<HeaderMap.Entry> responseHeaders = List.of();
    final List<Mirror> mirrors = new ArrayList<>();
    String timeout;
    RetryPolicy retryPolicy;
    String virtualCluster;
    List<RateLimitCall> rateLimits = List.of();
    final List<String> trace = new ArrayList<>();

    Builder(TestRequest request) {
      this.request = request;
    }

    Builder trace(String line) {
      trace.add(line);
      return this;
    }

    RouteDecision done(Outcome outcome, Integer status) {
      this.outcome = outcome;
      this.status = status;
      return new RouteDecision(request, outcome, status, listener, filterChain, routeConfiguration, virtualHost,
          route, source, cluster, weightedClusters, location, body, upstream, responseHeaders, mirrors, timeout,
          retryPolicy, virtualCluster, rateLimits, trace);
    }
  }
}
