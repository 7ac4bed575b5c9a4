package io.gloo.core.store;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Comparator;
import java.util.Objects;

/**
 * Identity of one input resource: its kind, namespace (null for cluster-scoped kinds) and name.
 * Used to attribute statuses, Envoy metadata and NACKs to the resource that caused them.
 */
public record ResourceKey(String kind, String namespace, String name) implements Comparable<ResourceKey> {

  private static final Comparator<ResourceKey> ORDER = Comparator.comparing(ResourceKey::kind)
      .thenComparing(k -> k.namespace() == null ? "" : k.namespace())
      .thenComparing(ResourceKey::name);

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
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return kind + "/" + namespacedName();
  }
}
