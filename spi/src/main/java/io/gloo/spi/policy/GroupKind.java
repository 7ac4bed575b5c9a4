package io.gloo.spi.policy;

import java.util.Objects;

/** A Kubernetes API group and kind, e.g. {@code gateway.solo.io/RouteOption}. The core group is "". */
public record GroupKind(String group, String kind) {

  public GroupKind {
    group = group == null ? "" : group;
    Objects.requireNonNull(kind, "kind");
  }

  @Override
  public String toString() {
    return group.isEmpty() ? kind : group + "/" + kind;
  }
}
