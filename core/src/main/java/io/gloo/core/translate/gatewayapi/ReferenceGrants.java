package io.gloo.core.translate.gatewayapi;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantFrom;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantTo;
import io.gloo.core.store.ResourceSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Answers whether a cross-namespace reference is permitted by a ReferenceGrant in the target's namespace
 * (v1, v1beta1 and v1alpha2 grants are all honoured; they share one spec shape).
 */
final class ReferenceGrants {

  private final Map<String, List<ReferenceGrantSpec>> byNamespace = new HashMap<>();

  ReferenceGrants(ResourceSnapshot snapshot) {
    add(snapshot.list(io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant.class));
    add(snapshot.list(io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant.class));
    add(snapshot.list(io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.ReferenceGrant.class));
  }

  private void add(List<? extends HasMetadata> grants) {
    for (HasMetadata grant : grants) {
      ReferenceGrantSpec spec = specOf(grant);
      if (spec != null) {
        byNamespace.computeIfAbsent(grant.getMetadata().getNamespace(), ns -> new ArrayList<>()).add(spec);
      }
    }
  }

  private static ReferenceGrantSpec specOf(HasMetadata grant) {
    if (grant instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant g) {
      return g.getSpec();
    }
    if (grant instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant g) {
      return g.getSpec();
    }
    if (grant instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.ReferenceGrant g) {
      return g.getSpec();
    }
    return null;
  }

  /**
   * Whether a {@code fromGroup/fromKind} in {@code fromNamespace} may refer to {@code toGroup/toKind toName} in
   * {@code toNamespace}. Same-namespace references never need a grant.
   */
  boolean permits(String fromGroup, String fromKind, String fromNamespace,
      String toGroup, String toKind, String toNamespace, String toName) {
    if (Objects.equals(fromNamespace, toNamespace)) {
      return true;
    }
    for (ReferenceGrantSpec spec : byNamespace.getOrDefault(toNamespace, List.of())) {
      if (anyFrom(spec.getFrom(), fromGroup, fromKind, fromNamespace) && anyTo(spec.getTo(), toGroup, toKind, toName)) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyFrom(List<ReferenceGrantFrom> froms, String group, String kind, String namespace) {
    if (froms == null) {
      return false;
    }
    for (ReferenceGrantFrom f : froms) {
      if (GatewayApi.groupOrCore(f.getGroup()).equals(group) && Objects.equals(f.getKind(), kind)
          && Objects.equals(f.getNamespace(), namespace)) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyTo(List<ReferenceGrantTo> tos, String group, String kind, String name) {
    if (tos == null) {
      return false;
    }
    for (ReferenceGrantTo t : tos) {
      boolean nameMatches = t.getName() == null || t.getName().isEmpty() || t.getName().equals(name);
      if (GatewayApi.groupOrCore(t.getGroup()).equals(group) && Objects.equals(t.getKind(), kind) && nameMatches) {
        return true;
      }
    }
    return false;
  }
}
