package io.gloo.core.plugin;

import io.grpc.BindableService;
import java.net.SocketAddress;
import java.util.List;
import java.util.Set;

/**
 * Core's plugin gRPC servers ({@link GrpcServices}: bind address, mutual TLS and peer checks, port failures) for
 * tests outside this package, e.g. {@link io.gloo.core.testing.TestPluginContext} in plugin modules' tests.
 */
public final class PluginPorts implements AutoCloseable {

  private final GrpcServices services;
  private final String pluginId;

  public PluginPorts(String pluginId, PluginNetwork network) {
    this.pluginId = pluginId;
    this.services = new GrpcServices(network);
  }

  public PluginNetwork network() {
    return services.network();
  }

  public void register(int port, BindableService service, boolean nonBlocking) {
    services.register(pluginId, getClass().getClassLoader(), port, service.bindService(), nonBlocking);
  }

  public void registerPeerAuthenticated(int port, BindableService service, Set<String> allowedPeers) {
    services.registerPeerAuthenticated(pluginId, getClass().getClassLoader(), port, service.bindService(),
        allowedPeers);
  }

  public SocketAddress boundAddress(int requestedPort) {
    return services.boundAddress(requestedPort);
  }

  public List<String> portFailures() {
    return services.portFailures();
  }

  @Override
  public void close() {
    services.close();
  }
}
