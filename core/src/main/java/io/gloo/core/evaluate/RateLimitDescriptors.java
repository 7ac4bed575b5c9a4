package io.gloo.core.evaluate;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.route.v3.RateLimit;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimitPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.metadata.v3.MetadataKey;
import java.util.ArrayList;
import java.util.List;

/**
 * The rate-limit descriptors Envoy's {@code envoy.filters.http.ratelimit} filters would send for a request, from the
 * route's and virtual host's {@code rate_limits} (Envoy's RateLimit proto; nothing plugin-specific). Per filter (in
 * chain order, disabled ones skipped): the rate limits whose {@code stage} is the filter's — the route's, and the
 * virtual host's when the route has none (Envoy's default {@code vh_rate_limits: OVERRIDE}; {@code INCLUDE} and
 * {@code IGNORE} from the route's per-filter config are honoured). Each rate limit's actions append entries in
 * order; an action that cannot produce its entry drops the whole descriptor (unless it is {@code skip_if_absent}).
 * What the evaluator cannot know is written as a placeholder: the client address ({@code <client address>}), the
 * proxy's local cluster ({@code <local cluster>}); dynamic metadata is unknown, so such an action falls back to its
 * {@code default_value}.
 */
final class RateLimitDescriptors {

  static final String FILTER_TYPE = "type.googleapis.com/"
      + io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit.getDescriptor().getFullName();
  static final String PER_ROUTE_TYPE = "type.googleapis.com/" + RateLimitPerRoute.getDescriptor().getFullName();

  private RateLimitDescriptors() {}

  /** For a forwarding route: every filter's descriptors. */
  static List<RouteDecision.RateLimitCall> evaluate(HttpConnectionManager hcm, VirtualHost vh, Route route,
      String cluster, HeaderMap headers, List<String> trace) {
    List<RouteDecision.RateLimitCall> calls = new ArrayList<>();
    for (HttpFilter f : hcm.getHttpFiltersList()) {
      if (f.getDisabled() || !f.getTypedConfig().getTypeUrl().equals(FILTER_TYPE)) {
        continue;
      }
      io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit config;
      try {
        config = f.getTypedConfig().unpack(io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit.class);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException("malformed rate-limit filter " + f.getName(), e);
      }
      int stage = config.getStage();
      List<RateLimit> limits = new ArrayList<>();
      List<RateLimit> routeLimits = route.getRoute().getRateLimitsList();
      RateLimitPerRoute.VhRateLimitsOptions vhOption = vhOption(route, f.getName());
      limits.addAll(routeLimits);
      if (vhOption == RateLimitPerRoute.VhRateLimitsOptions.INCLUDE
          || (vhOption == RateLimitPerRoute.VhRateLimitsOptions.OVERRIDE && routeLimits.isEmpty())) {
        limits.addAll(vh.getRateLimitsList());
      }
      List<List<RouteDecision.Entry>> descriptors = new ArrayList<>();
      for (RateLimit limit : limits) {
        if ((limit.hasStage() ? limit.getStage().getValue() : 0) != stage) {
          continue;
        }
        List<RouteDecision.Entry> entries = descriptor(limit, route, cluster, headers, trace, f.getName());
        if (entries != null && !entries.isEmpty()) {
          descriptors.add(entries);
        }
      }
      if (!descriptors.isEmpty()) {
        StringBuilder line = new StringBuilder("rate-limit filter " + f.getName() + " (stage " + stage
            + ") asks domain " + config.getDomain() + " about");
        for (List<RouteDecision.Entry> descriptor : descriptors) {
          line.append(" [");
          for (int i = 0; i < descriptor.size(); i++) {
            line.append(i == 0 ? "" : ", ").append(descriptor.get(i).key()).append('=')
                .append(descriptor.get(i).value());
          }
          line.append(']');
        }
        trace.add(line.toString());
        calls.add(new RouteDecision.RateLimitCall(f.getName(), config.getDomain(), stage, descriptors));
      }
    }
    return calls;
  }

  private static RateLimitPerRoute.VhRateLimitsOptions vhOption(Route route, String filter) {
    var perRoute = route.getTypedPerFilterConfigMap().get(filter);
    if (perRoute != null && perRoute.getTypeUrl().equals(PER_ROUTE_TYPE)) {
      try {
        return perRoute.unpack(RateLimitPerRoute.class).getVhRateLimits();
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException("malformed rate-limit per-route config of " + filter, e);
      }
    }
    return RateLimitPerRoute.VhRateLimitsOptions.OVERRIDE;
  }

  /** The descriptor of one rate limit, or null when an action cannot produce its entry. */
  private static List<RouteDecision.Entry> descriptor(RateLimit limit, Route route, String cluster,
      HeaderMap headers, List<String> trace, String filter) {
    List<RouteDecision.Entry> entries = new ArrayList<>();
    for (RateLimit.Action a : limit.getActionsList()) {
      switch (a.getActionSpecifierCase()) {
        case SOURCE_CLUSTER -> entries.add(new RouteDecision.Entry("source_cluster", "<local cluster>"));
        case DESTINATION_CLUSTER -> entries.add(new RouteDecision.Entry("destination_cluster", cluster));
        case REMOTE_ADDRESS -> entries.add(new RouteDecision.Entry("remote_address", "<client address>"));
        case GENERIC_KEY -> entries.add(new RouteDecision.Entry(
            a.getGenericKey().getDescriptorKey().isEmpty() ? "generic_key" : a.getGenericKey().getDescriptorKey(),
            a.getGenericKey().getDescriptorValue()));
        case REQUEST_HEADERS -> {
          String value = headers.getJoined(a.getRequestHeaders().getHeaderName());
          if (value == null) {
            if (a.getRequestHeaders().getSkipIfAbsent()) {
              continue;
            }
            trace.add(filter + ": header " + a.getRequestHeaders().getHeaderName() + " is absent: descriptor "
                + "not sent");
            return null;
          }
          entries.add(new RouteDecision.Entry(a.getRequestHeaders().getDescriptorKey(), value));
        }
        case HEADER_VALUE_MATCH -> {
          RateLimit.Action.HeaderValueMatch m = a.getHeaderValueMatch();
          boolean expect = !m.hasExpectMatch() || m.getExpectMatch().getValue();
          if (EnvoyMatchers.allMatch(m.getHeadersList(), headers) != expect) {
            trace.add(filter + ": header_value_match '" + m.getDescriptorValue() + "' does not hold: descriptor "
                + "not sent");
            return null;
          }
          entries.add(new RouteDecision.Entry(m.getDescriptorKey().isEmpty() ? "header_match"
              : m.getDescriptorKey(), m.getDescriptorValue()));
        }
        case METADATA -> {
          RateLimit.Action.MetaData m = a.getMetadata();
          String value = m.getSource() == RateLimit.Action.MetaData.Source.ROUTE_ENTRY
              ? metadataString(route.getMetadata(), m.getMetadataKey()) : null;
          if (value == null || value.isEmpty()) {
            value = m.getDefaultValue().isEmpty() ? null : m.getDefaultValue();
          }
          if (value == null) {
            if (m.getSkipIfAbsent()) {
              continue;
            }
            trace.add(filter + ": metadata " + m.getMetadataKey().getKey() + " is not known here and has no "
                + "default_value: descriptor not sent");
            return null;
          }
          entries.add(new RouteDecision.Entry(m.getDescriptorKey(), value));
        }
        default -> {
          trace.add(filter + ": rate-limit action " + a.getActionSpecifierCase() + " is not evaluated: descriptor "
              + "not shown");
          return null;
        }
      }
    }
    return entries;
  }

  private static String metadataString(Metadata metadata, MetadataKey key) {
    Struct s = metadata.getFilterMetadataMap().get(key.getKey());
    Value v = null;
    for (MetadataKey.PathSegment p : key.getPathList()) {
      if (s == null) {
        return null;
      }
      v = s.getFieldsMap().get(p.getKey());
      s = v != null && v.hasStructValue() ? v.getStructValue() : null;
    }
    return v != null && v.hasStringValue() ? v.getStringValue() : null;
  }
}
