package io.gloo.plugins.ratelimit;

import io.gloo.plugins.ratelimit.config.RateLimitConfigSpec;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.policy.PolicySink;
import io.gloo.spi.policy.StatusStyle;
import io.gloo.spi.policy.Violation;
import io.gloo.spi.translate.PolicyTranslator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code ratelimit.solo.io/v1alpha1} RateLimitConfig: only referenced (from RouteOption / VirtualHostOption
 * {@code options.rateLimitConfigs}), status {@code {state, message, observedGeneration}}. It translates nothing by
 * itself — the options that reference it produce Envoy's actions — and its sink hands every valid config's rules to
 * the rate-limit service.
 */
public final class RateLimitConfigKind implements PolicyKind<RateLimitConfigSpec> {

  public static final GroupKind GROUP_KIND = new GroupKind("ratelimit.solo.io", "RateLimitConfig");

  private final PolicySink<RateLimitConfigSpec> sink;

  RateLimitConfigKind(PolicySink<RateLimitConfigSpec> sink) {
    this.sink = sink;
  }

  @Override
  public GroupKind groupKind() {
    return GROUP_KIND;
  }

  @Override
  public String version() {
    return "v1alpha1";
  }

  @Override
  public Class<RateLimitConfigSpec> specType() {
    return RateLimitConfigSpec.class;
  }

  @Override
  public Set<Attachment> attachments() {
    return Set.of(Attachment.REFERENCED);
  }

  @Override
  public List<Violation> validate(RateLimitConfigSpec spec) {
    List<Violation> out = new ArrayList<>();
    spec.validate("", out);
    return out;
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
