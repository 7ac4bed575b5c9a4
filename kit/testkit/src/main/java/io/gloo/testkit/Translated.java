package io.gloo.testkit;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.List;

/**
 * What one translator call produced: its output (already checked against Envoy's constraints), what it reported
 * ({@code warning FIELD: MESSAGE}, {@code error FIELD: MESSAGE}, {@code route: MESSAGE}) and the clusters it added.
 */
public record Translated<T>(T output, List<String> reports, List<Cluster> extraClusters) {}
