package io.gloo.spi.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;

/**
 * A backend's Envoy resources.
 *
 * @param cluster the cluster (named as {@link BackendContext#clusterName()})
 * @param endpoints its endpoints for EDS clusters, or null for clusters that carry their own load assignment
 */
public record BackendResources(Cluster cluster, ClusterLoadAssignment endpoints) {}
