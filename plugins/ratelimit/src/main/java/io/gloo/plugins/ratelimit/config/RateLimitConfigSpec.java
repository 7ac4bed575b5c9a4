package io.gloo.plugins.ratelimit.config;

import io.gloo.plugins.common.GlooObject;
import io.gloo.plugins.common.Paths;
import io.gloo.spi.policy.Violation;
import java.util.List;

/**
 * {@code spec} of a {@code ratelimit.solo.io/v1alpha1} RateLimitConfig. Only {@code raw} is implemented (Gloo's
 * Envoy-style API); the server-side rules ({@code descriptors}, {@code setDescriptors}) become the config's rule domain
 * in the rate-limit service, the client-side {@code rateLimits} become route or virtual-host actions wherever the
 * config is referenced.
 */
public class RateLimitConfigSpec extends GlooObject {

  public Raw raw;

  /** {@code spec.raw}. */
  public static class Raw extends GlooObject {
    public List<Descriptor> descriptors;
    public List<SetDescriptor> setDescriptors;
    public List<RateLimitActions> rateLimits;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      validateAll(descriptors, Paths.join(path, "descriptors"), out);
      Descriptor.checkDuplicates(descriptors, Paths.join(path, "descriptors"), out);
      validateAll(setDescriptors, Paths.join(path, "setDescriptors"), out);
      validateAll(rateLimits, Paths.join(path, "rateLimits"), out);
    }
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    if (raw == null) {
      out.add(new Violation(Paths.join(path, "raw"), "is required (the only RateLimitConfig type implemented)"));
      return;
    }
    raw.validate(Paths.join(path, "raw"), out);
  }
}
