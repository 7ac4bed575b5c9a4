package io.gloo.plugins.routeoption;

import io.gloo.spi.GlooPlugin;
import io.gloo.spi.policy.PolicyKind;
import java.util.List;

/** The routeoption plugin: serves {@code gateway.solo.io/v1} RouteOption. */
public final class RouteOptionPlugin implements GlooPlugin {

  private final RouteOptionKind kind = new RouteOptionKind();

  @Override
  public List<PolicyKind<?>> policyKinds() {
    return List.of(kind);
  }
}
