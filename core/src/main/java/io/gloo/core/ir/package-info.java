/**
 * The intermediate model between the Gateway API and Envoy: listeners (one per port), virtual hosts (one per
 * domain), routes in their final precedence order, and backends. Produced by
 * {@code io.gloo.core.translate.gatewayapi}, consumed by {@code io.gloo.core.translate.xds}. Plain immutable records,
 * free of Kubernetes and Envoy types except {@link io.gloo.core.store.ResourceKey} for attribution.
 */
package io.gloo.core.ir;
