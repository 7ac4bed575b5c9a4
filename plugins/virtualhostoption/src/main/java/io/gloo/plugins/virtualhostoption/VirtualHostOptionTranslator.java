package io.gloo.plugins.virtualhostoption;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualCluster;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.gloo.plugins.common.EnvoyFilters;
import io.gloo.plugins.common.HeaderManipulation;
import io.gloo.spi.translate.ListenerContext;
import io.gloo.spi.translate.PolicyTranslator;
import io.gloo.spi.translate.StagedHttpFilter;
import io.gloo.spi.translate.VirtualHostContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * VirtualHostOption → Envoy virtual host. Route-level settings of the same feature win through Envoy's own
 * precedence (a route's retry_policy and typed_per_filter_config replace the virtual host's); routes inherit what
 * they do not set. Header edits apply at both levels (the route's first).
 */
final class VirtualHostOptionTranslator implements PolicyTranslator<VirtualHostOptionSpec> {

  @Override
  public void virtualHost(VirtualHostContext context, VirtualHostOptionSpec spec, VirtualHost.Builder vhost) {
    VirtualHostOptions o = spec.options;
    if (o == null) {
      return;
    }
    if (o.retries != null) {
      vhost.setRetryPolicy(o.retries.toEnvoy());
    }
    if (o.headerManipulation != null) {
      HeaderManipulation.Envoy h = o.headerManipulation.toEnvoy();
      vhost.addAllRequestHeadersToAdd(h.requestHeadersToAdd())
          .addAllRequestHeadersToRemove(h.requestHeadersToRemove())
          .addAllResponseHeadersToAdd(h.responseHeadersToAdd())
          .addAllResponseHeadersToRemove(h.responseHeadersToRemove());
    }
    if (o.cors != null) {
      CorsPolicy policy = o.cors.toEnvoy();
      vhost.putTypedPerFilterConfig(EnvoyFilters.CORS, EnvoyFilters.pack(policy));
      if (o.corsPolicyMergeSettings != null && o.corsPolicyMergeSettings.union()) {
        unionExposeHeaders(context, vhost, policy.getExposeHeaders());
      }
    } else if (o.corsPolicyMergeSettings != null) {
      context.diagnostics().warning("options.corsPolicyMergeSettings", "has no effect without options.cors");
    }
    if (o.includeRequestAttemptCount != null) {
      vhost.setIncludeRequestAttemptCount(o.includeRequestAttemptCount);
    }
    if (o.includeAttemptCountInResponse != null) {
      vhost.setIncludeAttemptCountInResponse(o.includeAttemptCountInResponse);
    }
    if (o.stats != null && o.stats.virtualClusters != null) {
      for (VirtualHostOptions.VirtualCluster vc : o.stats.virtualClusters) {
        VirtualCluster.Builder b = VirtualCluster.newBuilder().setName(vc.name)
            .addHeaders(HeaderMatcher.newBuilder().setName(":path").setStringMatch(StringMatcher.newBuilder()
                .setSafeRegex(RegexMatcher.newBuilder().setRegex(vc.pattern))));
        if (vc.method != null && !vc.method.isEmpty()) {
          b.addHeaders(HeaderMatcher.newBuilder().setName(":method")
              .setStringMatch(StringMatcher.newBuilder().setExact(vc.method)));
        }
        vhost.addVirtualClusters(b);
      }
    }
    if (o.bufferPerRoute != null) {
      vhost.putTypedPerFilterConfig(EnvoyFilters.BUFFER, EnvoyFilters.pack(o.bufferPerRoute.toEnvoy()));
    }
    if (o.csrf != null) {
      vhost.putTypedPerFilterConfig(EnvoyFilters.CSRF, EnvoyFilters.pack(o.csrf.toEnvoy()));
    }
  }

  /**
   * {@code corsPolicyMergeSettings.exposeHeaders: UNION}: a route with its own CORS policy exposes its headers and
   * the virtual host's (Envoy alone would use only the route's). Edits only the routes' CORS per-filter config.
   */
  private static void unionExposeHeaders(VirtualHostContext context, VirtualHost.Builder vhost, String vhostHeaders) {
    if (vhostHeaders.isEmpty()) {
      return;
    }
    for (Route.Builder route : vhost.getRoutesBuilderList()) {
      Any any = route.getTypedPerFilterConfigMap().get(EnvoyFilters.CORS);
      if (any == null || !any.is(CorsPolicy.class)) {
        continue;
      }
      try {
        CorsPolicy routePolicy = any.unpack(CorsPolicy.class);
        Set<String> union = new LinkedHashSet<>();
        for (String h : (routePolicy.getExposeHeaders() + "," + vhostHeaders).split(",")) {
          if (!h.isBlank()) {
            union.add(h.trim());
          }
        }
        route.putTypedPerFilterConfig(EnvoyFilters.CORS, EnvoyFilters.pack(routePolicy.toBuilder()
            .setExposeHeaders(String.join(",", union)).build()));
      } catch (InvalidProtocolBufferException e) {
        context.diagnostics().warning("options.corsPolicyMergeSettings",
            "route " + route.getName() + " has an unreadable CORS policy; not merged");
      }
    }
  }

  @Override
  public List<StagedHttpFilter> httpFilters(ListenerContext context, VirtualHostOptionSpec spec) {
    VirtualHostOptions o = spec.options;
    List<StagedHttpFilter> filters = new ArrayList<>();
    if (o == null) {
      return filters;
    }
    if (o.cors != null) {
      filters.add(EnvoyFilters.cors());
    }
    if (o.csrf != null) {
      filters.add(EnvoyFilters.csrf());
    }
    if (o.bufferPerRoute != null) {
      filters.add(EnvoyFilters.buffer());
    }
    return filters;
  }
}
