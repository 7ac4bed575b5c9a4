package io.gloo.core.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.gloo.core.snapshot.ProxyNodes;
import io.gloo.core.snapshot.TestXds;
import io.gloo.core.store.ResourceKey;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

class BootstrapGeneratorTest {

  private static final ResourceKey GW = TestXds.gateway("default", "gw");

  @Test
  void yamlParsesBackIntoTheBootstrapProto() throws Exception {
    String yaml = BootstrapGenerator.yaml(GW);
    Bootstrap parsed = parse(yaml);

    assertEquals(BootstrapGenerator.bootstrap(GW, "127.0.0.1:9977"), parsed);
    assertEquals("gloo-proxy~default~gw", parsed.getNode().getId());
    assertEquals("default~gw", parsed.getNode().getCluster());
    assertEquals("default/gw",
        parsed.getNode().getMetadata().getFieldsOrThrow(ProxyNodes.GATEWAY_METADATA_KEY).getStringValue());
    assertEquals(ProxyNodes.groupOf(GW), ProxyNodes.groupOf(parsed.getNode()));

    ApiConfigSource ads = parsed.getDynamicResources().getAdsConfig();
    assertEquals(ApiConfigSource.ApiType.GRPC, ads.getApiType());
    assertEquals(ApiVersion.V3, ads.getTransportApiVersion());
    assertEquals("gloo-xds", ads.getGrpcServices(0).getEnvoyGrpc().getClusterName());
    assertTrue(parsed.getDynamicResources().getCdsConfig().hasAds());
    assertEquals(ApiVersion.V3, parsed.getDynamicResources().getLdsConfig().getResourceApiVersion());

    Cluster xds = parsed.getStaticResources().getClusters(0);
    assertEquals("gloo-xds", xds.getName());
    assertEquals(Cluster.DiscoveryType.STATIC, xds.getType());
    assertEquals(5, xds.getConnectTimeout().getSeconds());
    HttpProtocolOptions options = xds.getTypedExtensionProtocolOptionsOrThrow(
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions").unpack(HttpProtocolOptions.class);
    assertTrue(options.getExplicitHttpConfig().hasHttp2ProtocolOptions());
    assertEquals(9977, xds.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress()
        .getSocketAddress().getPortValue());
    assertEquals(19000, parsed.getAdmin().getAddress().getSocketAddress().getPortValue());
    assertEquals("127.0.0.1", parsed.getAdmin().getAddress().getSocketAddress().getAddress());

    // Readable, Envoy-style YAML: proto field names and enum names.
    assertTrue(yaml.contains("transport_api_version: V3"), yaml);
    assertTrue(yaml.contains("type: STATIC"), yaml);
  }

  @Test
  void hostNameUsesStrictDns() throws Exception {
    Bootstrap parsed = parse(BootstrapGenerator.yaml(GW, "gloo.gloo-system.svc:9977"));
    Cluster xds = parsed.getStaticResources().getClusters(0);
    assertEquals(Cluster.DiscoveryType.STRICT_DNS, xds.getType());
    assertEquals("gloo.gloo-system.svc",
        xds.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress()
            .getAddress());
  }

  @Test
  void aProvisionedProxyAlsoServesReadinessOnAllInterfacesWhileAdminStaysOnLoopback() throws Exception {
    String yaml = BootstrapGenerator.provisionedYaml(GW, "gloo-gateway.gloo-system.svc.cluster.local:9977");
    Bootstrap parsed = parse(yaml);
    assertEquals(BootstrapGenerator.withReadinessListener(
        BootstrapGenerator.bootstrap(GW, "gloo-gateway.gloo-system.svc.cluster.local:9977")), parsed);
    assertEquals("127.0.0.1", parsed.getAdmin().getAddress().getSocketAddress().getAddress());
    var listener = parsed.getStaticResources().getListeners(0);
    assertEquals("0.0.0.0", listener.getAddress().getSocketAddress().getAddress());
    assertEquals(BootstrapGenerator.READINESS_PORT, listener.getAddress().getSocketAddress().getPortValue());
    var hcm = listener.getFilterChains(0).getFilters(0).getTypedConfig().unpack(
        io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.class);
    var route = hcm.getRouteConfig().getVirtualHosts(0).getRoutes(0);
    assertEquals("/ready", route.getMatch().getPath(), "only /ready reaches the admin interface");
    assertEquals(1, hcm.getRouteConfig().getVirtualHosts(0).getRoutesCount());
    var admin = parsed.getStaticResources().getClustersList().stream()
        .filter(c -> c.getName().equals(route.getRoute().getCluster())).findFirst().orElseThrow();
    assertEquals(19000, admin.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress()
        .getSocketAddress().getPortValue());
  }

  private static Bootstrap parse(String yaml) throws Exception {
    String json = JsonMapper.builder().build().writeValueAsString(new YAMLMapper().readTree(yaml));
    Bootstrap.Builder builder = Bootstrap.newBuilder();
    JsonFormat.parser()
        .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder().add(HttpProtocolOptions.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                .getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.getDescriptor()).build())
        .merge(json, builder);
    return builder.build();
  }
}
