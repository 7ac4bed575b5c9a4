package io.gloo.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.store.ResourceKey;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Gloo Edge proxies get node groups, metadata and identities of their own, apart from same-named Gateways. */
class EdgeProxyNodesTest {

  private static final ResourceKey PROXY = new ResourceKey("Proxy", "gloo-system", "gateway-proxy");
  private static final ResourceKey GATEWAY = new ResourceKey("Gateway", "gloo-system", "gateway-proxy");

  @Test
  void proxyGroupIsApartFromTheSameNamedGateway() {
    assertEquals("gloo-system~gateway-proxy~proxy", ProxyNodes.groupOf(PROXY));
    assertNotEquals(ProxyNodes.groupOf(GATEWAY), ProxyNodes.groupOf(PROXY));
    assertEquals(Optional.of(PROXY), ProxyNodes.gatewayOf(ProxyNodes.groupOf(PROXY)));
    assertEquals(Optional.of(GATEWAY), ProxyNodes.gatewayOf(ProxyNodes.groupOf(GATEWAY)));
  }

  @Test
  void nodeNamesItsProxyByMetadataOrCluster() {
    Node byMetadata = Node.newBuilder().setMetadata(Struct.newBuilder().putFields(ProxyNodes.PROXY_METADATA_KEY,
        Value.newBuilder().setStringValue("gloo-system/gateway-proxy").build())).build();
    assertEquals(ProxyNodes.groupOf(PROXY), ProxyNodes.groupOf(byMetadata));
    assertEquals(ProxyNodes.PROXY_METADATA_KEY, ProxyNodes.metadataKey(PROXY));
    Node byCluster = Node.newBuilder().setCluster("gloo-system~gateway-proxy~proxy").build();
    assertEquals(ProxyNodes.groupOf(PROXY), ProxyNodes.groupOf(byCluster));
    Node bad = Node.newBuilder().setMetadata(Struct.newBuilder().putFields(ProxyNodes.PROXY_METADATA_KEY,
        Value.newBuilder().setStringValue("a~b/c").build())).build();
    assertEquals(ProxyNodes.UNASSIGNED, ProxyNodes.groupOf(bad));
  }

  @Test
  void edgeProxyIdentityIsNotAGatewayIdentity() {
    SpiffeId id = SpiffeId.edgeProxy("gloo-system", "gateway-proxy");
    assertEquals("spiffe://gloo/ns/gloo-system/proxy/gateway-proxy", id.uri());
    assertEquals(Optional.of("gloo-system/gateway-proxy"), id.edgeProxyRef());
    assertEquals(Optional.empty(), id.gatewayRef());
    assertEquals(Optional.empty(), SpiffeId.gateway("gloo-system", "gateway-proxy").edgeProxyRef());
  }
}
