package io.gloo.spi.translate;

import io.gloo.spi.policy.GroupKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only access to resources other than the policy itself. Every lookup is recorded, so that a change to what
 * was looked up re-translates the policy, and cross-namespace reads obey ReferenceGrants.
 */
public interface ResourceLookup {

  /** A Secret's data, decoded; empty when missing or not readable from here. Never log the values. */
  Optional<Map<String, byte[]>> secret(String namespace, String name);

  /** The ready endpoints of a Service port (from its EndpointSlices); empty when the Service is unknown. */
  Optional<List<HostPort>> serviceEndpoints(String namespace, String service, int port);

  /** Another policy's spec, e.g. a RateLimitConfig referenced from a RouteOption. */
  <T> Optional<T> policy(GroupKind kind, Class<T> specType, String namespace, String name);

  /**
   * The Envoy cluster of a backend of a plugin's kind (e.g. a Gloo Upstream named as a mirror target); core then
   * includes that cluster in the Gateway's snapshot. Empty when it does not exist, is rejected, or the reference
   * crosses namespaces without a ReferenceGrant.
   */
  default Optional<String> backendCluster(GroupKind kind, String namespace, String name) {
    return Optional.empty();
  }

  /**
   * The Secrets carrying every label in {@code matchLabels} that may be read from here (the asking policy's
   * namespace, and others through a ReferenceGrant), sorted by namespace and name. Never log the values.
   */
  default List<SecretData> secrets(Map<String, String> matchLabels) {
    return List.of();
  }

  /** A Secret's identity, type and decoded data. */
  record SecretData(String namespace, String name, String type, Map<String, byte[]> data) {}

  /** An address and port. */
  record HostPort(String address, int port) {}
}
