package io.gloo.core.plugin;

import com.google.errorprone.annotations.ThreadSafe;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.gloo.spi.BackgroundService;
import io.gloo.spi.PluginContext;
import io.gloo.spi.PluginContext.Mode;
import io.gloo.spi.PluginMetrics;
import io.gloo.spi.SpiVersion;
import io.grpc.BindableService;
import io.grpc.ChannelCredentials;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one plugin gets from core. Everything it registers (gRPC services, background services, meters) is owned by
 * the context and released by {@link #close()} when the plugin is unloaded.
 *
 * <p>In {@link Mode#OFFLINE} (an offline command) nothing is served whatever the plugin asks: gRPC services and admin
 * views are not registered and background services are not started (each is logged at DEBUG), so that even a
 * plugin that ignores {@link #mode()} opens no port and starts no thread of core's.
 */
@ThreadSafe
final class DefaultPluginContext implements PluginContext, AutoCloseable {

  /** Plugin meters are named {@code gloo.plugin.NAME} and tagged {@code plugin=ID} (see {@link PluginMeters}). */
  static final String METER_PREFIX = PluginMeters.METER_PREFIX;
  static final String PLUGIN_TAG = PluginMeters.PLUGIN_TAG;

  private final String pluginId;
  private final ClassLoader loader;
  private final Map<String, String> config;
  private final Logger logger;
  private final GrpcServices grpc;
  private final AdminViews views;
  private final PluginMeters metrics;
  private final Mode mode;

  private final Object lock = new Object();
  @GuardedBy("lock")
  private final List<BackgroundService> backgroundServices = new ArrayList<>();
  @GuardedBy("lock")
  private boolean closed;

  DefaultPluginContext(String pluginId, ClassLoader loader, Map<String, String> config, MeterRegistry registry,
      GrpcServices grpc, AdminViews views) {
    this(pluginId, loader, config, registry, grpc, views, Mode.SERVE);
  }

  DefaultPluginContext(String pluginId, ClassLoader loader, Map<String, String> config, MeterRegistry registry,
      GrpcServices grpc, AdminViews views, Mode mode) {
    this.mode = Objects.requireNonNull(mode, "mode");
    this.views = views;
    this.pluginId = Objects.requireNonNull(pluginId, "pluginId");
    this.loader = loader;
    this.config = Map.copyOf(config);
    this.logger = LoggerFactory.getLogger("gloo.plugin." + pluginId);
    this.metrics = new PluginMeters(pluginId, registry);
    this.grpc = grpc;
  }

  @Override
  public String pluginId() {
    return pluginId;
  }

  @Override
  public String spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public Mode mode() {
    return mode;
  }

  /** Offline: logs that {@code what} is not served and returns true. */
  private boolean offline(String what) {
    if (mode == Mode.OFFLINE) {
      logger.debug("offline: not serving {}", what);
      return true;
    }
    return false;
  }

  @Override
  public Map<String, String> config() {
    return config;
  }

  @Override
  public Logger logger() {
    return logger;
  }

  @Override
  public PluginMetrics metrics() {
    return metrics;
  }

  @Override
  public void registerGrpcService(int port, BindableService service) {
    register(port, service, false);
  }

  @Override
  public void registerNonBlockingGrpcService(int port, BindableService service) {
    register(port, service, true);
  }

  @Override
  public void registerPeerAuthenticatedGrpcService(int port, BindableService service, Set<String> allowedPeers) {
    Objects.requireNonNull(service, "service");
    if (offline("peer-authenticated gRPC service on port " + port)) {
      return;
    }
    ServerServiceDefinition definition = PluginCalls.call(loader, service::bindService);
    synchronized (lock) {
      checkOpen();
      grpc.registerPeerAuthenticated(pluginId, loader, port, definition, Set.copyOf(allowedPeers));
    }
  }

  @Override
  public Optional<ChannelCredentials> controlPlaneCredentials() {
    if (mode == Mode.OFFLINE) {
      return Optional.empty();
    }
    return Optional.ofNullable(grpc.network().controlPlaneCredentials());
  }

  private void register(int port, BindableService service, boolean nonBlocking) {
    Objects.requireNonNull(service, "service");
    if (offline("gRPC service on port " + port)) {
      return;
    }
    ServerServiceDefinition definition = PluginCalls.call(loader, service::bindService);
    synchronized (lock) {
      checkOpen();
      grpc.register(pluginId, loader, port, definition, nonBlocking);
    }
  }

  @Override
  public void registerAdminView(String name, java.util.function.Supplier<String> json) {
    Objects.requireNonNull(json, "json");
    if (offline("admin view " + name)) {
      return;
    }
    synchronized (lock) {
      checkOpen();
      views.register(pluginId, loader, name, json);
    }
  }

  @Override
  public void registerBackgroundService(BackgroundService service) {
    Objects.requireNonNull(service, "service");
    if (offline("background service")) {
      return;
    }
    synchronized (lock) {
      checkOpen();
      backgroundServices.add(service);
    }
    String name = PluginCalls.call(loader, service::name);
    PluginCalls.run(loader, service::start);
    logger.info("background service {} started", name);
  }

  @GuardedBy("lock")
  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("plugin " + pluginId + " is stopped");
    }
  }

  /** Stops background services (latest first), removes gRPC services and meters. Never throws. */
  @Override
  public void close() {
    List<BackgroundService> services;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      views.removeAll(pluginId);
      services = new ArrayList<>(backgroundServices);
      backgroundServices.clear();
    }
    for (int i = services.size() - 1; i >= 0; i--) {
      BackgroundService service = services.get(i);
      try {
        PluginCalls.run(loader, service::stop);
      } catch (RuntimeException | LinkageError e) {
        logger.warn("stopping background service failed", e);
      }
    }
    grpc.removeAll(pluginId);
    metrics.close();
  }
}
