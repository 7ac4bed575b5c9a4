package io.gloo.core.store;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/**
 * Identity of one input resource: its kind, namespace (null for cluster-scoped kinds) and name.
 * Used to attribute statuses, Envoy metadata and NACKs to the resource that caused them.
 */
public record ResourceKey(String kind, String namespace, String name) implements Comparable<ResourceKey> {


  public ResourceKey {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }

  public static ResourceKey of(HasMetadata resource) {
    return new ResourceKey(resource.getKind(), resource.getMetadata().getNamespace(), resource.getMetadata().getName());
  }

  /** {@code namespace/name}, or just the name for cluster-scoped resources. */
  public String namespacedName() {
    return namespace == null ? name : namespace + "/" + name;
  }

  @Override
  public int compareTo(ResourceKey other) {
    // kind, then namespace (null as ""), then name; written out because snapshots sort thousands of keys
    int c = kind.compareTo(other.kind);
    if (c != 0) {
      return c;
    }
    c = (namespace == null ? "" : namespace).compareTo(other.namespace == null ? "" : other.namespace);
    return c != 0 ? c : name.compareTo(other.name);
  }

  @Override
  public String toString() {
    return kind + "/" + namespacedName();
  }
}
