package io.gloo.core.xds;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.gloo.core.security.GrpcTls;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.snapshot.ProxyNodes;
import io.gloo.core.store.ResourceKey;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-Gateway authorization of every xDS stream, from the verified client certificate alone: a stream whose peer
 * is {@code spiffe://gloo/ns/NS/gateway/NAME} may only ask for the node group of Gateway {@code NS/NAME}
 * ({@link ProxyNodes#groupOf(Node)} of the node in every {@code DiscoveryRequest} and {@code DeltaDiscoveryRequest};
 * a request without a node is left to the cache, which serves such a request nothing or the stream's earlier,
 * authorized node). The node's self-declared id, cluster and metadata choose nothing the certificate does not allow.
 *
 * <p>Refusals end the stream with {@code PERMISSION_DENIED} before the request reaches java-control-plane, log one
 * WARN line naming the identity and what it asked for, and count {@code gloo_xds_denied_total{reason}}:
 * {@code no_certificate} (TLS without a client certificate), {@code not_a_proxy} (a certificate of this CA for
 * something other than a Gateway's proxy, e.g. a plugin service) and {@code group_mismatch} (a node of another
 * Gateway, or of none). gRPC health stays open (probes carry no certificate); reflection needs a verified peer.
 *
 * <p>Thread-safe: per-call state lives in the call's wrappers; sends from cache threads and a refusal from the
 * request thread are serialized by the call wrapper's lock, and nothing is sent after a refusal.
 */
@ThreadSafe
public final class XdsAuthorization implements ServerInterceptor {

  /** Why a stream was refused: the {@code reason} tag of {@code gloo_xds_denied_total}. */
  public enum Reason {
    NO_CERTIFICATE, NOT_A_PROXY, GROUP_MISMATCH;

    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(XdsAuthorization.class);
  private static final String HEALTH_SERVICE = HealthGrpc.SERVICE_NAME;
  private static final String REFLECTION_PREFIX = "grpc.reflection.";
  private static final int MAX_LOGGED_CHARS = 128;

  private final MeterRegistry metrics;
  private final ConcurrentMap<Reason, Counter> denied = new ConcurrentHashMap<>();

  public XdsAuthorization(MeterRegistry metrics) {
    this.metrics = metrics;
    for (Reason reason : Reason.values()) {
      counter(reason); // every reason is exported from the start, at 0
    }
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String service = call.getMethodDescriptor().getServiceName();
    if (HEALTH_SERVICE.equals(service)) {
      return next.startCall(call, headers);
    }
    Optional<SpiffeId> identity = GrpcTls.peerIdentity(call);
    if (identity.isEmpty()) {
      return refuse(call, Reason.NO_CERTIFICATE, "(none)", "a client certificate is required for " + service);
    }
    if (service != null && service.startsWith(REFLECTION_PREFIX)) {
      return next.startCall(call, headers);
    }
    Optional<String> gatewayRef = identity.get().gatewayRef();
    boolean edge = gatewayRef.isEmpty() && identity.get().edgeProxyRef().isPresent();
    Optional<String> gateway = edge ? identity.get().edgeProxyRef() : gatewayRef;
    if (gateway.isEmpty()) {
      return refuse(call, Reason.NOT_A_PROXY, identity.get().uri(), service + " is served to Gateway proxies only");
    }
    String[] ref = gateway.get().split("/", 2);
    String allowedGroup = ProxyNodes.groupOf(new ResourceKey(edge ? ProxyNodes.PROXY_KIND : "Gateway", ref[0],
        ref[1]));
    GuardedCall<Q, R> guarded = new GuardedCall<>(call);
    ServerCall.Listener<Q> delegate = next.startCall(guarded, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      private boolean refused; // touched only by the call's serialized listener callbacks

      @Override
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        Node node = nodeOf(message);
        if (node != null && !allowedGroup.equals(ProxyNodes.groupOf(node))) {
          refused = true;
          String asked = describe(node, message);
          deny(call, Reason.GROUP_MISMATCH, identity.get().uri(), asked);
          guarded.closeOnce(Status.PERMISSION_DENIED.withDescription(identity.get().uri()
              + " may only subscribe to " + (edge ? "Gloo Edge proxy " : "Gateway ") + gateway.get()));
          // Let java-control-plane cancel its watches for this stream, as when a client goes away.
          super.onCancel();
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }

      @Override
      public void onCancel() {
        if (!refused) {
          super.onCancel();
        }
      }

      @Override
      public void onComplete() {
        if (!refused) {
          super.onComplete();
        }
      }

      @Override
      public void onReady() {
        if (!refused) {
          super.onReady();
        }
      }
    };
  }

  /** How many streams were refused for {@code reason} so far. */
  public double deniedCount(Reason reason) {
    return counter(reason).count();
  }

  private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Reason reason, String identity, String why) {
    deny(call, reason, identity, call.getMethodDescriptor().getFullMethodName());
    call.close(Status.PERMISSION_DENIED.withDescription(why), new Metadata());
    return new ServerCall.Listener<>() { };
  }

  private void deny(ServerCall<?, ?> call, Reason reason, String identity, String asked) {
    counter(reason).increment();
    LOG.warn("xDS stream denied ({}): identity {} from {} asked for {}", reason.tag(), identity,
        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), asked);
  }

  private Counter counter(Reason reason) {
    return denied.computeIfAbsent(reason, r -> Counter.builder("gloo.xds.denied")
        .description("xDS streams refused by per-Gateway authorization")
        .tag("reason", r.tag())
        .register(metrics));
  }

  private static Node nodeOf(Object message) {
    if (message instanceof DiscoveryRequest r && r.hasNode()) {
      return r.getNode();
    }
    if (message instanceof DeltaDiscoveryRequest r && r.hasNode()) {
      return r.getNode();
    }
    return null;
  }

  /** What the request asked for, for the log: node group, node id and type. Client-chosen text, so sanitized. */
  private static String describe(Node node, Object message) {
    String group = ProxyNodes.groupOf(node);
    String gateway = ProxyNodes.gatewayOf(group).map(k -> "Gateway " + k.namespace() + "/" + k.name())
        .orElse("no Gateway");
    String typeUrl = message instanceof DiscoveryRequest r ? r.getTypeUrl()
        : message instanceof DeltaDiscoveryRequest d ? d.getTypeUrl() : "";
    return sanitize(gateway) + " (node id '" + sanitize(node.getId()) + "', type " + sanitize(typeUrl) + ")";
  }

  static String sanitize(String text) {
    String cut = text.length() > MAX_LOGGED_CHARS ? text.substring(0, MAX_LOGGED_CHARS) + "..." : text;
    StringBuilder out = new StringBuilder(cut.length());
    cut.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return out.toString();
  }

  /**
   * The call as the handler sees it: sends and the close are serialized with a refusal, and dropped after the
   * call was closed (java-control-plane's cache threads may still push a response to a stream just refused).
   */
  private static final class GuardedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    @GuardedBy("this")
    private boolean closed;

    GuardedCall(ServerCall<Q, R> call) {
      super(call);
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!closed) {
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!closed) {
        super.sendMessage(message);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
    }

    synchronized void closeOnce(Status status) {
      close(status, new Metadata());
    }
  }
}
