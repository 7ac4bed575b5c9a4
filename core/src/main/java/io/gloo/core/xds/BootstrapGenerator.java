package io.gloo.core.xds;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Admin;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.KeepaliveSettings;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.gloo.core.snapshot.ProxyNodes;
import io.gloo.core.store.ResourceKey;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * Writes the Envoy v3 bootstrap that points a proxy of one Gateway at this control plane.
 *
 * <p>The node follows {@link ProxyNodes}: {@code id = gloo-proxy~ns~name} (replicas may override it with
 * {@code --service-node}), {@code cluster = ns~name}, {@code metadata["gloo.gateway"] = "ns/name"}. Everything
 * else comes over ADS: {@code dynamic_resources.ads_config} is gRPC ({@code transport_api_version: V3}) to the static
 * cluster {@code gloo-xds}, and CDS and LDS use {@code ads: {}} with {@code resource_api_version: V3}. The
 * {@code gloo-xds} cluster speaks HTTP/2 (declared through
 * {@code envoy.extensions.upstreams.http.v3.HttpProtocolOptions}, with a 30 s keepalive matching the server), is
 * {@code STATIC} for an IP address and {@code STRICT_DNS} for a host name, and has a 5 s connect timeout. Against a
 * control plane with mutual TLS (the default) it also has the TLS transport socket of a {@link BootstrapTls}: the
 * proxy's certificate for its Gateway, and the CA the server's certificate must come from. The admin
 * interface listens on {@code 127.0.0.1:19000} only.
 *
 * <p>The bootstrap is built as a {@link Bootstrap} proto and printed with {@link JsonFormat} (proto field names) then
 * converted to YAML, so its shape is guaranteed valid for the Envoy API version we compile against. Envoy must keep
 * sending the node on every request ({@code set_node_on_first_message_only} is left false): java-control-plane
 * groups requests by the node they carry.
 */
public final class BootstrapGenerator {

  /** Default control-plane address as seen by the proxy. */
  public static final String DEFAULT_XDS_ADDRESS = "127.0.0.1:" + XdsServer.DEFAULT_PORT;
  /** Name of the static cluster of the control plane. */
  public static final String XDS_CLUSTER = "gloo-xds";
  /** Admin interface port (bound to loopback). */
  public static final int ADMIN_PORT = 19000;

  private static final String HTTP_PROTOCOL_OPTIONS_KEY = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
  /** Port of the readiness listener of provisioned proxies: {@code GET /ready} is proxied to the admin interface. */
  public static final int READINESS_PORT = 19001;
  /** Path of Envoy's admin readiness endpoint, served on {@link #READINESS_PORT} by provisioned proxies. */
  public static final String READINESS_PATH = "/ready";
  static final String READINESS_LISTENER = "gloo-readiness";
  static final String ADMIN_CLUSTER = "gloo-admin";

  private static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
      .add(HttpProtocolOptions.getDescriptor())
      .add(HttpConnectionManager.getDescriptor())
      .add(Router.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.getDescriptor())
      .build();
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final YAMLMapper YAML = YAMLMapper.builder()
      .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
      .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
      .build();

  private BootstrapGenerator() {}

  /**
   * The bootstrap of {@code gateway} as YAML, for a plaintext control plane at {@code xdsAddress}
   * ({@code host:port}; a server started with {@code --xds-insecure}).
   */
  public static String yaml(ResourceKey gateway, String xdsAddress) {
    return print(bootstrap(gateway, xdsAddress));
  }

  /** The bootstrap of {@code gateway} as YAML, connecting over mutual TLS with {@code tls}. */
  public static String yaml(ResourceKey gateway, String xdsAddress, BootstrapTls tls) {
    return print(bootstrap(gateway, xdsAddress, tls));
  }

  /**
   * The bootstrap of a proxy that the control plane provisions in the cluster: {@link #yaml(ResourceKey, String)}
   * plus a static listener {@value #READINESS_LISTENER} on {@code 0.0.0.0:}{@value #READINESS_PORT} that forwards
   * only {@code GET /ready} to the admin interface (which stays on loopback), so that the kubelet can probe it.
   */
  public static String provisionedYaml(ResourceKey gateway, String xdsAddress) {
    return print(withReadinessListener(bootstrap(gateway, xdsAddress)));
  }

  /** {@link #provisionedYaml(ResourceKey, String)} connecting over mutual TLS with {@code tls}. */
  public static String provisionedYaml(ResourceKey gateway, String xdsAddress, BootstrapTls tls) {
    return print(withReadinessListener(bootstrap(gateway, xdsAddress, tls)));
  }

  static Bootstrap withReadinessListener(Bootstrap bootstrap) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix("readiness")
        .setRouteConfig(RouteConfiguration.newBuilder()
            .setName(READINESS_LISTENER)
            .addVirtualHosts(VirtualHost.newBuilder()
                .setName(READINESS_LISTENER)
                .addDomains("*")
                .addRoutes(Route.newBuilder()
                    .setMatch(RouteMatch.newBuilder().setPath(READINESS_PATH))
                    .setRoute(RouteAction.newBuilder().setCluster(ADMIN_CLUSTER)))))
        .addHttpFilters(HttpFilter.newBuilder()
            .setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    Listener readiness = Listener.newBuilder()
        .setName(READINESS_LISTENER)
        .setAddress(socketAddress("0.0.0.0", READINESS_PORT))
        .addFilterChains(FilterChain.newBuilder()
            .addFilters(Filter.newBuilder()
                .setName("envoy.filters.network.http_connection_manager")
                .setTypedConfig(Any.pack(hcm))))
        .build();
    Cluster admin = Cluster.newBuilder()
        .setName(ADMIN_CLUSTER)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(seconds(1))
        .setLoadAssignment(ClusterLoadAssignment.newBuilder()
            .setClusterName(ADMIN_CLUSTER)
            .addEndpoints(LocalityLbEndpoints.newBuilder()
                .addLbEndpoints(LbEndpoint.newBuilder()
                    .setEndpoint(Endpoint.newBuilder().setAddress(socketAddress("127.0.0.1", ADMIN_PORT))))))
        .build();
    Bootstrap.Builder b = bootstrap.toBuilder();
    b.getStaticResourcesBuilder().addListeners(readiness).addClusters(admin);
    return b.build();
  }

  private static String print(Bootstrap bootstrap) {
    try {
      String json = JsonFormat.printer()
          .usingTypeRegistry(TYPES)
          .preservingProtoFieldNames()
          // STATIC is the enum's zero value and would otherwise be omitted; spelled out for the reader.
          .includingDefaultValueFields(Set.of(Cluster.getDescriptor().findFieldByName("type")))
          .print(bootstrap);
      return YAML.writeValueAsString(JSON.readTree(json));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("bootstrap cannot be printed", e);
    }
  }

  /** The bootstrap of {@code gateway} with the default control-plane address. */
  public static String yaml(ResourceKey gateway) {
    return yaml(gateway, DEFAULT_XDS_ADDRESS);
  }

  /**
   * The bootstrap proto of {@code gateway} for a control plane at {@code xdsAddress}, over mutual TLS: the
   * {@code gloo-xds} cluster gets {@code tls}'s transport socket (SNI: the host, unless an IP address).
   */
  public static Bootstrap bootstrap(ResourceKey gateway, String xdsAddress, BootstrapTls tls) {
    Bootstrap plain = bootstrap(gateway, xdsAddress);
    HostAndPort xds = HostAndPort.fromString(xdsAddress);
    String sni = InetAddresses.isInetAddress(xds.getHost()) ? null : xds.getHost();
    Bootstrap.Builder b = plain.toBuilder();
    b.getStaticResourcesBuilder().getClustersBuilder(0).setTransportSocket(tls.transportSocket(sni));
    return b.build();
  }

  /** The bootstrap proto of {@code gateway} for a plaintext control plane at {@code xdsAddress} ({@code host:port}). */
  public static Bootstrap bootstrap(ResourceKey gateway, String xdsAddress) {
    HostAndPort xds = HostAndPort.fromString(xdsAddress).withDefaultPort(XdsServer.DEFAULT_PORT);
    boolean ip = InetAddresses.isInetAddress(xds.getHost());

    Node node = Node.newBuilder()
        .setId(ProxyNodes.defaultNodeId(gateway))
        .setCluster(ProxyNodes.groupOf(gateway))
        .setMetadata(Struct.newBuilder().putFields(ProxyNodes.metadataKey(gateway),
            Value.newBuilder().setStringValue(ProxyNodes.metadataValue(gateway)).build()))
        .build();

    ConfigSource ads = ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();

    HttpProtocolOptions http2 = HttpProtocolOptions.newBuilder()
        .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
            .setHttp2ProtocolOptions(Http2ProtocolOptions.newBuilder()
                .setConnectionKeepalive(KeepaliveSettings.newBuilder()
                    .setInterval(seconds(30))
                    .setTimeout(seconds(5)))))
        .build();

    Cluster xdsCluster = Cluster.newBuilder()
        .setName(XDS_CLUSTER)
        .setType(ip ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
        .setConnectTimeout(seconds(5))
        .putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS_KEY, Any.pack(http2))
        .setLoadAssignment(ClusterLoadAssignment.newBuilder()
            .setClusterName(XDS_CLUSTER)
            .addEndpoints(LocalityLbEndpoints.newBuilder()
                .addLbEndpoints(LbEndpoint.newBuilder()
                    .setEndpoint(Endpoint.newBuilder()
                        .setAddress(socketAddress(xds.getHost(), xds.getPort()))))))
        .build();

    return Bootstrap.newBuilder()
        .setNode(node)
        .setDynamicResources(Bootstrap.DynamicResources.newBuilder()
            .setAdsConfig(ApiConfigSource.newBuilder()
                .setApiType(ApiConfigSource.ApiType.GRPC)
                .setTransportApiVersion(ApiVersion.V3)
                .addGrpcServices(GrpcService.newBuilder()
                    .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(XDS_CLUSTER))))
            .setCdsConfig(ads)
            .setLdsConfig(ads))
        .setStaticResources(Bootstrap.StaticResources.newBuilder().addClusters(xdsCluster))
        .setAdmin(Admin.newBuilder().setAddress(socketAddress("127.0.0.1", ADMIN_PORT)))
        .build();
  }

  private static Address socketAddress(String host, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port))
        .build();
  }

  private static Duration seconds(long seconds) {
    return Duration.newBuilder().setSeconds(seconds).build();
  }
}
