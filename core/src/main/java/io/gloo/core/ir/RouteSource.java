package io.gloo.core.ir;

import io.gloo.core.store.ResourceKey;

/**
 * The HTTPRoute rule (and match within it) a route was translated from; carried into Envoy metadata so that a NACK,
 * an access log line or a route-check result names the Kubernetes resource.
 *
 * @param ruleName the rule's {@code name} field, or null
 */
public record RouteSource(ResourceKey route, int rule, String ruleName, int match) {
}
