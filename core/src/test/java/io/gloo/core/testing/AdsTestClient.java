package io.gloo.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A state-of-the-world ADS stream over a real socket, behaving as Envoy does: it sends its node on every request,
 * ACKs by echoing {@code version_info} and {@code response_nonce}, and NACKs with {@code error_detail}. Responses
 * are queued; every wait is bounded.
 */
public final class AdsTestClient implements AutoCloseable {

  /**
   * Bound of every wait for a response: generous, a bound for a stuck server and not a performance target (10 s
   * failed ServeEndToEndTest's first response at load average 40 on 2 cores; issue #19 item 6).
   */
  public static final long WAIT_SECONDS = 60;
  /** How long "nothing is sent" is observed; a behavioural check, not a performance bound. */
  public static final long QUIET_MILLIS = 300;

  private final ManagedChannel ownedChannel;
  private final Node node;
  private final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
  private final StreamObserver<DiscoveryRequest> requests;
  private final java.util.concurrent.CompletableFuture<io.grpc.Status> ended =
      new java.util.concurrent.CompletableFuture<>();

  /** A stream on a channel the caller owns (and closes). */
  public AdsTestClient(ManagedChannel channel, Node node) {
    this(channel, node, false);
  }

  private AdsTestClient(ManagedChannel channel, Node node, boolean owned) {
    this.ownedChannel = owned ? channel : null;
    this.node = node;
    StreamObserver<DiscoveryResponse> queue = collect(responses);
    this.requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(
        new StreamObserver<>() {
          @Override
          public void onNext(DiscoveryResponse value) {
            queue.onNext(value);
          }

          @Override
          public void onError(Throwable t) {
            ended.complete(io.grpc.Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            ended.complete(io.grpc.Status.OK);
          }
        });
  }

  /**
   * Opens its own channel to {@code host:port} with {@code credentials} (e.g. {@code GrpcTls.client(...)} for mutual
   * TLS, {@code InsecureChannelCredentials.create()} for plaintext), closed with the client.
   */
  public static AdsTestClient connect(String host, int port, io.grpc.ChannelCredentials credentials, Node node) {
    return new AdsTestClient(io.grpc.Grpc.newChannelBuilderForAddress(host, port, credentials).build(), node, true);
  }

  /** How the server ended the stream, failing if it is still open after {@link #WAIT_SECONDS}. */
  public io.grpc.Status awaitEnd() throws InterruptedException {
    try {
      return ended.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the stream did not end within " + WAIT_SECONDS + "s", e);
    }
  }

  /** Opens its own plaintext HTTP/2 channel to {@code host:port}, closed with the client. */
  public static AdsTestClient connect(String host, int port, Node node) {
    return new AdsTestClient(NettyChannelBuilder.forAddress(host, port).usePlaintext().build(), node, true);
  }

  public Node node() {
    return node;
  }

  public synchronized void send(DiscoveryRequest request) {
    requests.onNext(request);
  }

  /** Sends a request and returns the next response, which must be of {@code typeUrl}. */
  public DiscoveryResponse request(String typeUrl, List<String> names, String version, String nonce)
      throws InterruptedException {
    send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(typeUrl).addAllResourceNames(names)
        .setVersionInfo(version).setResponseNonce(nonce).build());
    DiscoveryResponse response = next();
    assertEquals(typeUrl, response.getTypeUrl());
    return response;
  }

  public void ack(DiscoveryResponse response, List<String> names) {
    send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(response.getTypeUrl()).addAllResourceNames(names)
        .setVersionInfo(response.getVersionInfo()).setResponseNonce(response.getNonce()).build());
  }

  /** Rejects {@code response}, still running no version of its type (as after a first, rejected response). */
  public void nack(DiscoveryResponse response, String message) {
    nack(response, List.of(), "", message);
  }

  /** Rejects {@code response} while still running {@code acceptedVersion}, as Envoy does after an update. */
  public void nack(DiscoveryResponse response, List<String> names, String acceptedVersion, String message) {
    send(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(response.getTypeUrl()).addAllResourceNames(names)
        .setVersionInfo(acceptedVersion).setResponseNonce(response.getNonce())
        .setErrorDetail(Status.newBuilder().setCode(3).setMessage(message))
        .build());
  }

  /** The next response, failing after {@link #WAIT_SECONDS}. */
  public DiscoveryResponse next() throws InterruptedException {
    DiscoveryResponse response = responses.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(response, "no xDS response within " + WAIT_SECONDS + "s");
    return response;
  }

  /** The next response within {@code millis}, or null. */
  public DiscoveryResponse poll(long millis) throws InterruptedException {
    return responses.poll(millis, TimeUnit.MILLISECONDS);
  }

  public void assertQuiet() throws InterruptedException {
    assertNull(responses.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS), "unexpected xDS response");
  }

  @Override
  public void close() throws InterruptedException {
    requests.onCompleted();
    if (ownedChannel != null) {
      ownedChannel.shutdownNow();
      ownedChannel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** A stream observer that queues what it receives. */
  public static <T> StreamObserver<T> collect(BlockingQueue<T> queue) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        queue.add(value);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }
}
