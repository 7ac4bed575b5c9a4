package io.gloo.core.ir;

import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.policy.AppliedPolicy;
import java.util.List;

/**
 * A backend: one Envoy cluster and its endpoints.
 *
 * @param source the resource the cluster stands for (a Service)
 * @param port the service port, for attribution
 * @param policy for backends of a plugin's kind (e.g. a Gloo Upstream), the policy whose translator builds the
 *     cluster; null for Services
 * @param http2 speak HTTP/2 to the backend: the Service port's appProtocol says h2c (or grpc), or a GRPCRoute uses it
 * @param tls TLS to the backend (a BackendTLSPolicy), or null for plaintext
 */
public record BackendIR(String clusterName, ResourceKey source, int port, List<Endpoint> endpoints,
    AppliedPolicy policy, boolean http2, UpstreamTlsIR tls) {

  public BackendIR(String clusterName, ResourceKey source, int port, List<Endpoint> endpoints,
      AppliedPolicy policy, boolean http2) {
    this(clusterName, source, port, endpoints, policy, http2, null);
  }

  /** A Service backend: core builds its cluster and endpoints. */
  public BackendIR(String clusterName, ResourceKey source, int port, List<Endpoint> endpoints) {
    this(clusterName, source, port, endpoints, null, false);
  }

  public BackendIR(String clusterName, ResourceKey source, int port, List<Endpoint> endpoints,
      AppliedPolicy policy) {
    this(clusterName, source, port, endpoints, policy, false);
  }

  /** The same backend, spoken to over HTTP/2 (cleartext h2c unless a plugin's cluster says otherwise). */
  public BackendIR withHttp2() {
    return http2 ? this : new BackendIR(clusterName, source, port, endpoints, policy, true, tls);
  }

  /** The same backend, spoken to over TLS as {@code tls} says (null: plaintext). */
  public BackendIR withTls(UpstreamTlsIR tls) {
    return new BackendIR(clusterName, source, port, endpoints, policy, http2, tls);
  }

  public BackendIR {
    endpoints = List.copyOf(endpoints);
  }

  /** One ready address of the backend. */
  public record Endpoint(String address, int port) {}
}
