package io.gloo.spi.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;

/** Resources a policy needs besides what it edits; added to the Gateway's snapshot once per name. */
public interface ExtraResources {

  /** Adds a cluster, e.g. the one that points Envoy at an external rate-limit or auth service. */
  void addCluster(Cluster cluster);
}
