package io.gloo.plugin.upstream;

import io.gloo.spi.GlooPlugin;
import io.gloo.spi.policy.PolicyKind;
import java.util.List;

/** Serves Gloo's Upstream as a Gateway API backend. */
public final class UpstreamPlugin implements GlooPlugin {

  private final UpstreamKind kind = new UpstreamKind();

  @Override
  public List<PolicyKind<?>> policyKinds() {
    return List.of(kind);
  }
}
