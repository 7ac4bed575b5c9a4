package io.gloo.core.plugin;

import io.grpc.ServerCall;
import io.grpc.ServerCredentials;
import java.util.Optional;

/**
 * How core serves plugin services that require an authenticated peer
 * ({@link io.gloo.spi.PluginContext#registerPeerAuthenticatedGrpcService}): TLS with a server certificate from the
 * control plane's CA, a client certificate from the same CA required, and the caller's identity read from it.
 * Implementations are thread-safe.
 */
public interface PeerTls {

  /** Credentials for a port whose every caller must present a client certificate issued by the CA. */
  ServerCredentials serverCredentials();

  /** The verified identity (SPIFFE URI) of the caller of {@code call}, if its transport carried one. */
  Optional<String> peerIdentity(ServerCall<?, ?> call);
}
