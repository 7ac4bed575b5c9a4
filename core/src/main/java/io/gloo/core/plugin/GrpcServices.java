package io.gloo.core.plugin;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.util.MutableHandlerRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC servers plugins register services on: one Netty server per port, shared by every plugin that uses the
 * port, started on the first registration and shut down when its last service is removed. Services are served
 * through a {@link MutableHandlerRegistry}, so a plugin's services can be removed without disturbing the others.
 * Every call into a service runs with the owning plugin's classloader as the thread context classloader.
 *
 * <p>Every port listens on {@link PluginNetwork#bind()} ({@code --bind}). A port is either plaintext or mutual TLS,
 * decided by its first service: services registered with allowed peers get an mTLS port ({@link PeerTls}) and a
 * {@link PeerCheck} in front of them; plaintext and peer-authenticated services never share a port. Without a
 * {@link PeerTls} (no CA: {@code --xds-insecure}) peer-authenticated services are served in plaintext with a WARN.
 *
 * <p>A port that cannot be bound fails the registration ({@link PortUnavailableException}) and is remembered, with
 * the plugin, in {@link #portFailures()} (what {@code /readyz} reports) until the plugin registers on it
 * successfully or its archive is unloaded ({@link #forgetFailures}).
 */
@ThreadSafe
final class GrpcServices implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GrpcServices.class);

  private static final class PortServer {
    final Server server;
    final MutableHandlerRegistry registry;
    /** service name → owning plugin id */
    final Map<String, String> owners = new HashMap<>();
    /** Services whose calls run on the event loop (registered as non-blocking). Read on every call. */
    final Set<String> nonBlocking;
    /** Whether its services were registered with allowed peers (the port then serves mTLS if there is a CA). */
    final boolean peerAuthenticated;

    PortServer(Server server, MutableHandlerRegistry registry, Set<String> nonBlocking, boolean peerAuthenticated) {
      this.server = server;
      this.registry = registry;
      this.nonBlocking = nonBlocking;
      this.peerAuthenticated = peerAuthenticated;
    }
  }

  /** A plugin port that could not be bound: the registration fails and readiness says so. */
  static final class PortUnavailableException extends UncheckedIOException {
    PortUnavailableException(String message, IOException cause) {
      super(message, cause);
    }
  }

  /**
   * Where calls of services not registered as non-blocking run. The servers themselves run calls directly on the
   * transport's event loop (method lookup included, which is cheap), and hand only those calls to this pool: a
   * non-blocking call then costs no thread hand-off at all. Threads carry core's classloader as context, so a pooled
   * thread never pins a plugin's.
   */
  private final ExecutorService blocking = Executors.newCachedThreadPool(new ThreadFactory() {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "gloo-plugin-grpc-" + count.incrementAndGet());
      t.setDaemon(true);
      t.setContextClassLoader(GrpcServices.class.getClassLoader());
      return t;
    }
  });

  private final PluginNetwork network;
  private final Object lock = new Object();
  @GuardedBy("lock")
  private final Map<Integer, PortServer> servers = new HashMap<>();
  /** "pluginId port" → why that port could not be bound; insertion order, for a stable readiness message. */
  @GuardedBy("lock")
  private final Map<String, String> failures = new LinkedHashMap<>();

  GrpcServices(PluginNetwork network) {
    this.network = network == null ? PluginNetwork.DEFAULT : network;
  }

  GrpcServices() {
    this(PluginNetwork.DEFAULT);
  }

  PluginNetwork network() {
    return network;
  }

  /** Adds a plugin's service to the server on {@code port}, starting the server if this is its first service. */
  void register(String pluginId, ClassLoader pluginLoader, int port, ServerServiceDefinition service) {
    register(pluginId, pluginLoader, port, service, false);
  }

  /**
   * Adds a service only callers with one of the {@code allowedPeers} identities may call: served on an mTLS port
   * (client certificate from the CA required), or in plaintext with a WARN when there is no CA.
   */
  void registerPeerAuthenticated(String pluginId, ClassLoader pluginLoader, int port, ServerServiceDefinition service,
      Set<String> allowedPeers) {
    if (allowedPeers == null || allowedPeers.isEmpty()) {
      throw new IllegalArgumentException("a peer-authenticated service needs at least one allowed peer identity");
    }
    String name = service.getServiceDescriptor().getName();
    PeerTls tls = network.peerTls();
    ServerServiceDefinition guarded = tls == null ? service
        : ServerInterceptors.intercept(service, new PeerCheck(name, allowedPeers, tls));
    add(pluginId, pluginLoader, port, guarded, false, true);
    if (tls == null) {
      LOG.warn("plugin {} serves {} on port {} in PLAINTEXT: no CA (--xds-insecure), so anyone who reaches the port"
          + " can read it; it is meant only for {}", pluginId, name, port, String.join(", ", allowedPeers));
    }
  }

  /**
   * @param nonBlocking the service's calls run on the transport's event loop instead of gRPC's default executor
   *     (a hand-off per call, which is most of the cost of a small call)
   */
  void register(String pluginId, ClassLoader pluginLoader, int port, ServerServiceDefinition service,
      boolean nonBlocking) {
    add(pluginId, pluginLoader, port, service, nonBlocking, false);
  }

  private void add(String pluginId, ClassLoader pluginLoader, int port, ServerServiceDefinition service,
      boolean nonBlocking, boolean peerAuthenticated) {
    String name = service.getServiceDescriptor().getName();
    synchronized (lock) {
      PortServer portServer = servers.get(port);
      if (portServer == null) {
        portServer = startServer(pluginId, port, peerAuthenticated);
        servers.put(port, portServer);
      } else if (portServer.peerAuthenticated != peerAuthenticated) {
        throw new IllegalStateException("gRPC service " + name + (peerAuthenticated ? " requires" : " does not use")
            + " peer authentication, but port " + port + " already serves services that "
            + (peerAuthenticated ? "do not" : "do") + " (" + String.join(", ", portServer.owners.keySet())
            + "); give it a port of its own");
      }
      failures.remove(pluginId + " " + port);
      String owner = portServer.owners.get(name);
      if (owner != null) {
        throw new IllegalStateException("gRPC service " + name + " is already served on port " + port
            + " by plugin " + owner);
      }
      portServer.owners.put(name, pluginId);
      if (nonBlocking) {
        portServer.nonBlocking.add(name);
      } else {
        portServer.nonBlocking.remove(name);
      }
      portServer.registry.addService(ServerInterceptors.intercept(service, new ContextClassLoader(pluginLoader)));
    }
    LOG.info("plugin {} serves gRPC service {} on {}:{}{}", pluginId, name, network.describeBind(), port,
        peerAuthenticated && network.peerTls() != null ? " (mutual TLS)" : "");
  }

  /**
   * Why plugin ports could not be bound, one line per plugin and port (e.g. {@code plugin ratelimit cannot listen
   * on 0.0.0.0:18081: Address already in use}); empty when every port a plugin asked for listens.
   */
  List<String> portFailures() {
    synchronized (lock) {
      return List.copyOf(failures.values());
    }
  }

  /** Drops the remembered port failures of a plugin whose archive was unloaded (removed, replaced, reselected). */
  void forgetFailures(String pluginId) {
    synchronized (lock) {
      failures.keySet().removeIf(key -> key.startsWith(pluginId + " "));
    }
  }

  /** Removes every service of a plugin; servers left without services are shut down (their ports freed). */
  void removeAll(String pluginId) {
    List<Server> toStop = new ArrayList<>();
    synchronized (lock) {
      servers.entrySet().removeIf(entry -> {
        PortServer portServer = entry.getValue();
        portServer.owners.entrySet().removeIf(owned -> {
          if (!owned.getValue().equals(pluginId)) {
            return false;
          }
          portServer.nonBlocking.remove(owned.getKey());
          portServer.registry.getServices().stream()
              .filter(s -> s.getServiceDescriptor().getName().equals(owned.getKey()))
              .findFirst().ifPresent(portServer.registry::removeService);
          LOG.info("plugin {}: stopped serving gRPC service {} on port {}", pluginId, owned.getKey(),
              entry.getKey());
          return true;
        });
        if (portServer.owners.isEmpty()) {
          toStop.add(portServer.server);
          return true;
        }
        return false;
      });
    }
    toStop.forEach(GrpcServices::stop);
  }

  /** Whether calls of {@code service} on {@code requestedPort} are handed to the event loop (non-blocking). */
  boolean runsOnEventLoop(int requestedPort, String service) {
    synchronized (lock) {
      PortServer portServer = servers.get(requestedPort);
      return portServer != null && portServer.nonBlocking.contains(service);
    }
  }

  /** The port a server actually listens on (differs from the requested one only for port 0). */
  int boundPort(int requestedPort) {
    synchronized (lock) {
      PortServer portServer = servers.get(requestedPort);
      return portServer == null ? -1 : portServer.server.getPort();
    }
  }

  /** The address a server listens on, or null if none serves {@code requestedPort}. */
  java.net.SocketAddress boundAddress(int requestedPort) {
    synchronized (lock) {
      PortServer portServer = servers.get(requestedPort);
      return portServer == null ? null : portServer.server.getListenSockets().get(0);
    }
  }

  @Override
  public void close() {
    List<Server> toStop;
    synchronized (lock) {
      toStop = servers.values().stream().map(s -> s.server).toList();
      servers.clear();
      failures.clear();
    }
    toStop.forEach(GrpcServices::stop);
    blocking.shutdownNow();
  }

  @GuardedBy("lock")
  private PortServer startServer(String pluginId, int port, boolean peerAuthenticated) {
    MutableHandlerRegistry registry = new MutableHandlerRegistry();
    // Built and started with core's classloader as context: Netty's threads inherit the creator's context
    // classloader, and this runs inside a plugin's start(); inheriting the plugin's loader would pin it forever.
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(GrpcServices.class.getClassLoader());
    try {
      Set<String> nonBlocking = ConcurrentHashMap.newKeySet();
      InetSocketAddress address = network.bind() == null ? new InetSocketAddress(port)
          : new InetSocketAddress(network.bind(), port);
      NettyServerBuilder builder = peerAuthenticated && network.peerTls() != null
          ? NettyServerBuilder.forAddress(address, network.peerTls().serverCredentials())
          : NettyServerBuilder.forAddress(address);
      Server server = builder.fallbackHandlerRegistry(registry)
          .directExecutor()
          .callExecutor(new ServerCallExecutorSupplier() {
            @Override
            public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata metadata) {
              // null: stay on the event loop; gRPC switches before the call is started
              return nonBlocking.contains(call.getMethodDescriptor().getServiceName()) ? null : blocking;
            }
          })
          .build().start();
      LOG.info("plugin gRPC server listening on {}:{}", network.describeBind(), server.getPort());
      return new PortServer(server, registry, nonBlocking, peerAuthenticated);
    } catch (IOException e) {
      String reason = "plugin " + pluginId + " cannot listen on " + network.describeBind() + ":" + port + ": "
          + rootMessage(e);
      failures.put(pluginId + " " + port, reason);
      LOG.error("{} (/readyz reports not ready until it can)", reason);
      throw new PortUnavailableException(reason, e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  private static void stop(Server server) {
    int port = server.getPort();
    server.shutdown();
    try {
      if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    LOG.info("plugin gRPC server on port {} stopped", port);
  }

  /** Sets the plugin's classloader as context classloader around every callback into its service. */
  private static final class ContextClassLoader implements ServerInterceptor {
    private final ClassLoader loader;

    ContextClassLoader(ClassLoader loader) {
      this.loader = loader;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      ServerCall.Listener<Q> delegate = PluginCalls.call(loader, () -> next.startCall(call, headers));
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
        @Override
        public void onMessage(Q message) {
          PluginCalls.run(loader, () -> super.onMessage(message));
        }

        @Override
        public void onHalfClose() {
          PluginCalls.run(loader, super::onHalfClose);
        }

        @Override
        public void onCancel() {
          PluginCalls.run(loader, super::onCancel);
        }

        @Override
        public void onComplete() {
          PluginCalls.run(loader, super::onComplete);
        }

        @Override
        public void onReady() {
          PluginCalls.run(loader, super::onReady);
        }
      };
    }
  }
}
