package io.gloo.plugins.routeoption;

import com.google.protobuf.BoolValue;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.gloo.plugins.common.Durations;
import io.gloo.plugins.common.EnvoyFilters;
import io.gloo.plugins.common.HeaderManipulation;
import io.gloo.plugins.common.Percentages;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.translate.ListenerContext;
import io.gloo.spi.translate.PolicyTranslator;
import io.gloo.spi.translate.RouteContext;
import io.gloo.spi.translate.StagedHttpFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RouteOption → Envoy route. Edits only the route's action and options (never its name or match). Action fields
 * (timeouts, retries, rewrites, shadowing, hashing, upgrades) need a forwarding route; on a redirect or direct
 * response they are reported and ignored.
 */
final class RouteOptionTranslator implements PolicyTranslator<RouteOptionSpec> {

  /** The filter_metadata key core uses for source attribution; envoyMetadata may not overwrite it. */
  static final String SOURCE_METADATA_KEY = "io.gloo.source";
  static final GroupKind UPSTREAM = new GroupKind("gloo.solo.io", "Upstream");

  @Override
  public void route(RouteContext context, RouteOptionSpec spec, Route.Builder route) {
    RouteOptions o = spec.options;
    if (o == null) {
      return;
    }
    if (route.hasRoute()) {
      action(context, o, route.getRouteBuilder());
    } else {
      for (String f : actionFields(o)) {
        context.diagnostics().warning("options." + f, "applies only to rules that forward to a backend; ignored "
            + "on " + context.httpRoute() + " rule " + context.rule());
      }
    }
    if (o.headerManipulation != null) {
      HeaderManipulation.Envoy h = o.headerManipulation.toEnvoy();
      route.addAllRequestHeadersToAdd(h.requestHeadersToAdd())
          .addAllRequestHeadersToRemove(h.requestHeadersToRemove())
          .addAllResponseHeadersToAdd(h.responseHeadersToAdd())
          .addAllResponseHeadersToRemove(h.responseHeadersToRemove());
    }
    if (o.cors != null) {
      route.putTypedPerFilterConfig(EnvoyFilters.CORS, EnvoyFilters.pack(o.cors.toEnvoy()));
    }
    if (o.faults != null && (o.faults.abort != null || o.faults.delay != null)) {
      route.putTypedPerFilterConfig(EnvoyFilters.FAULT, EnvoyFilters.pack(fault(o.faults)));
    }
    if (o.bufferPerRoute != null) {
      route.putTypedPerFilterConfig(EnvoyFilters.BUFFER, EnvoyFilters.pack(o.bufferPerRoute.toEnvoy()));
    }
    if (o.csrf != null) {
      route.putTypedPerFilterConfig(EnvoyFilters.CSRF, EnvoyFilters.pack(o.csrf.toEnvoy()));
    }
    if (o.envoyMetadata != null) {
      o.envoyMetadata.forEach((key, fields) -> route.getMetadataBuilder()
          .putFilterMetadata(key, struct(fields == null ? Map.of() : fields)));
    }
  }

  private static List<String> actionFields(RouteOptions o) {
    List<String> fields = new ArrayList<>();
    Object[][] all = {{"timeout", o.timeout}, {"idleTimeout", o.idleTimeout},
        {"maxStreamDuration", o.maxStreamDuration}, {"retries", o.retries}, {"prefixRewrite", o.prefixRewrite},
        {"regexRewrite", o.regexRewrite}, {"hostRewrite", o.hostRewrite}, {"autoHostRewrite", o.autoHostRewrite},
        {"hostRewriteHeader", o.hostRewriteHeader}, {"hostRewritePathRegex", o.hostRewritePathRegex},
        {"appendXForwardedHost", o.appendXForwardedHost}, {"shadowing", o.shadowing}, {"lbHash", o.lbHash},
        {"upgrades", o.upgrades}};
    for (Object[] f : all) {
      if (f[1] != null) {
        fields.add((String) f[0]);
      }
    }
    return fields;
  }

  private static void action(RouteContext context, RouteOptions o, RouteAction.Builder a) {
    if (o.timeout != null) {
      a.setTimeout(Durations.parse(o.timeout)); // 0s disables the timeout; unset keeps Envoy's 15s
    }
    if (o.idleTimeout != null) {
      a.setIdleTimeout(Durations.parse(o.idleTimeout));
    }
    if (o.maxStreamDuration != null) {
      var m = RouteAction.MaxStreamDuration.newBuilder();
      if (o.maxStreamDuration.maxStreamDuration != null) {
        m.setMaxStreamDuration(Durations.parse(o.maxStreamDuration.maxStreamDuration));
      }
      if (o.maxStreamDuration.grpcTimeoutHeaderMax != null) {
        m.setGrpcTimeoutHeaderMax(Durations.parse(o.maxStreamDuration.grpcTimeoutHeaderMax));
      }
      if (o.maxStreamDuration.grpcTimeoutHeaderOffset != null) {
        m.setGrpcTimeoutHeaderOffset(Durations.parse(o.maxStreamDuration.grpcTimeoutHeaderOffset));
      }
      a.setMaxStreamDuration(m);
    }
    if (o.retries != null) {
      a.setRetryPolicy(o.retries.toEnvoy());
    }
    // a RouteOption's rewrite replaces one the HTTPRoute's URLRewrite filter set (Envoy allows only one)
    if (o.prefixRewrite != null) {
      a.clearRegexRewrite().setPrefixRewrite(o.prefixRewrite);
    }
    if (o.regexRewrite != null) {
      a.clearPrefixRewrite().setRegexRewrite(regexRewrite(o.regexRewrite));
    }
    if (o.hostRewrite != null) {
      a.setHostRewriteLiteral(o.hostRewrite);
    } else if (Boolean.TRUE.equals(o.autoHostRewrite)) {
      a.setAutoHostRewrite(BoolValue.of(true));
    } else if (o.hostRewriteHeader != null) {
      a.setHostRewriteHeader(o.hostRewriteHeader);
    } else if (o.hostRewritePathRegex != null) {
      a.setHostRewritePathRegex(regexRewrite(o.hostRewritePathRegex));
    }
    if (o.appendXForwardedHost != null) {
      a.setAppendXForwardedHost(o.appendXForwardedHost);
    }
    if (o.shadowing != null) {
      shadow(context, o.shadowing, a);
    }
    if (o.lbHash != null && o.lbHash.hashPolicies != null) {
      for (RouteOptions.LbHash.HashPolicy p : o.lbHash.hashPolicies) {
        var h = RouteAction.HashPolicy.newBuilder();
        if (p.header != null) {
          h.setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName(p.header));
        } else if (p.cookie != null) {
          var c = RouteAction.HashPolicy.Cookie.newBuilder().setName(p.cookie.name);
          if (p.cookie.ttl != null) {
            c.setTtl(Durations.parse(p.cookie.ttl));
          }
          if (p.cookie.path != null) {
            c.setPath(p.cookie.path);
          }
          h.setCookie(c);
        } else {
          h.setConnectionProperties(RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true));
        }
        if (p.terminal != null) {
          h.setTerminal(p.terminal);
        }
        a.addHashPolicy(h);
      }
    }
    if (o.upgrades != null) {
      for (RouteOptions.Upgrade u : o.upgrades) {
        var cfg = RouteAction.UpgradeConfig.newBuilder().setUpgradeType(u.type());
        if (u.config().enabled != null) {
          cfg.setEnabled(BoolValue.of(u.config().enabled));
        }
        a.addUpgradeConfigs(cfg);
      }
    }
  }

  /**
   * Mirrors to the Upstream's cluster. Core resolves the Upstream (obeying ReferenceGrants across namespaces) and
   * includes its cluster in the snapshot even when no route forwards to it. An Upstream that does not resolve gets no
   * mirror (a mirror to a missing cluster would make the whole snapshot invalid) and a warning. The namespace
   * defaults to the HTTPRoute's.
   */
  private static void shadow(RouteContext context, RouteOptions.Shadowing s, RouteAction.Builder a) {
    String ns = s.upstream.namespace == null || s.upstream.namespace.isEmpty()
        ? namespaceOf(context.httpRoute()) : s.upstream.namespace;
    java.util.Optional<String> cluster = context.lookup().backendCluster(UPSTREAM, ns, s.upstream.name);
    if (cluster.isEmpty()) {
      context.diagnostics().warning("options.shadowing.upstream", "Upstream " + ns + "/" + s.upstream.name
          + " is not available (missing, rejected, not permitted across namespaces, or no plugin serves Upstreams):"
          + " nothing is mirrored");
      return;
    }
    double percent = s.percentage == null ? 0 : s.percentage;
    if (s.percentage == null) {
      context.diagnostics().warning("options.shadowing.percentage", "not set: Gloo's default of 0% is mirrored");
    }
    a.addRequestMirrorPolicies(RouteAction.RequestMirrorPolicy.newBuilder()
        .setCluster(cluster.get())
        .setRuntimeFraction(RuntimeFractionalPercent.newBuilder().setDefaultValue(Percentages.ofPercent(percent))));
  }

  private static String namespaceOf(String namespacedName) {
    int slash = namespacedName.indexOf('/');
    return slash < 0 ? "default" : namespacedName.substring(0, slash);
  }

  private static RegexMatchAndSubstitute regexRewrite(RouteOptions.RegexRewrite r) {
    return RegexMatchAndSubstitute.newBuilder()
        .setPattern(RegexMatcher.newBuilder().setRegex(r.pattern.regex))
        .setSubstitution(r.substitution)
        .build();
  }

  private static HTTPFault fault(RouteOptions.Faults f) {
    HTTPFault.Builder b = HTTPFault.newBuilder();
    if (f.abort != null) {
      b.setAbort(FaultAbort.newBuilder().setHttpStatus(f.abort.httpStatus)
          .setPercentage(Percentages.ofPercent(f.abort.percentage == null ? 0 : f.abort.percentage)));
    }
    if (f.delay != null) {
      b.setDelay(FaultDelay.newBuilder().setFixedDelay(Durations.parse(f.delay.fixedDelay))
          .setPercentage(Percentages.ofPercent(f.delay.percentage == null ? 0 : f.delay.percentage)));
    }
    return b.build();
  }

  @Override
  public List<StagedHttpFilter> httpFilters(ListenerContext context, RouteOptionSpec spec) {
    RouteOptions o = spec.options;
    List<StagedHttpFilter> filters = new ArrayList<>();
    if (o == null) {
      return filters;
    }
    if (o.faults != null && (o.faults.abort != null || o.faults.delay != null)) {
      filters.add(EnvoyFilters.fault());
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

  static Struct struct(Map<?, ?> map) {
    Struct.Builder s = Struct.newBuilder();
    map.forEach((k, v) -> s.putFields(String.valueOf(k), value(v)));
    return s.build();
  }

  private static Value value(Object v) {
    if (v == null) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
    if (v instanceof Boolean b) {
      return Value.newBuilder().setBoolValue(b).build();
    }
    if (v instanceof Number n) {
      return Value.newBuilder().setNumberValue(n.doubleValue()).build();
    }
    if (v instanceof Map<?, ?> m) {
      return Value.newBuilder().setStructValue(struct(m)).build();
    }
    if (v instanceof List<?> l) {
      ListValue.Builder list = ListValue.newBuilder();
      l.forEach(e -> list.addValues(value(e)));
      return Value.newBuilder().setListValue(list).build();
    }
    return Value.newBuilder().setStringValue(String.valueOf(v)).build();
  }
}
