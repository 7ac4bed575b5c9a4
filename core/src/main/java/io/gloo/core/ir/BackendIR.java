package io.gloo.core.ir;

import io.gloo.core.store.ResourceKey;
import java.util.List;

/**
 * A backend: one Envoy cluster and its endpoints.
 *
 * @param source the resource the cluster stands for (a Service)
 * @param port the service port, for attribution
 */
public record BackendIR(String clusterName, ResourceKey source, int port, List<Endpoint> endpoints) {

  public BackendIR {
    endpoints = List.copyOf(endpoints);
  }

  /** One ready address of the backend. */
  public record Endpoint(String address, int port) {}
}
