package io.gloo.plugins.ratelimit.config;

import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.spi.policy.Violation;
import java.util.List;

/**
 * A set-style rule: {@code {simpleDescriptors[{key, value?}], rateLimit, alwaysApply}} (plus {@code unlimited},
 * {@code shadowMode}). Order-free: it matches a set-style request descriptor that contains every listed entry.
 */
public class SetDescriptor extends GlooObject {

  public List<SimpleDescriptor> simpleDescriptors;
  public RateLimitValue rateLimit;
  public Boolean alwaysApply;
  public Boolean unlimited;
  public Boolean shadowMode;

  /** {@code {key, value?}}. */
  public static class SimpleDescriptor extends GlooObject {
    public String key;
    public String value;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      Action.required(key, Paths.join(path, "key"), out);
    }
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    validateAll(simpleDescriptors, Paths.join(path, "simpleDescriptors"), out);
    if (rateLimit == null && !Boolean.TRUE.equals(unlimited)) {
      out.add(new Violation(Paths.join(path, "rateLimit"), "is required (or unlimited: true)"));
    }
    if (Boolean.TRUE.equals(unlimited) && rateLimit != null) {
      out.add(new Violation(Paths.join(path, "unlimited"), "cannot be combined with rateLimit"));
    }
    validate(rateLimit, Paths.join(path, "rateLimit"), out);
  }
}
