package io.gloo.plugins.ratelimit;

import io.gloo.plugins.common.GlooKind;
import io.gloo.plugins.ratelimit.config.RateLimitConfigSpec;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicySink;
import io.gloo.spi.policy.StatusStyle;
import io.gloo.spi.translate.PolicyTranslator;

/**
 * {@code ratelimit.solo.io/v1alpha1} RateLimitConfig: only referenced (from RouteOption / VirtualHostOption
 * {@code options.rateLimitConfigs}), status {@code {state, message, observedGeneration}}. It translates nothing by
 * itself — the options that reference it produce Envoy's actions — and its sink hands every valid config's rules to
 * the rate-limit service.
 */
public final class RateLimitConfigKind extends GlooKind<RateLimitConfigSpec> {

  public static final GroupKind GROUP_KIND = new GroupKind("ratelimit.solo.io", "RateLimitConfig");

  private final PolicySink<RateLimitConfigSpec> sink;

  RateLimitConfigKind(PolicySink<RateLimitConfigSpec> sink) {
    super(GROUP_KIND, "v1alpha1", RateLimitConfigSpec.class, Attachment.REFERENCED);
    this.sink = sink;
  }

  @Override
  public StatusStyle statusStyle() {
    return StatusStyle.STATE_MESSAGE;
  }

  @Override
  public PolicySink<RateLimitConfigSpec> sink() {
    return sink;
  }

  @Override
  public PolicyTranslator<RateLimitConfigSpec> translator() {
    return new PolicyTranslator<>() {};
  }

  /** The rule domain of a config: {@code <namespace>.<name>}. */
  public static String domain(String namespace, String name) {
    return namespace + "." + name;
  }
}
