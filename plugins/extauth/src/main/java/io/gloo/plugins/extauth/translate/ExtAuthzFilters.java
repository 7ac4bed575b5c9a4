package io.gloo.plugins.extauth.translate;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.CheckSettings;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.gloo.plugins.extauth.model.HostPorts;
import io.gloo.spi.translate.HttpFilterStage;
import io.gloo.spi.translate.StagedHttpFilter;
import java.util.Map;

/**
 * The Envoy side of external auth: {@code envoy.filters.http.ext_authz} filters, the clusters they call, and the
 * per-route / per-virtual-host {@code ExtAuthzPerRoute}.
 *
 * <p>Every ext_authz filter is <b>disabled by default</b> at the HTTP connection manager ({@code HttpFilter.disabled})
 * and enabled only where a route or virtual host carries its {@code typed_per_filter_config}: a virtual host or
 * route without {@code extauth} is never checked, so adding auth to one route does not change the others, and a
 * route or host that opts out ({@code disable: true}) says so explicitly with {@code ExtAuthzPerRoute.disabled}.
 * Filters sit in Gloo's AuthN stage. Deny on failure (no {@code failure_mode_allow}), 403 when the service errs or
 * cannot be reached, 200 ms timeout, transport API v3.
 */
public final class ExtAuthzFilters {

  /** Our filter (the ext-auth service of this plugin). */
  public static final String FILTER = "envoy.filters.http.ext_authz";
  /** The cluster of our service. */
  public static final String CLUSTER = "extauth_service";
  static final Duration TIMEOUT = Duration.newBuilder().setNanos(200_000_000).build();

  private ExtAuthzFilters() {}

  /** The filter name for a user's server {@code name}. */
  public static String customFilter(String name) {
    return FILTER + "/custom/" + name;
  }

  public static String customCluster(String name) {
    return "extauth_custom_" + name;
  }

  static StagedHttpFilter filter(String filterName, String cluster, int weight) {
    ExtAuthz config = ExtAuthz.newBuilder()
        .setGrpcService(GrpcService.newBuilder()
            .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(cluster))
            .setTimeout(TIMEOUT))
        .setTransportApiVersion(ApiVersion.V3)
        .setFailureModeAllow(false)
        .setStatusOnError(HttpStatus.newBuilder().setCode(StatusCode.Forbidden))
        .build();
    return new StagedHttpFilter(HttpFilterStage.AUTHN, weight,
        HttpFilter.newBuilder().setName(filterName).setTypedConfig(Any.pack(config)).setDisabled(true).build());
  }

  /** An HTTP/2 cluster to {@code host:port} (STATIC for an IP, STRICT_DNS for a name). */
  static Cluster cluster(String name, String address) {
    String[] hp = HostPorts.split(address);
    boolean ip = hp[0].matches("[0-9.]+") || hp[0].contains(":");
    HttpProtocolOptions h2 = HttpProtocolOptions.newBuilder()
        .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
        .build();
    return Cluster.newBuilder()
        .setName(name)
        .setType(ip ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
        .setConnectTimeout(Duration.newBuilder().setSeconds(1))
        .putTypedExtensionProtocolOptions("envoy.extensions.upstreams.http.v3.HttpProtocolOptions", Any.pack(h2))
        .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName(name)
            .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder()
                .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder().setSocketAddress(
                    SocketAddress.newBuilder().setAddress(hp[0]).setPortValue(Integer.parseInt(hp[1]))))))))
        .build();
  }

  static Any check(Map<String, String> contextExtensions) {
    return Any.pack(ExtAuthzPerRoute.newBuilder()
        .setCheckSettings(CheckSettings.newBuilder().putAllContextExtensions(contextExtensions)).build());
  }

  static Any disabled() {
    return Any.pack(ExtAuthzPerRoute.newBuilder().setDisabled(true).build());
  }
}
