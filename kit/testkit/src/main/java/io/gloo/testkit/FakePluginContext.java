package io.gloo.testkit;

import io.gloo.spi.BackgroundService;
import io.gloo.spi.PluginContext;
import io.gloo.spi.PluginMetrics;
import io.gloo.spi.SpiVersion;
import io.grpc.BindableService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What core gives a starting plugin, without a gateway: configuration, a logger, metrics, and registries that only
 * record. Nothing listens: registered gRPC services are kept by port (test them in-process, e.g. with grpc-inprocess),
 * background services are kept but not started (call {@link #startBackgroundServices()} to run them). Thread-safe.
 */
public final class FakePluginContext implements PluginContext {

  /** A gRPC service a plugin registered, and how. */
  public record GrpcRegistration(int port, BindableService service, boolean nonBlocking, Set<String> allowedPeers) {}

  private final String pluginId;
  private final Map<String, String> config;
  private final List<GrpcRegistration> grpcServices = new ArrayList<>();
  private final List<BackgroundService> backgroundServices = new ArrayList<>();
  private final Map<String, Supplier<String>> adminViews = new LinkedHashMap<>();
  private final Map<String, Double> counters = new ConcurrentHashMap<>();

  public FakePluginContext(String pluginId) {
    this(pluginId, Map.of());
  }

  /** @param config what {@code gloo serve --plugin-config ID.KEY=VALUE} would give: keys without the id */
  public FakePluginContext(String pluginId, Map<String, String> config) {
    this.pluginId = pluginId;
    this.config = Map.copyOf(config);
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
  public Map<String, String> config() {
    return config;
  }

  @Override
  public Logger logger() {
    return LoggerFactory.getLogger("gloo.plugin." + pluginId);
  }

  private final Map<String, java.util.function.DoubleSupplier> gauges =
      new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public PluginMetrics metrics() {
    return new PluginMetrics() {
      @Override
      public void count(String name, double amount, String... tags) {
        counters.merge(metricKey(name, tags), amount, Double::sum);
      }

      @Override
      public void recordNanos(String name, long nanos, String... tags) {
        counters.merge(metricKey(name + ".count", tags), 1.0, Double::sum);
      }

      @Override
      public void gauge(String name, java.util.function.DoubleSupplier value, String... tags) {
        gauges.putIfAbsent(metricKey(name, tags), value);
      }
    };
  }

  /** A gauge's value now ({@code name} and tags as for {@link #counter}), or NaN when none was registered. */
  public double gauge(String name, String... tags) {
    java.util.function.DoubleSupplier value = gauges.get(metricKey(name, tags));
    return value == null ? Double.NaN : value.getAsDouble();
  }

  /** A counter's total: {@code name} followed by its tags as {@code {k=v,k=v}}, e.g. {@code hits{rule=a}}. */
  public double counter(String name, String... tags) {
    return counters.getOrDefault(metricKey(name, tags), 0.0);
  }

  private static String metricKey(String name, String... tags) {
    if (tags.length == 0) {
      return name;
    }
    StringBuilder key = new StringBuilder(name).append('{');
    for (int i = 0; i + 1 < tags.length; i += 2) {
      key.append(i == 0 ? "" : ",").append(tags[i]).append('=').append(tags[i + 1]);
    }
    return key.append('}').toString();
  }

  @Override
  public synchronized void registerGrpcService(int port, BindableService service) {
    grpcServices.add(new GrpcRegistration(port, service, false, Set.of()));
  }

  @Override
  public synchronized void registerNonBlockingGrpcService(int port, BindableService service) {
    grpcServices.add(new GrpcRegistration(port, service, true, Set.of()));
  }

  @Override
  public synchronized void registerPeerAuthenticatedGrpcService(int port, BindableService service,
      Set<String> allowedPeers) {
    grpcServices.add(new GrpcRegistration(port, service, false, Set.copyOf(allowedPeers)));
  }

  @Override
  public synchronized void registerAdminView(String name, Supplier<String> json) {
    adminViews.put(name, json);
  }

  @Override
  public synchronized void registerBackgroundService(BackgroundService service) {
    backgroundServices.add(service);
  }

  public synchronized List<GrpcRegistration> grpcServices() {
    return List.copyOf(grpcServices);
  }

  public synchronized List<BackgroundService> backgroundServices() {
    return List.copyOf(backgroundServices);
  }

  /** An admin view's current JSON (what {@code /plugins/ID/NAME} would serve), or null when none is registered. */
  public synchronized String adminView(String name) {
    Supplier<String> view = adminViews.get(name);
    return view == null ? null : view.get();
  }

  /** Starts the registered background services, in registration order. */
  public void startBackgroundServices() throws Exception {
    for (BackgroundService service : backgroundServices()) {
      service.start();
    }
  }
}
