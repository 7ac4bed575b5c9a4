package io.gloo.core.xds;

import com.google.errorprone.annotations.ThreadSafe;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.DefaultExecutorGroup;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.controlplane.server.serializer.DefaultProtoResourcesSerializer;
import io.envoyproxy.envoy.service.cluster.v3.ClusterDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.endpoint.v3.EndpointDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.listener.v3.ListenerDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.route.v3.RouteDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.secret.v3.SecretDiscoveryServiceGrpc;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.security.GrpcTls;
import io.gloo.core.security.RenewingCertificate;
import io.gloo.core.security.SpiffeId;
import io.micrometer.core.instrument.MeterRegistry;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC endpoint Envoy connects to: java-control-plane's v3 ADS (state-of-the-world and delta) plus the per-type
 * CDS, EDS, LDS, RDS and SDS services for non-ADS clients, all serving from one {@link ConfigWatcher} (normally
 * {@code SnapshotPublisher#configWatcher()}), together with gRPC health ({@code grpc.health.v1.Health}; the overall
 * status {@code ""} and each xDS service are SERVING once started, NOT_SERVING from {@link #close()}) and server
 * reflection ({@code grpc.reflection.v1}), so that {@code grpcurl} and probes work without proto files.
 *
 * <p>Connections are long-lived: keepalive pings every 30 s (10 s timeout) detect dead proxies behind NATs and load
 * balancers, and clients may ping as often as every 10 s (Envoy's bootstrap here pings every 30 s), even with no
 * call in flight. There is no idle or age limit, which would only cause needless reconnects and resends.
 *
 * <p>The server runs on its own threads ({@link XdsThreads}, named {@value #THREAD_PREFIX}{@code *}), not grpc's
 * process-wide ones. With TLS, its certificate renews itself ({@link RenewingCertificate}) and proxies' certificates
 * are checked against the CA alone ({@link io.gloo.core.security.CaClientTrust}).
 *
 * <p>Pushes of one type to one proxy are at least {@link Pushes#minInterval()} apart ({@link PushPacer}), and each
 * resource is serialized once for all streams ({@link SharedAnySerializer}); responses are handed to grpc on the
 * thread that published the version unless {@link Pushes#sendThreads()} ({@link XdsThreads#sendExecutors()}).
 *
 * <p>{@link #close()} is graceful: health goes NOT_SERVING, the server stops accepting connections and waits up to
 * the shutdown grace for streams to end, then cancels the rest (xDS streams never end on their own; Envoy reconnects
 * to another replica and keeps its configuration meanwhile).
 */
@ThreadSafe
public final class XdsServer implements AutoCloseable {

  /** Default xDS port. */
  public static final int DEFAULT_PORT = 9977;
  /** How long {@link #close()} waits for streams by default. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(XdsServer.class);
  private static final List<String> XDS_SERVICES = List.of(
      AggregatedDiscoveryServiceGrpc.SERVICE_NAME,
      ClusterDiscoveryServiceGrpc.SERVICE_NAME,
      EndpointDiscoveryServiceGrpc.SERVICE_NAME,
      ListenerDiscoveryServiceGrpc.SERVICE_NAME,
      RouteDiscoveryServiceGrpc.SERVICE_NAME,
      SecretDiscoveryServiceGrpc.SERVICE_NAME);

  /** Prefix of the names of the server's own threads (event loops and call executor). */
  public static final String THREAD_PREFIX = "gloo-xds-";

  private final Server server;
  private final HealthStatusManager health;
  private final Duration shutdownGrace;
  private final XdsThreads threads;
  private final PushPacer pacer;
  private final AtomicBoolean closed = new AtomicBoolean();

  private XdsServer(Server server, HealthStatusManager health, Duration shutdownGrace, XdsThreads threads,
      PushPacer pacer) {
    this.pacer = pacer;
    this.server = server;
    this.health = health;
    this.shutdownGrace = shutdownGrace;
    this.threads = threads;
  }

  /**
   * Binds and starts the server.
   *
   * @param address where to listen; port 0 picks a free port (see {@link #port()})
   * @param cache where the resources come from
   * @param callbacks stream observers, e.g. a {@link ProxyTracker}
   * @param shutdownGrace how long {@link #close()} waits for streams before cancelling them
   * @throws IOException if the address cannot be bound
   */
  public static XdsServer start(InetSocketAddress address, ConfigWatcher cache,
      List<? extends DiscoveryServerCallbacks> callbacks, Duration shutdownGrace) throws IOException {
    return start(address, cache, callbacks, shutdownGrace, null);
  }

  /**
   * Binds and starts the server, over mutual TLS with per-Gateway authorization when {@code tls} is given.
   *
   * @param tls the server's certificate and the authorization of each stream; null serves plaintext to anyone
   *     (the {@code --xds-insecure} try-out mode)
   */
  public static XdsServer start(InetSocketAddress address, ConfigWatcher cache,
      List<? extends DiscoveryServerCallbacks> callbacks, Duration shutdownGrace, Tls tls) throws IOException {
    return start(address, cache, callbacks, shutdownGrace, tls, Pushes.DEFAULT);
  }

  /**
   * How responses are paced and serialized.
   *
   * @param minInterval the minimum interval between two pushes of one type to one proxy ({@link PushPacer};
   *     {@code --xds-min-push-interval}); zero pushes every version at once
   * @param shareSerialized serialize each resource once for all streams ({@link SharedAnySerializer}); false is
   *     java-control-plane's default, once per stream and response (kept for the fan-out benchmark's comparison)
   * @param sendThreads hand responses to grpc on the server's send threads, one sequential executor per stream
   *     ({@link XdsThreads#sendExecutors()}); false sends on the thread that published the version, one stream
   *     after the other (java-control-plane's default). Off by default: on the quiet 2-core machine, 1,000 streams
   *     ACKed no sooner with it (p99 1,211 vs 1,183 ms and 1,407 vs 1,308 ms in two runs) while the server's threads
   *     spent 36-80 % more CPU per push (hand-offs); it only frees the publishing thread sooner (bench/README,
   *     "xDS fan-out: sends on the server's threads")
   */
  public record Pushes(Duration minInterval, boolean shareSerialized, boolean sendThreads) {
    /** 100 ms, shared serialization, sends on the publishing thread. */
    public static final Pushes DEFAULT = new Pushes(PushPacer.DEFAULT_MIN_INTERVAL, true, false);

    public Pushes {
      Objects.requireNonNull(minInterval, "minInterval");
    }

    /** Sends on the publishing thread. */
    public Pushes(Duration minInterval, boolean shareSerialized) {
      this(minInterval, shareSerialized, false);
    }

    public Pushes withMinInterval(Duration interval) {
      return new Pushes(interval, shareSerialized, sendThreads);
    }
  }

  /** As {@link #start(InetSocketAddress, ConfigWatcher, List, Duration, Tls)}, paced and serialized as {@code pushes}. */
  public static XdsServer start(InetSocketAddress address, ConfigWatcher cache,
      List<? extends DiscoveryServerCallbacks> callbacks, Duration shutdownGrace, Tls tls, Pushes pushes)
      throws IOException {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(cache, "cache");
    PushPacer pacer = new PushPacer(cache, pushes.minInterval());
    XdsThreads threads = new XdsThreads();
    V3DiscoveryServer discovery = new V3DiscoveryServer(List.copyOf(callbacks), pacer,
        pushes.sendThreads() ? threads.sendExecutors() : new DefaultExecutorGroup(),
        pushes.shareSerialized() ? new SharedAnySerializer() : new DefaultProtoResourcesSerializer());
    HealthStatusManager health = new HealthStatusManager();
    // Client certificates are verified when presented; XdsAuthorization refuses streams without one, so that a
    // refusal is a gRPC status, a log line and a metric instead of a bare handshake failure.
    NettyServerBuilder builder = tls == null ? NettyServerBuilder.forAddress(address)
        : NettyServerBuilder.forAddress(address, GrpcTls.server(tls.serverCertificate(), false));
    List<ServerInterceptor> interceptors = tls == null ? List.of() : List.of(tls.authorization());
    Server server;
    try {
      server = threads.configure(builder)
          .addService(ServerInterceptors.intercept(discovery.getAggregatedDiscoveryServiceImpl(), interceptors))
          .addService(ServerInterceptors.intercept(discovery.getClusterDiscoveryServiceImpl(), interceptors))
          .addService(ServerInterceptors.intercept(discovery.getEndpointDiscoveryServiceImpl(), interceptors))
          .addService(ServerInterceptors.intercept(discovery.getListenerDiscoveryServiceImpl(), interceptors))
          .addService(ServerInterceptors.intercept(discovery.getRouteDiscoveryServiceImpl(), interceptors))
          .addService(ServerInterceptors.intercept(discovery.getSecretDiscoveryServiceImpl(), interceptors))
          .addService(health.getHealthService())
          .addService(ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), interceptors))
          .keepAliveTime(30, TimeUnit.SECONDS)
          .keepAliveTimeout(10, TimeUnit.SECONDS)
          .permitKeepAliveTime(10, TimeUnit.SECONDS)
          .permitKeepAliveWithoutCalls(true)
          .build()
          .start();
    } catch (IOException | RuntimeException e) {
      threads.close();
      pacer.close();
      throw e;
    }
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    for (String service : XDS_SERVICES) {
      health.setStatus(service, ServingStatus.SERVING);
    }
    XdsServer xds = new XdsServer(server, health, shutdownGrace, threads, pacer);
    LOG.info("xDS server listening on {} ({}, {})", server.getListenSockets(),
        tls == null ? "plaintext, no authentication" : "mutual TLS, per-Gateway authorization", threads.transport());
    return xds;
  }

  /**
   * What the server needs for mutual TLS.
   *
   * @param serverCertificate the server's certificate, issued by the CA whose certificate clients must present
   * @param authorization the per-Gateway check of every stream
   */
  public record Tls(RenewingCertificate serverCertificate, XdsAuthorization authorization) {
    /**
     * How long each xDS server certificate is valid: issued at start and renewed (new key too) by the first
     * handshake after two thirds of it, without a restart.
     */
    public static final Duration SERVER_CERTIFICATE_LIFETIME = Duration.ofHours(24);

    public Tls {
      Objects.requireNonNull(serverCertificate, "serverCertificate");
      Objects.requireNonNull(authorization, "authorization");
    }

    /**
     * A server certificate from {@code ca} for {@code spiffe://gloo/control-plane} with DNS/IP SANs
     * {@code localhost}, {@code 127.0.0.1}, {@code ::1} and {@code hosts} (the listen address unless a wildcard,
     * the address proxies are given), and an authorization counting into {@code metrics}.
     */
    public static Tls issue(CertificateAuthority ca, List<String> hosts, MeterRegistry metrics) {
      return issue(ca, hosts, metrics, SERVER_CERTIFICATE_LIFETIME, Clock.systemUTC());
    }

    /** {@link #issue(CertificateAuthority, List, MeterRegistry)} with another lifetime and renewal clock (tests). */
    public static Tls issue(CertificateAuthority ca, List<String> hosts, MeterRegistry metrics, Duration lifetime,
        Clock clock) {
      java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
      for (String host : hosts) {
        if (host != null && !host.isBlank() && !host.equals("0.0.0.0") && !host.equals("::")
            && !host.equals("0:0:0:0:0:0:0:0")) {
          names.add(host);
        }
      }
      return new Tls(new RenewingCertificate(ca, SpiffeId.controlPlane(), List.copyOf(names), lifetime, clock),
          new XdsAuthorization(metrics));
    }
  }

  /** {@link #start(InetSocketAddress, ConfigWatcher, List, Duration)} with a 5 s shutdown grace. */
  public static XdsServer start(InetSocketAddress address, ConfigWatcher cache,
      List<? extends DiscoveryServerCallbacks> callbacks) throws IOException {
    return start(address, cache, callbacks, DEFAULT_SHUTDOWN_GRACE);
  }

  /** The bound port (the real one when started on port 0). */
  public int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  /** Health NOT_SERVING, stop accepting, wait up to the grace for streams, then cancel the rest. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Terminal state: every service reports NOT_SERVING and later setStatus calls are ignored.
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.info("xDS streams still open after {}; cancelling them", shutdownGrace);
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    threads.close();
    pacer.close();
    LOG.info("xDS server stopped");
  }
}
