package io.gloo.core.server;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.security.GrpcTls;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.AdsTestClient;
import io.gloo.core.testing.Await;
import io.gloo.core.testing.Manifests;
import io.gloo.core.xds.BootstrapGenerator;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts push nothing: {@code gloo serve} restarted on the same directory and state directory (same CA), with a
 * proxy that reconnects as Envoy does (its last accepted version, nonce and resource names per type on the new
 * stream), sends the proxy no response at all, because every version is a hash of content; and two instances on one
 * directory serve identical versions (replicas).
 */
class RestartPushesNothingTest {

  static final ResourceKey A = new ResourceKey("Gateway", "default", "a");
  static final ResourceKey B = new ResourceKey("Gateway", "default", "b");
  static final List<String> TYPES = List.of(CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL);

  @TempDir
  Path dir;
  @TempDir
  Path state;

  private void writeConfig(String pathOfRouteA1) {
    List<String> docs = new ArrayList<>(List.of(Manifests.gatewayClass(), Manifests.gateway("default", "a", 8080),
        Manifests.gateway("default", "b", 9090)));
    for (int s = 0; s < 5; s++) {
      docs.add(Manifests.service("default", "svc-" + s, 80));
      docs.add(Manifests.endpointSlice("default", "svc-" + s, 8080, "10.0.0." + (s + 1), "10.0.1." + (s + 1)));
      docs.add(Manifests.httpRoute("default", "a-" + s, "a", "a.example.com",
          s == 1 ? pathOfRouteA1 : "/a" + s, "svc-" + s + ":80"));
      docs.add(Manifests.httpRoute("default", "b-" + s, "b", null, "/b" + s, "svc-" + s + ":80"));
    }
    Manifests.write(dir, "config.yaml", Manifests.docs(docs.toArray(String[]::new)));
  }

  private GlooServer serve(CertificateAuthority ca) throws Exception {
    GlooServer server = GlooServer.start(new ServeOptions(dir, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(20)).withCa(ca));
    Await.until(Duration.ofSeconds(30), () -> server.publisher().current().size() == 2,
        () -> "both Gateways published: " + server.publisher().current().keySet());
    return server;
  }

  @Test
  void aRestartedServerSendsAReconnectingProxyNothingNew() throws Exception {
    writeConfig("/a1");
    Map<String, DiscoveryResponse> accepted = new LinkedHashMap<>();
    Map<String, List<String>> names = new LinkedHashMap<>();
    Map<String, String> versionsBefore = new LinkedHashMap<>();

    CertificateAuthority ca = CertificateAuthority.loadOrCreate(state);
    try (GlooServer first = serve(ca)) {
      versionsBefore.putAll(first.publisher().current(A).orElseThrow().versions());
      try (AdsTestClient envoy = connect(ca, first)) {
        // Envoy's start: CDS → EDS → LDS → RDS, each ACKed
        DiscoveryResponse cds = envoy.request(CLUSTER_TYPE_URL, List.of(), "", "");
        names.put(CLUSTER_TYPE_URL, List.of());
        names.put(ENDPOINT_TYPE_URL, clusterNames(cds));
        DiscoveryResponse eds = envoy.request(ENDPOINT_TYPE_URL, names.get(ENDPOINT_TYPE_URL), "", "");
        envoy.ack(cds, List.of());
        DiscoveryResponse lds = envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
        names.put(LISTENER_TYPE_URL, List.of());
        names.put(ROUTE_TYPE_URL, routeNames(lds));
        DiscoveryResponse rds = envoy.request(ROUTE_TYPE_URL, names.get(ROUTE_TYPE_URL), "", "");
        envoy.ack(eds, names.get(ENDPOINT_TYPE_URL));
        envoy.ack(lds, List.of());
        envoy.ack(rds, names.get(ROUTE_TYPE_URL));
        accepted.putAll(Map.of(CLUSTER_TYPE_URL, cds, ENDPOINT_TYPE_URL, eds, LISTENER_TYPE_URL, lds,
            ROUTE_TYPE_URL, rds));
        for (String type : TYPES) {
          assertEquals(versionsBefore.get(type), accepted.get(type).getVersionInfo(), type);
        }
        envoy.assertQuiet();
      }
    }

    // The restart: a new process on the same directory and state directory (its CA loaded again).
    CertificateAuthority reloaded = CertificateAuthority.loadOrCreate(state);
    try (GlooServer second = serve(reloaded)) {
      assertEquals(versionsBefore, second.publisher().current(A).orElseThrow().versions(),
          "versions after the restart");
      try (AdsTestClient envoy = connect(reloaded, second)) {
        // Envoy reconnects: per type, the version it runs, the last nonce it saw and the resources it watches.
        for (String type : TYPES) {
          DiscoveryResponse last = accepted.get(type);
          envoy.send(DiscoveryRequest.newBuilder().setNode(envoy.node()).setTypeUrl(type)
              .addAllResourceNames(names.get(type)).setVersionInfo(last.getVersionInfo())
              .setResponseNonce(last.getNonce()).build());
        }
        // The server has seen all four (the tracker counts them as ACKs of the versions the proxy runs) ...
        Await.until(Duration.ofSeconds(10), () -> second.tracker().proxies().stream().anyMatch(p -> p.types().size()
            == TYPES.size() && p.types().entrySet().stream().allMatch(t -> t.getValue().ackedVersion().equals(
                versionsBefore.get(t.getKey())))), () -> "the reconnect's requests: " + second.tracker().proxies());
        // ... and answers none of them.
        envoy.assertQuiet();

        // The stream is live: a real change is pushed, only the routes. It is the first response on the stream,
        // so nothing was resent before it, however slowly the requests above were handled.
        writeConfig("/a1-changed");
        DiscoveryResponse rds = envoy.next();
        assertEquals(ROUTE_TYPE_URL, rds.getTypeUrl());
        assertNotEquals(accepted.get(ROUTE_TYPE_URL).getVersionInfo(), rds.getVersionInfo());
        envoy.ack(rds, names.get(ROUTE_TYPE_URL));
        envoy.assertQuiet();
      }
    }
  }

  @Test
  void twoInstancesOnOneDirectoryServeIdenticalVersions() throws Exception {
    writeConfig("/a1");
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(state);
    try (GlooServer one = serve(ca); GlooServer two = serve(CertificateAuthority.loadOrCreate(state))) {
      Map<ResourceKey, Map<String, String>> versionsOne = versions(one);
      assertEquals(versionsOne, versions(two));
      assertEquals(2, versionsOne.size());
      assertFalse(versionsOne.get(A).equals(versionsOne.get(B)), "two Gateways, two configurations");
    }
  }

  private static Map<ResourceKey, Map<String, String>> versions(GlooServer server) {
    Map<ResourceKey, Map<String, String>> out = new TreeMap<>();
    for (Map.Entry<ResourceKey, PublishedSnapshot> e : server.publisher().current().entrySet()) {
      out.put(e.getKey(), e.getValue().versions());
    }
    return out;
  }

  private static AdsTestClient connect(CertificateAuthority ca, GlooServer server) {
    Node node = BootstrapGenerator.bootstrap(A, "127.0.0.1:9977").getNode();
    return AdsTestClient.connect("localhost", server.xdsPort(), GrpcTls.client(
        ca.issue(SpiffeId.gateway(A.namespace(), A.name()), List.of(), Duration.ofHours(1))), node);
  }

  private static List<String> clusterNames(DiscoveryResponse cds) throws Exception {
    List<String> out = new ArrayList<>();
    for (var any : cds.getResourcesList()) {
      Cluster cluster = any.unpack(Cluster.class);
      if (cluster.getType() == Cluster.DiscoveryType.EDS) {
        out.add(cluster.getName());
      }
    }
    return out;
  }

  private static List<String> routeNames(DiscoveryResponse lds) throws Exception {
    List<String> out = new ArrayList<>();
    for (var any : lds.getResourcesList()) {
      for (var chain : any.unpack(Listener.class).getFilterChainsList()) {
        for (var filter : chain.getFiltersList()) {
          if (filter.getTypedConfig().is(HttpConnectionManager.class)) {
            HttpConnectionManager hcm = filter.getTypedConfig().unpack(HttpConnectionManager.class);
            if (hcm.hasRds()) {
              out.add(hcm.getRds().getRouteConfigName());
            }
          }
        }
      }
    }
    return out.stream().distinct().sorted().toList();
  }
}
