package io.gloo.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.gloo.core.store.ResourceKey;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The node-group convention of {@link ProxyNodes}. */
class SnapshotProxyNodesTest {

  private static final ResourceKey GW = TestXds.gateway("default", "gw");

  @Test
  void gatewayGroupRoundTrips() {
    assertEquals("default~gw", ProxyNodes.groupOf(GW));
    assertEquals(Optional.of(GW), ProxyNodes.gatewayOf("default~gw"));
    assertEquals("gloo-proxy~default~gw", ProxyNodes.defaultNodeId(GW));
    assertEquals("default/gw", ProxyNodes.metadataValue(GW));
    assertTrue(ProxyNodes.gatewayOf("nogroup").isEmpty());
    assertTrue(ProxyNodes.gatewayOf("a~b~c").isEmpty());
    assertThrows(IllegalArgumentException.class,
        () -> ProxyNodes.groupOf(new ResourceKey("HTTPRoute", "default", "gw")));
  }

  @Test
  void metadataWinsOverCluster() {
    Node node = Node.newBuilder().setId("x").setCluster("other~gw").setMetadata(metadata("default/gw")).build();
    assertEquals("default~gw", ProxyNodes.groupOf(node));
  }

  @Test
  void clusterIsTheFallback() {
    assertEquals("default~gw", ProxyNodes.groupOf(Node.newBuilder().setCluster("default~gw").build()));
    Node badMetadata = Node.newBuilder().setCluster("default~gw").setMetadata(metadata("no-slash")).build();
    assertEquals("default~gw", ProxyNodes.groupOf(badMetadata));
  }

  @Test
  void unknownNodesAreUnassigned() {
    assertEquals(ProxyNodes.UNASSIGNED, ProxyNodes.groupOf(Node.newBuilder().setId("envoy").setCluster("web").build()));
    assertEquals(ProxyNodes.UNASSIGNED, ProxyNodes.groupOf(Node.getDefaultInstance()));
  }

  private static Struct metadata(String gateway) {
    return Struct.newBuilder()
        .putFields(ProxyNodes.GATEWAY_METADATA_KEY, Value.newBuilder().setStringValue(gateway).build())
        .build();
  }
}
