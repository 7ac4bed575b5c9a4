package io.gloo.core.plugin;

import com.google.errorprone.annotations.Immutable;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a call into a peer-authenticated plugin service through only if the caller's verified certificate names one
 * of the allowed identities: no identity → UNAUTHENTICATED, another identity → PERMISSION_DENIED, in both cases
 * before the service sees the call (so nothing of its data is sent). The TLS handshake has already refused callers
 * without a certificate from the CA; this is the authorization step on top.
 */
@Immutable
final class PeerCheck implements ServerInterceptor {

  private static final Logger LOG = LoggerFactory.getLogger(PeerCheck.class);

  private final String service;
  private final Set<String> allowed;
  @SuppressWarnings("Immutable") // thread-safe by contract
  private final PeerTls tls;

  PeerCheck(String service, Set<String> allowed, PeerTls tls) {
    this.service = service;
    this.allowed = Set.copyOf(allowed);
    this.tls = tls;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Optional<String> peer = tls.peerIdentity(call);
    if (peer.isEmpty()) {
      LOG.warn("refused a call to {} from {}: no client certificate identity", service, remote(call));
      call.close(Status.UNAUTHENTICATED.withDescription(service + " requires a client certificate from the"
          + " control plane's CA"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (!allows(peer.get())) {
      LOG.warn("refused a call to {} from {}: identity {} is not allowed", service, remote(call), peer.get());
      call.close(Status.PERMISSION_DENIED.withDescription(peer.get() + " may not call " + service),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  /** An exact identity, or an entry ending in {@code *} that matches every identity it prefixes. */
  private boolean allows(String identity) {
    for (String entry : allowed) {
      if (entry.endsWith("*") ? identity.startsWith(entry.substring(0, entry.length() - 1)) : entry.equals(identity)) {
        return true;
      }
    }
    return false;
  }

  private static Object remote(ServerCall<?, ?> call) {
    return call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
  }
}
