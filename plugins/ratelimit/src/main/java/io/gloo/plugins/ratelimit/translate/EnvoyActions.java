package io.gloo.plugins.ratelimit.translate;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RateLimit;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.metadata.v3.MetadataKey;
import io.envoyproxy.envoy.type.v3.Int64Range;
import io.gloo.plugins.ratelimit.config.Action;
import io.gloo.plugins.ratelimit.config.RateLimitActions;
import io.gloo.plugins.ratelimit.service.RuleSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Gloo rate-limit actions → Envoy {@code RateLimit}s. A config's actions start with the entry that selects its rule
 * domain ({@link RuleSet#CONFIG_KEY}); set-style actions then carry the set marker ({@link RuleSet#SET_KEY}), so the
 * service matches them against set-style rules.
 */
final class EnvoyActions {

  private EnvoyActions() {}

  /**
   * The Envoy rate limits of {@code limits} at {@code stage}: one per non-empty {@code actions} list and one per
   * non-empty {@code setActions} list.
   *
   * @param configDomain the config's signed selector ({@link io.gloo.plugins.ratelimit.service.ConfigGrants}), or
   *     null for inline actions (domain of the filter)
   */
  static List<RateLimit> rateLimits(List<RateLimitActions> limits, int stage, String configDomain) {
    List<RateLimit> out = new ArrayList<>();
    if (limits == null) {
      return out;
    }
    for (RateLimitActions l : limits) {
      if (l.actions != null && !l.actions.isEmpty()) {
        out.add(rateLimit(stage, configDomain, false, l.actions));
      }
      if (l.setActions != null && !l.setActions.isEmpty()) {
        out.add(rateLimit(stage, configDomain, true, l.setActions));
      }
    }
    return out;
  }

  private static RateLimit rateLimit(int stage, String configDomain, boolean set, List<Action> actions) {
    RateLimit.Builder r = RateLimit.newBuilder();
    if (stage != 0) {
      r.setStage(UInt32Value.of(stage));
    }
    if (configDomain != null) {
      r.addActions(genericKey(RuleSet.CONFIG_KEY, configDomain));
    }
    if (set) {
      r.addActions(genericKey(RuleSet.SET_KEY, RuleSet.SET_VALUE));
    }
    for (Action a : actions) {
      r.addActions(action(a));
    }
    return r.build();
  }

  private static RateLimit.Action genericKey(String key, String value) {
    return RateLimit.Action.newBuilder().setGenericKey(RateLimit.Action.GenericKey.newBuilder()
        .setDescriptorKey(key).setDescriptorValue(value)).build();
  }

  static RateLimit.Action action(Action a) {
    RateLimit.Action.Builder b = RateLimit.Action.newBuilder();
    if (a.sourceCluster != null) {
      b.setSourceCluster(RateLimit.Action.SourceCluster.getDefaultInstance());
    } else if (a.destinationCluster != null) {
      b.setDestinationCluster(RateLimit.Action.DestinationCluster.getDefaultInstance());
    } else if (a.remoteAddress != null) {
      b.setRemoteAddress(RateLimit.Action.RemoteAddress.getDefaultInstance());
    } else if (a.requestHeaders != null) {
      RateLimit.Action.RequestHeaders.Builder h = RateLimit.Action.RequestHeaders.newBuilder()
          .setHeaderName(a.requestHeaders.headerName).setDescriptorKey(a.requestHeaders.descriptorKey);
      if (Boolean.TRUE.equals(a.requestHeaders.skipIfAbsent)) {
        h.setSkipIfAbsent(true);
      }
      b.setRequestHeaders(h);
    } else if (a.genericKey != null) {
      RateLimit.Action.GenericKey.Builder g = RateLimit.Action.GenericKey.newBuilder()
          .setDescriptorValue(a.genericKey.descriptorValue);
      if (a.genericKey.descriptorKey != null) {
        g.setDescriptorKey(a.genericKey.descriptorKey);
      }
      b.setGenericKey(g);
    } else if (a.headerValueMatch != null) {
      RateLimit.Action.HeaderValueMatch.Builder m = RateLimit.Action.HeaderValueMatch.newBuilder()
          .setDescriptorValue(a.headerValueMatch.descriptorValue)
          .setExpectMatch(BoolValue.of(a.headerValueMatch.expectMatch == null || a.headerValueMatch.expectMatch));
      if (a.headerValueMatch.descriptorKey != null) {
        m.setDescriptorKey(a.headerValueMatch.descriptorKey);
      }
      for (Action.HeaderMatcher h : a.headerValueMatch.headers) {
        m.addHeaders(headerMatcher(h));
      }
      b.setHeaderValueMatch(m);
    } else if (a.metadata != null) {
      MetadataKey.Builder key = MetadataKey.newBuilder().setKey(a.metadata.metadataKey.key);
      for (Action.Metadata.PathSegment p : a.metadata.metadataKey.path) {
        key.addPath(MetadataKey.PathSegment.newBuilder().setKey(p.key));
      }
      RateLimit.Action.MetaData.Builder md = RateLimit.Action.MetaData.newBuilder()
          .setDescriptorKey(a.metadata.descriptorKey).setMetadataKey(key)
          .setSource("ROUTE_ENTRY".equals(a.metadata.source)
              ? RateLimit.Action.MetaData.Source.ROUTE_ENTRY : RateLimit.Action.MetaData.Source.DYNAMIC);
      if (a.metadata.defaultValue != null) {
        md.setDefaultValue(a.metadata.defaultValue);
      }
      if (Boolean.TRUE.equals(a.metadata.skipIfAbsent)) {
        md.setSkipIfAbsent(true);
      }
      b.setMetadata(md);
    }
    return b.build();
  }

  static HeaderMatcher headerMatcher(Action.HeaderMatcher h) {
    HeaderMatcher.Builder m = HeaderMatcher.newBuilder().setName(h.name);
    if (h.exactMatch != null) {
      m.setStringMatch(StringMatcher.newBuilder().setExact(h.exactMatch));
    } else if (h.regexMatch != null) {
      m.setStringMatch(StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(h.regexMatch)));
    } else if (h.safeRegexMatch != null) {
      m.setStringMatch(StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder()
          .setRegex(h.safeRegexMatch.regex)));
    } else if (h.rangeMatch != null) {
      m.setRangeMatch(Int64Range.newBuilder().setStart(h.rangeMatch.start).setEnd(h.rangeMatch.end));
    } else if (h.prefixMatch != null) {
      m.setStringMatch(StringMatcher.newBuilder().setPrefix(h.prefixMatch));
    } else if (h.suffixMatch != null) {
      m.setStringMatch(StringMatcher.newBuilder().setSuffix(h.suffixMatch));
    } else {
      m.setPresentMatch(h.presentMatch == null || h.presentMatch);
    }
    if (Boolean.TRUE.equals(h.invertMatch)) {
      m.setInvertMatch(true);
    }
    return m.build();
  }
}
