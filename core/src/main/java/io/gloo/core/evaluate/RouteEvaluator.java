package io.gloo.core.evaluate;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualCluster;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.translate.xds.SourceMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Evaluates one request against one Gateway's xDS resources the way Envoy's listener, HTTP connection manager,
 * CORS filter ({@link CorsFilter}, when the connection manager has it) and router would: no Envoy binary
 * needed. A pure function of its inputs; thread-safe.
 *
 * <p>Each Envoy rule implemented is named in a one-line comment where it is applied. What is not evaluated
 * (runtime overrides, %COMMAND% header formatters, auto_host_rewrite, cluster specifier plugins, path templates,
 * TLS-context and dynamic-metadata route matches) is said in the decision's trace when a config uses it.
 */
public final class RouteEvaluator {

  private static final String HCM_TYPE = "type.googleapis.com/" + HttpConnectionManager.getDescriptor().getFullName();
  private static final String DEFAULT_TIMEOUT = "15s";

  private final XdsResources xds;
  private final Map<String, RouteConfiguration> routeConfigs = new HashMap<>();
  private final Map<String, Cluster> clusters = new HashMap<>();
  private final Map<String, ClusterLoadAssignment> endpoints = new HashMap<>();

  public RouteEvaluator(XdsResources xds) {
    this.xds = xds;
    xds.routes().forEach(r -> routeConfigs.put(r.getName(), r));
    xds.clusters().forEach(c -> clusters.put(c.getName(), c));
    xds.endpoints().forEach(e -> endpoints.put(e.getClusterName(), e));
  }

  /** Convenience for one-off evaluations. */
  public static RouteDecision evaluate(XdsResources xds, TestRequest request) {
    return new RouteEvaluator(xds).evaluate(request);
  }

  public RouteDecision evaluate(TestRequest req) {
    RouteDecision.Builder d = new RouteDecision.Builder(req);

    // Listener: the one bound to the connection's port.
    Listener listener = null;
    for (Listener l : xds.listeners()) {
      if (l.getAddress().getSocketAddress().getPortValue() == req.port()) {
        listener = l;
        break;
      }
    }
    if (listener == null) {
      d.trace("no listener on port " + req.port() + ": connection refused");
      return d.done(RouteDecision.Outcome.NO_LISTENER, null);
    }
    d.listener = listener.getName();

    FilterChain chain = filterChain(listener, req, d);
    if (chain == null) {
      d.trace("no filter chain of listener " + listener.getName() + " matches: connection closed");
      return d.done(RouteDecision.Outcome.NO_FILTER_CHAIN, null);
    }
    HttpConnectionManager hcm = hcm(chain);
    if (hcm == null) {
      d.trace("filter chain " + d.filterChain + " has no HTTP connection manager");
      return d.done(RouteDecision.Outcome.NO_FILTER_CHAIN, null);
    }

    RouteConfiguration rc;
    if (hcm.hasRds()) {
      rc = routeConfigs.get(hcm.getRds().getRouteConfigName());
      d.routeConfiguration = hcm.getRds().getRouteConfigName();
      if (rc == null) {
        d.trace("route configuration " + d.routeConfiguration + " is not among the RDS resources");
        return d.done(RouteDecision.Outcome.NO_VIRTUAL_HOST, 404);
      }
    } else if (hcm.hasRouteConfig()) {
      rc = hcm.getRouteConfig();
      d.routeConfiguration = rc.getName();
    } else {
      throw new UnsupportedOperationException("scoped routes are not supported by the evaluator");
    }

    HeaderMap headers = downstreamHeaders(req, listener, hcm, d);
    String authority = headers.get(":authority");

    // Virtual host: exact domain, then longest suffix wildcard, then longest prefix wildcard, then "*".
    String hostForMatching = rc.getIgnorePortInHostMatching() ? stripPort(authority) : authority;
    VirtualHost vh = virtualHost(rc, hostForMatching, d);
    if (vh == null) {
      d.trace("no virtual host matches '" + hostForMatching + "': 404");
      return d.done(RouteDecision.Outcome.NO_VIRTUAL_HOST, 404);
    }
    d.virtualHost = vh.getName();

    // require_tls: ALL redirects every non-TLS request, EXTERNAL_ONLY every non-TLS request not marked internal.
    boolean https = "https".equals(headers.get("x-forwarded-proto"));
    boolean internal = "true".equals(headers.get("x-envoy-internal"));
    if (!https && (vh.getRequireTls() == VirtualHost.TlsRequirementType.ALL
        || (vh.getRequireTls() == VirtualHost.TlsRequirementType.EXTERNAL_ONLY && !internal))) {
      d.location = location(RedirectAction.newBuilder().setHttpsRedirect(true).build(), headers);
      d.trace("virtual host requires TLS: 301 to " + d.location);
      return d.done(RouteDecision.Outcome.REDIRECT, 301);
    }

    // Virtual cluster: the first whose headers all match; "other" when there are some and none matches.
    for (VirtualCluster vc : vh.getVirtualClustersList()) {
      if (EnvoyMatchers.allMatch(vc.getHeadersList(), headers)) {
        d.virtualCluster = vc.getName();
        break;
      }
    }
    if (d.virtualCluster == null && vh.getVirtualClustersCount() > 0) {
      d.virtualCluster = "other";
    }

    // Route: the first in order whose match accepts the request.
    Route route = null;
    Map<String, String> query = EnvoyMatchers.queryParameters(headers.get(":path"));
    for (Route r : vh.getRoutesList()) {
      if (matches(r.getMatch(), headers, query, req.randomValue(), d)) {
        route = r;
        break;
      }
    }
    if (route == null) {
      d.trace("no route of virtual host " + vh.getName() + " matches " + headers.get(":method") + " "
          + headers.get(":path") + ": 404");
      return d.done(RouteDecision.Outcome.NO_ROUTE, 404);
    }
    d.route = route.getName();
    d.source = source(route);
    d.trace("route " + (route.getName().isEmpty() ? "#" + vh.getRoutesList().indexOf(route) : route.getName())
        + " matches" + (d.source == null ? "" : " (" + d.source + ")"));
    String matchedPath = matchedPath(route.getMatch(), headers.get(":path"));

    List<HeaderMutations.Level> requestLevels = levels(rc, vh, route, true);
    List<HeaderMutations.Level> responseLevels = levels(rc, vh, route, false);

    // An upgrade (WebSocket) the route and the connection manager do not allow: 403 from the connection manager.
    String upgrade = Upgrades.requested(headers);
    if (upgrade != null) {
      if (!Upgrades.allowed(upgrade, hcm, route.hasRoute() ? route.getRoute() : null)) {
        d.trace("upgrade to " + upgrade + " allowed neither by the route nor by the connection manager: 403");
        return d.done(RouteDecision.Outcome.UPGRADE_REJECTED, 403);
      }
      d.trace("upgrade to " + upgrade + " allowed");
    }

    if (route.hasRedirect()) {
      RedirectAction r = route.getRedirect();
      HeaderMap h = headers.copy();
      // A redirect's prefix_rewrite/regex_rewrite rewrite :path before the Location is composed.
      String rewritten = rewritePath(h.get(":path"), matchedPath, r.getPrefixRewrite(),
          r.hasRegexRewrite() ? r.getRegexRewrite() : null);
      if (rewritten != null) {
        h.set(":path", rewritten);
      }
      d.location = location(r, h);
      int code = redirectCode(r.getResponseCode());
      HeaderMap response = new HeaderMap().add("location", d.location);
      responseLevels.forEach(l -> HeaderMutations.apply(l, response, d.trace));
      d.responseHeaders = response.entries();
      d.trace("redirect " + code + " to " + d.location);
      return d.done(RouteDecision.Outcome.REDIRECT, code);
    }
    if (route.hasDirectResponse()) {
      DirectResponseAction dr = route.getDirectResponse();
      if (dr.hasBody()) {
        d.body = switch (dr.getBody().getSpecifierCase()) {
          case INLINE_STRING -> dr.getBody().getInlineString();
          case INLINE_BYTES -> dr.getBody().getInlineBytes().toStringUtf8();
          case FILENAME -> "(contents of " + dr.getBody().getFilename() + ")";
          default -> null;
        };
      }
      HeaderMap response = new HeaderMap();
      responseLevels.forEach(l -> HeaderMutations.apply(l, response, d.trace));
      d.responseHeaders = response.entries();
      d.trace("direct response " + dr.getStatus());
      return d.done(RouteDecision.Outcome.DIRECT_RESPONSE, dr.getStatus());
    }
    if (!route.hasRoute()) {
      // filter_action / non_forwarding_action routes only serve filters; the router answers 404 for them
      d.trace("route has no route/redirect/direct_response action: 404");
      return d.done(RouteDecision.Outcome.NO_ROUTE, 404);
    }

    RouteAction action = route.getRoute();
    WeightedCluster.ClusterWeight pick = null;
    String cluster;
    switch (action.getClusterSpecifierCase()) {
      case CLUSTER -> cluster = action.getCluster();
      // cluster_header: the cluster is named by a request header; absent means no cluster
      case CLUSTER_HEADER -> cluster = headers.get(action.getClusterHeader()) == null ? ""
          : headers.get(action.getClusterHeader());
      case WEIGHTED_CLUSTERS -> {
        pick = weighted(action.getWeightedClusters(), headers, req.randomValue(), d);
        cluster = pick == null ? "" : pick.getName();
      }
      default -> throw new UnsupportedOperationException(
          "cluster specifier " + action.getClusterSpecifierCase() + " is not supported by the evaluator");
    }
    d.cluster = cluster;
    if (pick != null) {
      // weighted cluster level edits come before the route's
      requestLevels.add(0, new HeaderMutations.Level("weighted cluster " + pick.getName(),
          pick.getRequestHeadersToAddList(), pick.getRequestHeadersToRemoveList()));
      responseLevels.add(0, new HeaderMutations.Level("weighted cluster " + pick.getName(),
          pick.getResponseHeadersToAddList(), pick.getResponseHeadersToRemoveList()));
    }

    // The CORS filter (before the router; only for routes with a route action) answers preflights itself.
    HttpFilter corsFilter = CorsFilter.find(hcm);
    CorsFilter.State cors = corsFilter == null ? null
        : CorsFilter.decode(corsFilter, rc, vh, route, pick, headers, req.randomValue(), d.trace);
    if (cors != null && cors.preflightResponse != null) {
      d.responseHeaders = cors.preflightResponse.entries();
      return d.done(RouteDecision.Outcome.CORS_PREFLIGHT, 200);
    }

    // The rate-limit filters (before the router) send their descriptors for routes with a route action.
    d.rateLimits = RateLimitDescriptors.evaluate(hcm, vh, route, cluster, headers, d.trace);

    // A cluster CDS does not have answers cluster_not_found_response_code (503 unless set) from the router.
    if (!clusters.containsKey(cluster)) {
      int code = switch (action.getClusterNotFoundResponseCode()) {
        case NOT_FOUND -> 404;
        case INTERNAL_SERVER_ERROR -> 500;
        default -> 503;
      };
      HeaderMap response = new HeaderMap();
      responseLevels.forEach(l -> HeaderMutations.apply(l, response, d.trace));
      if (cors != null) {
        // the router's local reply passes the CORS filter's encoder too
        cors.encode(response, d.trace);
      }
      d.responseHeaders = response.entries();
      d.trace("cluster '" + cluster + "' is not in CDS: cluster_not_found_response_code " + code);
      return d.done(RouteDecision.Outcome.CLUSTER_NOT_FOUND, code);
    }
    ClusterLoadAssignment cla = endpoints.get(cluster);
    if (cla != null && cla.getEndpointsList().stream().mapToInt(LocalityLbEndpoints::getLbEndpointsCount).sum() == 0) {
      d.trace("cluster " + cluster + " has no endpoints: Envoy would answer 503 (no healthy upstream)");
    }

    // The upstream request: header edits, then host rewrite, then path rewrite.
    HeaderMap up = headers.copy();
    requestLevels.forEach(l -> HeaderMutations.apply(l, up, d.trace));
    String originalHost = up.get(":authority");
    String newHost = null;
    if (pick != null && pick.hasHostRewriteLiteral()) {
      newHost = pick.getHostRewriteLiteral();
    }
    switch (action.getHostRewriteSpecifierCase()) {
      case HOST_REWRITE_LITERAL -> newHost = action.getHostRewriteLiteral();
      case HOST_REWRITE_HEADER -> {
        String v = up.get(action.getHostRewriteHeader());
        if (v != null && !v.isEmpty()) {
          newHost = v;
        }
      }
      case HOST_REWRITE_PATH_REGEX -> newHost = EnvoyMatchers.regexReplaceAll(action.getHostRewritePathRegex(),
          stripQuery(up.get(":path")));
      case AUTO_HOST_REWRITE -> d.trace("auto_host_rewrite depends on the chosen endpoint: not evaluated");
      default -> { }
    }
    if (newHost != null) {
      // append_x_forwarded_host: the host before rewriting is appended to x-forwarded-host
      if (action.getAppendXForwardedHost()) {
        up.add("x-forwarded-host", originalHost);
      }
      up.set(":authority", newHost);
      d.trace("host rewritten to " + newHost);
    }
    String newPath = rewritePath(up.get(":path"), matchedPath, action.getPrefixRewrite(),
        action.hasRegexRewrite() ? action.getRegexRewrite() : null);
    if (newPath != null) {
      // the router records the original path in x-envoy-original-path unless suppress_envoy_headers
      if (!suppressEnvoyHeaders(hcm)) {
        up.set("x-envoy-original-path", up.get(":path"));
      }
      up.set(":path", newPath);
      d.trace("path rewritten to " + newPath);
    }
    List<HeaderMap.Entry> upstreamHeaders = new ArrayList<>();
    for (HeaderMap.Entry e : up.entries()) {
      if (!e.name().startsWith(":")) {
        upstreamHeaders.add(e);
      }
    }
    d.upstream = new RouteDecision.Upstream(up.get(":method"), up.get(":scheme"), up.get(":authority"),
        up.get(":path"), upstreamHeaders);

    HeaderMap response = new HeaderMap();
    req.responseHeaders().forEach(e -> response.add(e.name(), e.value()));
    responseLevels.forEach(l -> HeaderMutations.apply(l, response, d.trace));
    if (cors != null) {
      // the CORS filter's encoder runs after the router's response header edits
      cors.encode(response, d.trace);
    }
    d.responseHeaders = response.entries();

    // Mirrors: the route's policies, else the virtual host's, else the route configuration's.
    var mirrors = !action.getRequestMirrorPoliciesList().isEmpty() ? action.getRequestMirrorPoliciesList()
        : !vh.getRequestMirrorPoliciesList().isEmpty() ? vh.getRequestMirrorPoliciesList()
        : rc.getRequestMirrorPoliciesList();
    for (RouteAction.RequestMirrorPolicy m : mirrors) {
      double percent = m.hasRuntimeFraction() ? percent(m.getRuntimeFraction().getDefaultValue()) : 100.0;
      d.mirrors.add(new RouteDecision.Mirror(m.getCluster(), percent));
    }
    // Timeout: the route's, or Envoy's default of 15s; 0 disables it.
    d.timeout = action.hasTimeout() ? Durations.toString(action.getTimeout()) : DEFAULT_TIMEOUT;
    // Retry policy: the route's replaces the virtual host's.
    d.retryPolicy = action.hasRetryPolicy() ? action.getRetryPolicy() : vh.hasRetryPolicy() ? vh.getRetryPolicy() : null;
    d.trace("forward to cluster " + cluster);
    return d.done(RouteDecision.Outcome.FORWARD, null);
  }

  // ---------------------------------------------------------------------------------------------- listener, HCM

  /**
   * Filter chain: one whose server_names has the SNI exactly, else the longest wildcard ({@code *.example.com})
   * covering it, else one without server_names, else the listener's default_filter_chain. A chain whose
   * transport_protocol is "tls" only takes TLS connections, "raw_buffer" only plaintext.
   */
  private FilterChain filterChain(Listener listener, TestRequest req, RouteDecision.Builder d) {
    String sni = req.sni() == null ? null : req.sni().toLowerCase(Locale.ROOT);
    boolean tls = "https".equalsIgnoreCase(req.scheme());
    List<FilterChain> candidates = new ArrayList<>();
    for (FilterChain c : listener.getFilterChainsList()) {
      String tp = c.getFilterChainMatch().getTransportProtocol();
      if ((tp.equals("tls") && !tls) || (tp.equals("raw_buffer") && tls)) {
        continue;
      }
      candidates.add(c);
    }
    if (sni != null) {
      for (FilterChain c : candidates) {
        if (c.getFilterChainMatch().getServerNamesList().stream().anyMatch(n -> n.equalsIgnoreCase(sni))) {
          return chosen(listener, c, "server name " + sni, d);
        }
      }
      // wildcards from the most specific: a.b.example.com tries *.b.example.com, then *.example.com, then *.com
      String rest = sni;
      int dot;
      while ((dot = rest.indexOf('.')) >= 0) {
        rest = rest.substring(dot + 1);
        String wildcard = "*." + rest;
        for (FilterChain c : candidates) {
          if (c.getFilterChainMatch().getServerNamesList().stream().anyMatch(n -> n.equalsIgnoreCase(wildcard))) {
            return chosen(listener, c, "server name " + wildcard, d);
          }
        }
      }
    }
    for (FilterChain c : candidates) {
      if (c.getFilterChainMatch().getServerNamesCount() == 0) {
        return chosen(listener, c, "no server_names", d);
      }
    }
    if (listener.hasDefaultFilterChain()) {
      d.filterChain = listener.getDefaultFilterChain().getName().isEmpty() ? "default"
          : listener.getDefaultFilterChain().getName();
      d.trace("listener " + listener.getName() + ": default filter chain");
      return listener.getDefaultFilterChain();
    }
    return null;
  }

  private static FilterChain chosen(Listener l, FilterChain c, String why, RouteDecision.Builder d) {
    d.filterChain = c.getName().isEmpty() ? "#" + l.getFilterChainsList().indexOf(c) : c.getName();
    d.trace("listener " + l.getName() + ": filter chain " + d.filterChain + " (" + why + ")");
    return c;
  }

  private static HttpConnectionManager hcm(FilterChain chain) {
    for (Filter f : chain.getFiltersList()) {
      Any any = f.getTypedConfig();
      if (any.getTypeUrl().equals(HCM_TYPE)) {
        try {
          return any.unpack(HttpConnectionManager.class);
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalArgumentException("malformed HttpConnectionManager in filter " + f.getName(), e);
        }
      }
    }
    return null;
  }

  private static boolean suppressEnvoyHeaders(HttpConnectionManager hcm) {
    for (HttpFilter f : hcm.getHttpFiltersList()) {
      if (f.getTypedConfig().is(Router.class)) {
        try {
          return f.getTypedConfig().unpack(Router.class).getSuppressEnvoyHeaders();
        } catch (InvalidProtocolBufferException e) {
          return false;
        }
      }
    }
    return false;
  }

  /** The request headers the router sees, after the HTTP connection manager's normalisations. */
  private static HeaderMap downstreamHeaders(TestRequest req, Listener listener, HttpConnectionManager hcm,
      RouteDecision.Builder d) {
    HeaderMap h = new HeaderMap()
        .add(":method", req.method())
        .add(":scheme", req.scheme().toLowerCase(Locale.ROOT))
        .add(":authority", req.authority())
        .add(":path", req.path());
    for (HeaderMap.Entry e : req.headers()) {
      if (e.name().equals("host")) {
        h.set(":authority", e.value());
      } else {
        h.add(e.name(), e.value());
      }
    }
    // The connection manager sets x-forwarded-proto from the connection when the client did not.
    if (!h.contains("x-forwarded-proto")) {
      h.add("x-forwarded-proto", req.scheme().toLowerCase(Locale.ROOT));
    }
    String path = h.get(":path");
    // normalize_path: RFC 3986 dot-segment removal on the path (not the query) before routing.
    if (hcm.hasNormalizePath() && hcm.getNormalizePath().getValue()) {
      path = PathNormalizer.normalize(path);
    }
    // merge_slashes: runs of '/' become one.
    if (hcm.getMergeSlashes()) {
      path = PathNormalizer.mergeSlashes(path);
    }
    if (!path.equals(h.get(":path"))) {
      d.trace("path normalized to " + path);
      h.set(":path", path);
    }
    String authority = h.get(":authority");
    // strip_any_host_port drops any :port from the Host; strip_matching_host_port only the listener's own port.
    if (hcm.getStripAnyHostPort()) {
      authority = stripPort(authority);
    } else if (hcm.getStripMatchingHostPort()) {
      String port = portOf(authority);
      if (port != null && port.equals(String.valueOf(listener.getAddress().getSocketAddress().getPortValue()))) {
        authority = stripPort(authority);
      }
    }
    if (!authority.equals(h.get(":authority"))) {
      d.trace("host port stripped: " + authority);
      h.set(":authority", authority);
    }
    return h;
  }

  static String stripPort(String host) {
    int end = portStart(host);
    return end < 0 ? host : host.substring(0, end);
  }

  private static String portOf(String host) {
    int end = portStart(host);
    return end < 0 ? null : host.substring(end + 1);
  }

  /** The index of the ':' before a numeric port (IPv6 literals in brackets respected), or -1. */
  private static int portStart(String host) {
    int colon = host.lastIndexOf(':');
    if (colon < 0 || colon == host.length() - 1 || (host.startsWith("[") && colon < host.lastIndexOf(']'))) {
      return -1;
    }
    for (int i = colon + 1; i < host.length(); i++) {
      if (!Character.isDigit(host.charAt(i))) {
        return -1;
      }
    }
    return colon;
  }

  // ------------------------------------------------------------------------------------------------ virtual host

  /**
   * Envoy's virtual host lookup, case-insensitive: an exact domain; else the longest suffix wildcard
   * ({@code *.foo.com}, {@code *-bar.foo.com}) whose fixed part is shorter than the host (the '*' matches at least
   * one character); else the longest prefix wildcard ({@code foo.*}); else the virtual host with {@code *}.
   */
  static VirtualHost virtualHost(RouteConfiguration rc, String host, RouteDecision.Builder d) {
    String h = host.toLowerCase(Locale.ROOT);
    VirtualHost suffixVh = null;
    int suffixLen = -1;
    VirtualHost prefixVh = null;
    int prefixLen = -1;
    VirtualHost defaultVh = null;
    for (VirtualHost vh : rc.getVirtualHostsList()) {
      for (String domain : vh.getDomainsList()) {
        String dom = domain.toLowerCase(Locale.ROOT);
        if (dom.equals("*")) {
          if (defaultVh == null) {
            defaultVh = vh;
          }
        } else if (dom.startsWith("*")) {
          String suffix = dom.substring(1);
          if (suffix.length() < h.length() && h.endsWith(suffix) && suffix.length() > suffixLen) {
            suffixVh = vh;
            suffixLen = suffix.length();
          }
        } else if (dom.endsWith("*")) {
          String prefix = dom.substring(0, dom.length() - 1);
          if (prefix.length() < h.length() && h.startsWith(prefix) && prefix.length() > prefixLen) {
            prefixVh = vh;
            prefixLen = prefix.length();
          }
        } else if (dom.equals(h)) {
          d.trace("virtual host " + vh.getName() + " (exact domain " + domain + ")");
          return vh;
        }
      }
    }
    if (suffixVh != null) {
      d.trace("virtual host " + suffixVh.getName() + " (suffix wildcard *" + h.substring(h.length() - suffixLen) + ")");
      return suffixVh;
    }
    if (prefixVh != null) {
      d.trace("virtual host " + prefixVh.getName() + " (prefix wildcard " + h.substring(0, prefixLen) + "*)");
      return prefixVh;
    }
    if (defaultVh != null) {
      d.trace("virtual host " + defaultVh.getName() + " (domain *)");
    }
    return defaultVh;
  }

  // ------------------------------------------------------------------------------------------------ route match

  private static boolean matches(RouteMatch m, HeaderMap headers, Map<String, String> query, long random,
      RouteDecision.Builder d) {
    String path = headers.get(":path");
    // case_sensitive (default true) applies to prefix, path and path_separated_prefix, not to safe_regex.
    boolean cs = !m.hasCaseSensitive() || m.getCaseSensitive().getValue();
    boolean pathOk = switch (m.getPathSpecifierCase()) {
      // prefix: compared with the whole :path, query string included
      case PREFIX -> startsWith(path, m.getPrefix(), cs);
      // path: the path without query string or fragment must equal it
      case PATH -> cs ? stripQuery(path).equals(m.getPath()) : stripQuery(path).equalsIgnoreCase(m.getPath());
      // safe_regex: full match of the path without query string or fragment
      case SAFE_REGEX -> EnvoyMatchers.regexFullMatch(m.getSafeRegex().getRegex(), stripQuery(path));
      // path_separated_prefix: the path (no query) equals the prefix or continues with '/' after it
      case PATH_SEPARATED_PREFIX -> {
        String p = stripQuery(path);
        String prefix = m.getPathSeparatedPrefix();
        yield startsWith(p, prefix, cs) && (p.length() == prefix.length() || p.charAt(prefix.length()) == '/');
      }
      default -> {
        d.trace("route match " + m.getPathSpecifierCase() + " is not evaluated: treated as no match");
        yield false;
      }
    };
    if (!pathOk) {
      return false;
    }
    // runtime_fraction: enabled when random % denominator < numerator (runtime overrides are not known here)
    if (m.hasRuntimeFraction()) {
      FractionalPercent f = m.getRuntimeFraction().getDefaultValue();
      if (Long.remainderUnsigned(random, denominator(f)) >= f.getNumerator()) {
        return false;
      }
    }
    // headers: every matcher must match
    if (!EnvoyMatchers.allMatch(m.getHeadersList(), headers)) {
      return false;
    }
    // query_parameters: every matcher must match
    for (QueryParameterMatcher q : m.getQueryParametersList()) {
      if (!EnvoyMatchers.matches(q, query)) {
        return false;
      }
    }
    // grpc: only requests with content-type application/grpc*
    if (m.hasGrpc()) {
      String ct = headers.get("content-type");
      if (ct == null || !ct.startsWith("application/grpc")) {
        return false;
      }
    }
    if (m.hasTlsContext() || m.getDynamicMetadataCount() > 0 || m.getFilterStateCount() > 0) {
      d.trace("route match on TLS context / dynamic metadata / filter state is not evaluated: treated as no match");
      return false;
    }
    return true;
  }

  private static boolean startsWith(String s, String prefix, boolean caseSensitive) {
    return caseSensitive ? s.startsWith(prefix) : s.regionMatches(true, 0, prefix, 0, prefix.length());
  }

  static String stripQuery(String path) {
    int end = path.length();
    int q = path.indexOf('?');
    if (q >= 0) {
      end = q;
    }
    int f = path.indexOf('#');
    if (f >= 0 && f < end) {
      end = f;
    }
    return path.substring(0, end);
  }

  /** The part of the path a prefix_rewrite replaces: the prefix or path matched, or the whole path for regexes. */
  private static String matchedPath(RouteMatch m, String path) {
    return switch (m.getPathSpecifierCase()) {
      case PREFIX -> m.getPrefix();
      case PATH -> m.getPath();
      case PATH_SEPARATED_PREFIX -> m.getPathSeparatedPrefix();
      default -> stripQuery(path);
    };
  }

  /**
   * prefix_rewrite replaces the matched part of the path (query kept); regex_rewrite replaces every match in the path
   * without its query, then the query is put back. Null when there is nothing to rewrite.
   */
  static String rewritePath(String path, String matched, String prefixRewrite,
      io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute regexRewrite) {
    if (!prefixRewrite.isEmpty()) {
      return prefixRewrite + path.substring(Math.min(matched.length(), path.length()));
    }
    if (regexRewrite != null) {
      String justPath = stripQuery(path);
      return EnvoyMatchers.regexReplaceAll(regexRewrite, justPath) + path.substring(justPath.length());
    }
    return null;
  }

  private static RouteDecision.Source source(Route route) {
    Struct s = route.getMetadata().getFilterMetadataMap().get(SourceMetadata.FILTER_KEY);
    if (s == null || !s.containsFields("kind")) {
      return null;
    }
    Map<String, Value> f = s.getFieldsMap();
    return new RouteDecision.Source(
        f.get("kind").getStringValue(),
        f.containsKey("namespace") ? f.get("namespace").getStringValue() : null,
        f.containsKey("name") ? f.get("name").getStringValue() : "",
        f.containsKey("rule") ? (int) f.get("rule").getNumberValue() : null,
        f.containsKey("match") ? (int) f.get("match").getNumberValue() : null,
        f.containsKey("ruleName") ? f.get("ruleName").getStringValue() : null);
  }

  // ------------------------------------------------------------------------------------------------ actions

  /**
   * Header edit levels in the order Envoy applies them: route, virtual host, route configuration (so the least
   * specific wins an overwrite), reversed when most_specific_header_mutations_wins.
   */
  private static List<HeaderMutations.Level> levels(RouteConfiguration rc, VirtualHost vh, Route r, boolean request) {
    List<HeaderMutations.Level> levels = new ArrayList<>();
    if (request) {
      levels.add(new HeaderMutations.Level("route", r.getRequestHeadersToAddList(), r.getRequestHeadersToRemoveList()));
      levels.add(new HeaderMutations.Level("virtual host", vh.getRequestHeadersToAddList(),
          vh.getRequestHeadersToRemoveList()));
      levels.add(new HeaderMutations.Level("route configuration", rc.getRequestHeadersToAddList(),
          rc.getRequestHeadersToRemoveList()));
    } else {
      levels.add(new HeaderMutations.Level("route", r.getResponseHeadersToAddList(),
          r.getResponseHeadersToRemoveList()));
      levels.add(new HeaderMutations.Level("virtual host", vh.getResponseHeadersToAddList(),
          vh.getResponseHeadersToRemoveList()));
      levels.add(new HeaderMutations.Level("route configuration", rc.getResponseHeadersToAddList(),
          rc.getResponseHeadersToRemoveList()));
    }
    if (rc.getMostSpecificHeaderMutationsWins()) {
      java.util.Collections.reverse(levels);
    }
    return levels;
  }

  /**
   * Weighted selection: {@code random % total_weight} (the random value from header_name when set and numeric)
   * falls into one cluster's [begin, begin + weight) range, clusters taken in order; weight 0 is never picked.
   */
  private static WeightedCluster.ClusterWeight weighted(WeightedCluster wc, HeaderMap headers, long random,
      RouteDecision.Builder d) {
    long total = 0;
    StringBuilder desc = new StringBuilder();
    for (WeightedCluster.ClusterWeight c : wc.getClustersList()) {
      total += c.getWeight().getValue();
      desc.append(desc.length() == 0 ? "" : ", ").append(c.getName()).append('=').append(c.getWeight().getValue());
    }
    if (!wc.getHeaderName().isEmpty() && headers.get(wc.getHeaderName()) != null) {
      try {
        random = Long.parseUnsignedLong(headers.get(wc.getHeaderName()));
      } catch (NumberFormatException e) {
        // Envoy falls back to the stream's random value
      }
    }
    if (total == 0) {
      d.weightedClusters = desc + " (total weight 0: Envoy rejects this config)";
      return null;
    }
    long selected = Long.remainderUnsigned(random, total);
    long begin = 0;
    for (WeightedCluster.ClusterWeight c : wc.getClustersList()) {
      long end = begin + c.getWeight().getValue();
      if (selected >= begin && selected < end) {
        d.weightedClusters = desc + "; " + random + " % " + total + " = " + selected + " -> " + c.getName();
        d.trace("weighted clusters [" + desc + "]: " + random + " % " + total + " = " + selected + " picks "
            + c.getName());
        return c;
      }
      begin = end;
    }
    return null;
  }

  /**
   * The Location of a redirect, as Envoy's {@code Http::Utility::newUri} composes it: scheme_redirect, else
   * https_redirect, else the request's scheme; port_redirect becomes ":port" verbatim (Envoy does not drop a default
   * port it was given); without host_redirect the request host is kept, losing its port when a port_redirect is set
   * or when the scheme changes and the port was the old scheme's default; path_redirect (keeping the request's
   * query unless it has its own), else the (rewritten) request path; strip_query drops the query.
   */
  static String location(RedirectAction r, HeaderMap headers) {
    String scheme = !r.getSchemeRedirect().isEmpty() ? r.getSchemeRedirect()
        : r.getHttpsRedirect() ? "https" : headers.get(":scheme");
    String port = r.getPortRedirect() != 0 ? ":" + r.getPortRedirect() : "";
    String host = !r.getHostRedirect().isEmpty() ? r.getHostRedirect()
        : requestHost(headers.get(":authority"), scheme, port, headers.get("x-forwarded-proto"));
    String current = headers.get(":path");
    String path;
    boolean redirectHasQuery = r.getPathRedirect().contains("?");
    if (!r.getPathRedirect().isEmpty()) {
      int q = current.indexOf('?');
      path = redirectHasQuery || q < 0 ? r.getPathRedirect() : r.getPathRedirect() + current.substring(q);
    } else {
      path = current;
    }
    if (!path.startsWith("/")) {
      path = "/" + path;
    }
    if (!redirectHasQuery && r.getStripQuery() && path.indexOf('?') >= 0) {
      path = path.substring(0, path.indexOf('?'));
    }
    return scheme + "://" + host + port + path;
  }

  /** Envoy's processRequestHost: drops the request's port when a new port is set or the scheme changes from it. */
  private static String requestHost(String host, String newScheme, String newPort, String requestProto) {
    int colon = portStart(host);
    if (colon < 0) {
      return host;
    }
    String requestPort = host.substring(colon);
    boolean remove = !newPort.isEmpty();
    if (!newScheme.equals(requestProto)) {
      remove |= "https".equals(requestProto) && requestPort.equals(":443");
      remove |= "http".equals(requestProto) && requestPort.equals(":80");
    }
    return remove ? host.substring(0, colon) : host;
  }

  /** response_code: MOVED_PERMANENTLY 301 (the default), FOUND 302, SEE_OTHER 303, TEMPORARY 307, PERMANENT 308. */
  static int redirectCode(RedirectAction.RedirectResponseCode code) {
    return switch (code) {
      case FOUND -> 302;
      case SEE_OTHER -> 303;
      case TEMPORARY_REDIRECT -> 307;
      case PERMANENT_REDIRECT -> 308;
      default -> 301;
    };
  }

  private static long denominator(FractionalPercent f) {
    return switch (f.getDenominator()) {
      case TEN_THOUSAND -> 10_000;
      case MILLION -> 1_000_000;
      default -> 100;
    };
  }

  private static double percent(FractionalPercent f) {
    return 100.0 * f.getNumerator() / denominator(f);
  }
}
