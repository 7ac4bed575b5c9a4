package io.gloo.plugins.common;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.gloo.spi.policy.Violation;
import java.util.List;

/**
 * Gloo's {@code cors}: {@code allowOrigin[], allowOriginRegex[], allowMethods[], allowHeaders[], exposeHeaders[],
 * maxAge, allowCredentials, disableForRoute}, translated to the CORS filter's per-route
 * {@code extensions.filters.http.cors.v3.CorsPolicy} (in {@code typed_per_filter_config["envoy.filters.http.cors"]}).
 */
public class CorsPolicy extends GlooObject {

  public List<String> allowOrigin;
  public List<String> allowOriginRegex;
  public List<String> allowMethods;
  public List<String> allowHeaders;
  public List<String> exposeHeaders;
  public String maxAge;
  public Boolean allowCredentials;
  public Boolean disableForRoute;

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    boolean disabled = Boolean.TRUE.equals(disableForRoute);
    if (!disabled && isEmpty(allowOrigin) && isEmpty(allowOriginRegex)) {
      out.add(new Violation(Paths.join(path, "allowOrigin"),
          "at least one of allowOrigin or allowOriginRegex is required"));
    }
    if (allowOriginRegex != null) {
      for (int i = 0; i < allowOriginRegex.size(); i++) {
        Regexes.check(allowOriginRegex.get(i), Paths.join(path, "allowOriginRegex") + "[" + i + "]", out);
      }
    }
    if (maxAge != null) {
      try {
        maxAgeSeconds(maxAge);
      } catch (IllegalArgumentException e) {
        out.add(new Violation(Paths.join(path, "maxAge"), e.getMessage()));
      }
    }
  }

  private static boolean isEmpty(List<String> list) {
    return list == null || list.isEmpty();
  }

  /**
   * Envoy writes {@code max_age} into {@code access-control-max-age} as is, so it must be whole seconds. Gloo
   * passes the string through; we also accept a duration ({@code 3628800s}, {@code 1h}) and convert it.
   */
  static String maxAgeSeconds(String maxAge) {
    String s = maxAge.trim();
    if (s.matches("\\d+")) {
      return s;
    }
    return Long.toString(Durations.parse(s).getSeconds());
  }

  public io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy toEnvoy() {
    var b = io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.newBuilder();
    if (allowOrigin != null) {
      allowOrigin.forEach(o -> b.addAllowOriginStringMatch(StringMatcher.newBuilder().setExact(o)));
    }
    if (allowOriginRegex != null) {
      allowOriginRegex.forEach(r -> b.addAllowOriginStringMatch(StringMatcher.newBuilder()
          .setSafeRegex(RegexMatcher.newBuilder().setRegex(r))));
    }
    if (!isEmpty(allowMethods)) {
      b.setAllowMethods(String.join(",", allowMethods));
    }
    if (!isEmpty(allowHeaders)) {
      b.setAllowHeaders(String.join(",", allowHeaders));
    }
    if (!isEmpty(exposeHeaders)) {
      b.setExposeHeaders(String.join(",", exposeHeaders));
    }
    if (maxAge != null) {
      b.setMaxAge(maxAgeSeconds(maxAge));
    }
    if (allowCredentials != null) {
      b.setAllowCredentials(BoolValue.of(allowCredentials));
    }
    if (Boolean.TRUE.equals(disableForRoute)) {
      // as Gloo does: the filter stays in the chain, the policy is enabled for 0% of requests here
      b.setFilterEnabled(RuntimeFractionalPercent.newBuilder().setDefaultValue(FractionalPercent.newBuilder()
          .setNumerator(0).setDenominator(FractionalPercent.DenominatorType.HUNDRED)));
    }
    return b.build();
  }
}
