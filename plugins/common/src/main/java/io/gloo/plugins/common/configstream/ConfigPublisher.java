package io.gloo.plugins.common.configstream;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.google.protobuf.StringValue;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The control plane's side of a config stream: holds the latest config a plugin compiled (e.g. every rate-limit
 * rule) and streams it to standalone service replicas, which connect with a {@link ConfigSubscriber}. A new
 * subscriber gets the current config at once; an unchanged config is not resent. Register it as a gRPC service with
 * {@code PluginContext.registerPeerAuthenticatedGrpcService} on a port of its own, allowing
 * {@link #allowedSubscribers}: the configs carry credentials (client secrets, session keys, API-key digests), so
 * core serves the port with mutual TLS and only a replica holding a certificate for that service from the control
 * plane's CA gets them.
 */
@ThreadSafe
public final class ConfigPublisher implements BindableService {

  private final String service;

  @GuardedBy("this")
  private String latest;

  @GuardedBy("this")
  private final Set<ServerCallStreamObserver<StringValue>> subscribers = new LinkedHashSet<>();

  /** The identity (SPIFFE URI) of the control plane; it may subscribe too. */
  public static final String CONTROL_PLANE_IDENTITY = "spiffe://gloo/control-plane";

  /**
   * Who may subscribe to a config stream: the standalone servers of {@code serviceName} (e.g.
   * {@code ratelimit-server}: {@code spiffe://gloo/service/ratelimit-server}, what {@code gloo certs issue --for
   * ratelimit-server} issues) and the control plane itself.
   */
  public static Set<String> allowedSubscribers(String serviceName) {
    return Set.of("spiffe://gloo/service/" + serviceName, CONTROL_PLANE_IDENTITY);
  }

  /** @param service the gRPC service name, e.g. {@code gloo.ratelimit.RuleStream} */
  public ConfigPublisher(String service) {
    this.service = service;
  }

  /** Makes {@code json} the current config and sends it to every subscriber, unless it is unchanged. */
  public synchronized void publish(String json) {
    if (json.equals(latest)) {
      return;
    }
    latest = json;
    StringValue message = StringValue.of(json);
    for (ServerCallStreamObserver<StringValue> subscriber : Set.copyOf(subscribers)) {
      send(subscriber, message);
    }
  }

  /** How many replicas are subscribed now. */
  public synchronized int subscribers() {
    return subscribers.size();
  }

  @GuardedBy("this")
  private void send(ServerCallStreamObserver<StringValue> subscriber, StringValue message) {
    try {
      subscriber.onNext(message);
    } catch (RuntimeException e) { // cancelled meanwhile: it reconnects and gets the latest then
      subscribers.remove(subscriber);
    }
  }

  private synchronized void subscribe(ServerCallStreamObserver<StringValue> subscriber) {
    if (subscriber.isCancelled()) {
      return;
    }
    subscribers.add(subscriber);
    if (latest != null) {
      send(subscriber, StringValue.of(latest));
    }
  }

  private synchronized void unsubscribe(ServerCallStreamObserver<StringValue> subscriber) {
    subscribers.remove(subscriber);
  }

  @Override
  public ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder(service)
        .addMethod(ConfigStreamMethod.watch(service), ServerCalls.asyncServerStreamingCall(this::watch))
        .build();
  }

  private void watch(StringValue subscriberName, StreamObserver<StringValue> responses) {
    if (!(responses instanceof ServerCallStreamObserver<StringValue> call)) {
      responses.onError(Status.INTERNAL.withDescription("not a server call").asRuntimeException());
      return;
    }
    call.setOnCancelHandler(() -> unsubscribe(call));
    subscribe(call);
  }
}
