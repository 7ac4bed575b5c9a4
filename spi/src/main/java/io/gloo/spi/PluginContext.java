package io.gloo.spi;

import io.grpc.BindableService;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * What core gives a plugin when it starts: its configuration, a logger, metrics, the SPI version, and ways to run
 * services inside the gateway process. Narrow on purpose: a plugin never sees core internals.
 */
public interface PluginContext {

  /** The id of this plugin (its archive's {@code Plugin-Id}). */
  String pluginId();

  /** The SPI version core provides (see {@link SpiVersion#CURRENT}). */
  String spiVersion();

  /** Plugin configuration: {@code --plugin-config ID.KEY=VALUE} options and environment, keys without the id. */
  Map<String, String> config();

  default Optional<String> config(String key) {
    return Optional.ofNullable(config().get(key));
  }

  /** A logger named after the plugin. */
  Logger logger();

  /** Metrics registered under the plugin's id, exported with core's own metrics. */
  PluginMetrics metrics();

  /**
   * Serves a gRPC service from the running process on the given port (services on the same port share one server).
   * Stopped when the plugin stops.
   */
  void registerGrpcService(int port, BindableService service);

  /**
   * Like {@link #registerGrpcService}, for a service whose methods never block: they compute the answer or finish
   * it asynchronously (e.g. a non-blocking Redis client), and hand anything that waits to their own threads. Core
   * then runs its calls on the transport's event loop, without a hand-off to a thread pool per call, which is most
   * of a small call's cost. A method that blocks here stalls every call sharing its event loop.
   */
  default void registerNonBlockingGrpcService(int port, BindableService service) {
    registerGrpcService(port, service);
  }

  /**
   * Serves a gRPC service only authenticated peers may call, e.g. a stream of configs that carry credentials. Core
   * serves {@code port} with mutual TLS: a server certificate from the control plane's CA, and every caller must
   * present a client certificate from the same CA whose identity (SPIFFE URI, e.g.
   * {@code spiffe://gloo/service/ratelimit-server}) is one of {@code allowedPeers} (an entry ending in {@code *}
   * matches every identity it prefixes, e.g. {@code spiffe://gloo/ns/*}: every proxy); other callers get
   * UNAUTHENTICATED or PERMISSION_DENIED before the service sees the call. Such a port serves nothing else: give it
   * a port no plaintext service uses. When the control plane runs without a CA ({@code gloo serve --xds-insecure})
   * the port is plaintext and core logs a WARN.
   *
   * <p>The default refuses: a context that cannot authenticate peers must never serve the service in the clear.
   */
  default void registerPeerAuthenticatedGrpcService(int port, BindableService service,
      java.util.Set<String> allowedPeers) {
    throw new UnsupportedOperationException("this Gloo core cannot serve peer-authenticated gRPC services");
  }

  /**
   * What this process presents when it calls the control plane's peer-authenticated services (a standalone replica
   * subscribing to a config stream): channel credentials with its client certificate and the CA, when it was given
   * them ({@code gloo ratelimit-server --cert-dir DIR}); empty means plaintext. Use them with
   * {@code io.grpc.Grpc.newChannelBuilder(target, credentials)}.
   */
  default Optional<io.grpc.ChannelCredentials> controlPlaneCredentials() {
    return Optional.empty();
  }

  /**
   * A read-only JSON view served by the admin API at {@code /plugins/<plugin id>/<name>} for as long as the plugin
   * is loaded (e.g. which rule limited recent requests). {@code json} is called per request; it must be quick and
   * must never include secret values. Names: lower-case letters, digits and '-'.
   */
  default void registerAdminView(String name, java.util.function.Supplier<String> json) {}

  /** Runs a background service for as long as the plugin is loaded. */
  void registerBackgroundService(BackgroundService service);

  /**
   * Why core loaded the plugin: to serve ({@code gloo serve}, the standalone servers), or for an offline command
   * ({@code gloo translate}, {@code gloo route-check}, {@code gloo status} without a server, {@code gloo plugins})
   * that only translates. Offline, a plugin must open no port, connect to nothing and start no thread: it reads its
   * configuration and returns its kinds and field extensions, whose translators and sinks run as when serving (a
   * sink that compiles configs still compiles them; it just feeds no service). Core backs this up: offline, the
   * {@code register*Service} and {@link #registerAdminView} calls serve nothing and a background service is never
   * started, so a plugin written before this method existed still opens no port.
   */
  default Mode mode() {
    return Mode.SERVE;
  }

  /** See {@link #mode()}. */
  enum Mode {
    /** Loaded by a process that serves: start services, bind ports. */
    SERVE,
    /** Loaded by an offline command: translate only; no port, no connection, no background thread. */
    OFFLINE
  }
}
