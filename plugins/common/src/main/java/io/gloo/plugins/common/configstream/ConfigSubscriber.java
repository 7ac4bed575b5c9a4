package io.gloo.plugins.common.configstream;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.protobuf.StringValue;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
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
 * <p>With channel credentials (a client certificate from the control plane's CA, from
 * {@code PluginContext.controlPlaneCredentials()}) it subscribes over mutual TLS; without, in plaintext, which a
 * control plane with a CA refuses. A refusal (no or wrong certificate) is logged once as a WARN with the reason.
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
  /** The last reason logged as a WARN, so that a refusal repeated on every retry is logged once. */
  private volatile String warned;

  /**
   * @param target the control plane's {@code host:port}
   * @param service the gRPC service name the publisher was registered with
   * @param onConfig called with each new config, one call at a time
   */
  public ConfigSubscriber(String target, String service, Consumer<String> onConfig, Logger log) {
    this(target, service, null, onConfig, log);
  }

  /**
   * @param credentials the replica's client certificate and the CA (mutual TLS); null subscribes in plaintext
   */
  public ConfigSubscriber(String target, String service, ChannelCredentials credentials, Consumer<String> onConfig,
      Logger log) {
    this.target = target;
    this.service = service;
    this.onConfig = onConfig;
    this.log = log;
    ManagedChannelBuilder<?> builder = credentials == null ? ManagedChannelBuilder.forTarget(target).usePlaintext()
        : Grpc.newChannelBuilder(target, credentials);
    this.channel = builder.maxInboundMessageSize(MAX_CONFIG_BYTES).build();
    if (credentials == null) {
      log.warn("config stream {} from {}: subscribing in plaintext (no client certificate); a control plane with a"
          + " CA refuses it", service, target);
    }
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
        warned = null;
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
        Status status = Status.fromThrowable(t);
        if (status.getCode() == Status.Code.UNAUTHENTICATED || status.getCode() == Status.Code.PERMISSION_DENIED) {
          String why = status.getCode() + ": " + status.getDescription();
          if (!why.equals(warned)) {
            warned = why;
            log.warn("config stream {} from {}: refused ({}); retrying", service, target, why);
          }
        }
        lost(status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription()));
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
