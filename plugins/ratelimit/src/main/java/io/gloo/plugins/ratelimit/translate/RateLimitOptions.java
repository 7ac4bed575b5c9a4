package io.gloo.plugins.ratelimit.translate;

import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.plugins.ratelimit.config.RateLimitActions;
import io.gloo.spi.policy.Violation;
import java.util.List;

/**
 * The rate-limit fields of RouteOption and VirtualHostOption {@code spec.options}, as the field extensions bind them:
 * inline Envoy actions ({@code ratelimit}, {@code ratelimitEarly}, {@code ratelimitRegular}: {@code {rateLimits[]}},
 * domain {@code custom}) and RateLimitConfig references ({@code rateLimitConfigs}, {@code rateLimitEarlyConfigs},
 * {@code rateLimitRegularConfigs}: {@code {refs[{name, namespace}]}}).
 */
public class RateLimitOptions extends GlooObject {

  public Inline ratelimit;
  public Inline ratelimitEarly;
  public Inline ratelimitRegular;
  public ConfigRefs rateLimitConfigs;
  public ConfigRefs rateLimitEarlyConfigs;
  public ConfigRefs rateLimitRegularConfigs;

  /** {@code {rateLimits[{actions[], setActions[]}]}}. */
  public static class Inline extends GlooObject {
    public List<RateLimitActions> rateLimits;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      validateAll(rateLimits, Paths.join(path, "rateLimits"), out);
    }
  }

  /** {@code {refs[{name, namespace}]}}. */
  public static class ConfigRefs extends GlooObject {
    public List<Ref> refs;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      validateAll(refs, Paths.join(path, "refs"), out);
    }
  }

  /** {@code {name, namespace?}}: the namespace defaults to the option's. */
  public static class Ref extends GlooObject {
    public String name;
    public String namespace;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      if (name == null || name.isEmpty()) {
        out.add(new Violation(Paths.join(path, "name"), "must not be empty"));
      }
    }
  }

  /** Field paths relative to spec: {@code options.<field>...}. */
  public void validate(List<Violation> out) {
    checkUnknown("options", out);
    validate(ratelimit, "options.ratelimit", out);
    validate(ratelimitEarly, "options.ratelimitEarly", out);
    validate(ratelimitRegular, "options.ratelimitRegular", out);
    validate(rateLimitConfigs, "options.rateLimitConfigs", out);
    validate(rateLimitEarlyConfigs, "options.rateLimitEarlyConfigs", out);
    validate(rateLimitRegularConfigs, "options.rateLimitRegularConfigs", out);
  }

  Inline inline(Stage stage) {
    return switch (stage) {
      case EARLY -> ratelimitEarly;
      case DEFAULT -> ratelimit;
      case REGULAR -> ratelimitRegular;
    };
  }

  ConfigRefs configs(Stage stage) {
    return switch (stage) {
      case EARLY -> rateLimitEarlyConfigs;
      case DEFAULT -> rateLimitConfigs;
      case REGULAR -> rateLimitRegularConfigs;
    };
  }

  boolean uses(Stage stage) {
    Inline i = inline(stage);
    ConfigRefs c = configs(stage);
    return (i != null && i.rateLimits != null && !i.rateLimits.isEmpty())
        || (c != null && c.refs != null && !c.refs.isEmpty());
  }
}
