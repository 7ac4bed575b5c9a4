package io.gloo.plugins.virtualhostoption;

import io.gloo.spi.GlooPlugin;
import io.gloo.spi.policy.PolicyKind;
import java.util.List;

/** The virtualhostoption plugin: serves {@code gateway.solo.io/v1} VirtualHostOption. */
public final class VirtualHostOptionPlugin implements GlooPlugin {

  private final VirtualHostOptionKind kind = new VirtualHostOptionKind();

  @Override
  public List<PolicyKind<?>> policyKinds() {
    return List.of(kind);
  }
}
