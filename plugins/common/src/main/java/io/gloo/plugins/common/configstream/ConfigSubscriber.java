package io.gloo.plugins.common.configstream;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.protobuf.StringValue;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * A standalone service replica's side of a config stream: subscribes to the control plane's
 * {@link ConfigPublisher}, hands every new config to the service, and, when the control plane goes away, keeps the
 * last config (the service goes on enforcing it) while it reconnects with exponential backoff.
 *
 * <p>Never logs a config's content: it may carry credentials.
 */
@ThreadSafe
public final class ConfigSubscriber implements AutoCloseable {

  static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  private static final int MAX_CONFIG_BYTES = 64 * 1024 * 1024;

  private final String target;
  private final String service;
  private final Consumer<String> onConfig;
  private final Logger log;
  private final ManagedChannel channel;
  private final ScheduledExecutorService reconnects;
  private final AtomicReference<String> last = new AtomicReference<>();
  private final AtomicBoolean connected = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicReference<ClientCall<StringValue, StringValue>> call = new AtomicReference<>();
  private volatile Duration backoff = FIRST_BACKOFF;

  /**
   * @param target the control plane's {@code host:port}
   * @param service the gRPC service name the publisher was registered with
   * @param onConfig called with each new config, one call at a time
   */
  public ConfigSubscriber(String target, String service, Consumer<String> onConfig, Logger log) {
    this.target = target;
    this.service = service;
    this.onConfig = onConfig;
    this.log = log;
    this.channel = ManagedChannelBuilder.forTarget(target).usePlaintext().maxInboundMessageSize(MAX_CONFIG_BYTES)
        .build();
    this.reconnects = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "config-stream-" + service);
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts subscribing; returns at once. */
  public void start() {
    reconnects.execute(this::connect);
  }

  /** Whether the stream to the control plane is up (a config may still be served while it is not). */
  public boolean connected() {
    return connected.get();
  }

  /** The last config received, if any. */
  public Optional<String> last() {
    return Optional.ofNullable(last.get());
  }

  private void connect() {
    if (closed.get()) {
      return;
    }
    ClientCall<StringValue, StringValue> next = channel.newCall(ConfigStreamMethod.watch(service),
        CallOptions.DEFAULT.withWaitForReady());
    call.set(next);
    ClientCalls.asyncServerStreamingCall(next, StringValue.of(hostName()), new StreamObserver<>() {
      @Override
      public void onNext(StringValue config) {
        if (connected.compareAndSet(false, true)) {
          log.info("config stream {} from {}: connected", service, target);
        }
        backoff = FIRST_BACKOFF;
        String json = config.getValue();
        if (!json.equals(last.getAndSet(json))) {
          onConfig.accept(json);
        }
      }

      @Override
      public void onError(Throwable t) {
        lost(io.grpc.Status.fromThrowable(t).getCode().toString());
      }

      @Override
      public void onCompleted() {
        lost("completed by the control plane");
      }
    });
  }

  private void lost(String why) {
    boolean wasConnected = connected.getAndSet(false);
    if (closed.get()) {
      return;
    }
    Duration wait = backoff;
    backoff = wait.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait.multipliedBy(2);
    if (wasConnected) {
      log.warn("config stream {} from {} lost ({}); serving the last config{} and reconnecting", service, target, why,
          last.get() == null ? " (none yet)" : "");
    } else {
      log.debug("config stream {} from {}: not connected ({}); retrying in {} ms", service, target, why,
          wait.toMillis());
    }
    try {
      reconnects.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ClientCall<StringValue, StringValue> current = call.get();
    if (current != null) {
      current.cancel("closed", null);
    }
    reconnects.shutdownNow();
    channel.shutdownNow();
  }
}
