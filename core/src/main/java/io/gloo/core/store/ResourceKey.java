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

  /**
   * The key kind of a Gloo Edge {@code gateway.solo.io/v1} Gateway: its kind is spelled as the Gateway API's, and
   * both may share a namespace and name, so the Edge one is keyed by kind and group (kubectl's spelling).
   */
  public static final String EDGE_GATEWAY_KIND = "Gateway.gateway.solo.io";

  public static ResourceKey of(HasMetadata resource) {
    String kind = resource.getKind();
    if ("Gateway".equals(kind) && resource.getApiVersion() != null
        && resource.getApiVersion().startsWith("gateway.solo.io/")) {
      kind = EDGE_GATEWAY_KIND;
    }
    return new ResourceKey(kind, resource.getMetadata().getNamespace(), resource.getMetadata().getName());
  }

  /** {@code namespace/name}, or just the name for cluster-scoped resources. */
  public String namespacedName() {
    return namespace == null ? name : namespace + "/" + name;
  }

  @Override
  public int compareTo(ResourceKey other) {
    // kind, then namespace (null as ""), then name; written out because snapshots sort thousands of keys
    int c = kind == other.kind ? 0 : kind.compareTo(other.kind);
    if (c != 0) {
      return c;
    }
    String ns = namespace == null ? "" : namespace;
    String otherNs = other.namespace == null ? "" : other.namespace;
    c = ns == otherNs ? 0 : ns.compareTo(otherNs);
    return c != 0 ? c : name.compareTo(other.name);
  }

  /**
   * Mixes the parts instead of the record's {@code 31 * h + ...}: names like {@code svc-12} in namespaces like
   * {@code ns-3} collide massively under a linear combination of String hashes (the 31s cancel out), which turned
   * snapshot lookups into tree-bin searches.
   */
  @Override
  public int hashCode() {
    int h = mix(kind.hashCode() * 31 + Objects.hashCode(namespace));
    return mix(h + name.hashCode());
  }

  /** Written out, as the hash code is (the record's generated equals showed up in profiles of snapshot lookups). */
  @Override
  public boolean equals(Object o) {
    return this == o || o instanceof ResourceKey k && name.equals(k.name) && Objects.equals(namespace, k.namespace)
        && kind.equals(k.kind);
  }

  /** MurmurHash3's 32-bit finalizer. */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  @Override
  public String toString() {
    return kind + "/" + namespacedName();
  }
}
