package io.gloo.plugins.common;

import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.gloo.spi.policy.Violation;
import java.util.List;
import java.util.Set;

/**
 * Gloo's {@code csrf}: {@code filterEnabled, shadowEnabled} ({@code {defaultValue{numerator, denominator},
 * runtimeKey}}) and {@code additionalOrigins[]} (string matchers), translated to
 * {@code extensions.filters.http.csrf.v3.CsrfPolicy} in {@code typed_per_filter_config["envoy.filters.http.csrf"]}.
 * When neither filterEnabled nor shadowEnabled is given, the policy is enforced for every request (configuring
 * CSRF means wanting it); when only shadowEnabled is given, enforcement is 0%.
 */
public class CsrfPolicy extends GlooObject {

  public RuntimePercent filterEnabled;
  public RuntimePercent shadowEnabled;
  public List<StringMatch> additionalOrigins;

  /** Envoy's RuntimeFractionalPercent in Gloo's JSON: {@code {defaultValue{numerator, denominator}, runtimeKey}}. */
  public static class RuntimePercent extends GlooObject {
    public Fraction defaultValue;
    public String runtimeKey;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if (defaultValue == null) {
        out.add(new Violation(Paths.join(path, "defaultValue"), "is required"));
      } else {
        defaultValue.validate(Paths.join(path, "defaultValue"), out);
      }
    }

    RuntimeFractionalPercent toEnvoy() {
      var b = RuntimeFractionalPercent.newBuilder().setDefaultValue(defaultValue.toEnvoy());
      if (runtimeKey != null) {
        b.setRuntimeKey(runtimeKey);
      }
      return b.build();
    }
  }

  /** {@code {numerator, denominator: HUNDRED|TEN_THOUSAND|MILLION}} (default HUNDRED). */
  public static class Fraction extends GlooObject {
    public Long numerator;
    public String denominator;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if (numerator != null && (numerator < 0 || numerator > 0xFFFF_FFFFL)) {
        out.add(new Violation(Paths.join(path, "numerator"), "out of range: " + numerator));
      }
      if (denominator != null && !Set.of("HUNDRED", "TEN_THOUSAND", "MILLION").contains(denominator)) {
        out.add(new Violation(Paths.join(path, "denominator"), "must be HUNDRED, TEN_THOUSAND or MILLION"));
      }
    }

    FractionalPercent toEnvoy() {
      return FractionalPercent.newBuilder()
          .setNumerator(numerator == null ? 0 : (int) (long) numerator)
          .setDenominator(denominator == null ? FractionalPercent.DenominatorType.HUNDRED
              : FractionalPercent.DenominatorType.valueOf(denominator))
          .build();
    }
  }

  /** Envoy's StringMatcher: one of {@code exact, prefix, suffix, safeRegex{regex}, contains}; {@code ignoreCase}. */
  public static class StringMatch extends GlooObject {
    public String exact;
    public String prefix;
    public String suffix;
    public String contains;
    public SafeRegex safeRegex;
    public Boolean ignoreCase;

    /** {@code {regex}}; the deprecated {@code googleRe2} is accepted and ignored. */
    public static class SafeRegex extends GlooObject {
      public String regex;
      public Object googleRe2;
    }

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      int set = (exact != null ? 1 : 0) + (prefix != null ? 1 : 0) + (suffix != null ? 1 : 0)
          + (contains != null ? 1 : 0) + (safeRegex != null ? 1 : 0);
      if (set != 1) {
        out.add(new Violation(path, "exactly one of exact, prefix, suffix, contains, safeRegex must be set"));
      }
      if (safeRegex != null) {
        safeRegex.checkUnknown(Paths.join(path, "safeRegex"), out, Set.of());
        Regexes.check(safeRegex.regex, Paths.join(path, "safeRegex.regex"), out);
      }
    }

    io.envoyproxy.envoy.type.matcher.v3.StringMatcher toEnvoy() {
      var b = io.envoyproxy.envoy.type.matcher.v3.StringMatcher.newBuilder();
      if (exact != null) {
        b.setExact(exact);
      } else if (prefix != null) {
        b.setPrefix(prefix);
      } else if (suffix != null) {
        b.setSuffix(suffix);
      } else if (contains != null) {
        b.setContains(contains);
      } else {
        b.setSafeRegex(RegexMatcher.newBuilder().setRegex(safeRegex.regex));
      }
      if (ignoreCase != null) {
        b.setIgnoreCase(ignoreCase);
      }
      return b.build();
    }
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    validate(filterEnabled, Paths.join(path, "filterEnabled"), out);
    validate(shadowEnabled, Paths.join(path, "shadowEnabled"), out);
    validateAll(additionalOrigins, Paths.join(path, "additionalOrigins"), out);
  }

  public io.envoyproxy.envoy.extensions.filters.http.csrf.v3.CsrfPolicy toEnvoy() {
    var b = io.envoyproxy.envoy.extensions.filters.http.csrf.v3.CsrfPolicy.newBuilder();
    if (filterEnabled != null) {
      b.setFilterEnabled(filterEnabled.toEnvoy());
    } else {
      b.setFilterEnabled(percent(shadowEnabled == null ? 100 : 0));
    }
    if (shadowEnabled != null) {
      b.setShadowEnabled(shadowEnabled.toEnvoy());
    }
    if (additionalOrigins != null) {
      additionalOrigins.forEach(o -> b.addAdditionalOrigins(o.toEnvoy()));
    }
    return b.build();
  }

  static RuntimeFractionalPercent percent(int hundredths) {
    return RuntimeFractionalPercent.newBuilder().setDefaultValue(FractionalPercent.newBuilder()
        .setNumerator(hundredths).setDenominator(FractionalPercent.DenominatorType.HUNDRED)).build();
  }
}
