package io.gloo.core.server;

import static io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static io.envoyproxy.controlplane.cache.Resources.V3.SECRET_TYPE_URL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.security.GrpcTls;
import io.gloo.core.security.IssuedCertificate;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.testing.AdsTestClient;
import io.gloo.core.testing.LogCapture;
import io.gloo.core.testing.Manifests;
import io.gloo.core.xds.BootstrapGenerator;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gloo serve} with xDS over mutual TLS (the default) and per-Gateway authorization, over real sockets with
 * grpc clients: two HTTPS Gateways, each with its own certificate Secret. The identity comes from the client
 * certificate; nothing a client writes in its node moves it to another Gateway.
 */
class XdsMtlsTest {

  private static final ResourceKey A = new ResourceKey("Gateway", "default", "a");
  private static final ResourceKey B = new ResourceKey("Gateway", "default", "b");

  @TempDir
  Path dir;
  @TempDir
  Path state;

  private CertificateAuthority ca;
  private GlooServer server;
  private IssuedCertificate listenerCertA;
  private IssuedCertificate listenerCertB;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void serve() throws Exception {
    ca = CertificateAuthority.loadOrCreate(state);
    // The Gateways' own serving certificates (their Secrets); any CA would do, ours is at hand.
    listenerCertA = ca.issue(SpiffeId.service("a-site"), List.of("a.example.com"), Duration.ofHours(1));
    listenerCertB = ca.issue(SpiffeId.service("b-site"), List.of("b.example.com"), Duration.ofHours(1));
    Manifests.write(dir, "gateways.yaml", Manifests.docs(Manifests.gatewayClass(),
        httpsGateway("a", 8443, "a-tls"), httpsGateway("b", 9443, "b-tls"),
        tlsSecret("a-tls", listenerCertA), tlsSecret("b-tls", listenerCertB),
        Manifests.service("default", "echo", 80),
        Manifests.endpointSlice("default", "echo", 8080, "10.0.0.1"),
        Manifests.httpRoute("default", "ra", "a", null, "/a", "echo:80"),
        Manifests.httpRoute("default", "rb", "b", null, "/b", "echo:80")));
    server = GlooServer.start(new ServeOptions(dir, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(20)).withCa(ca));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    server.close();
  }

  @Test
  void aGatewaysCertificateGetsItsOwnListenersAndSecretsOnly() throws Exception {
    AdsTestClient envoyA = connect(GrpcTls.client(certFor(A)), nodeOf(A));
    DiscoveryResponse lds = envoyA.request(LISTENER_TYPE_URL, List.of(), "", "");
    assertEquals(List.of(8443), ports(lds));
    envoyA.ack(lds, List.of());

    DiscoveryResponse sds = envoyA.request(SECRET_TYPE_URL, List.of(secretName("a-tls")), "", "");
    assertEquals(List.of(secretName("a-tls")), secretNames(sds));
    envoyA.ack(sds, List.of(secretName("a-tls")));

    // Asking for B's Secret by name, on an authorized stream: A's snapshot does not have it.
    AdsTestClient probe = connect(GrpcTls.client(certFor(A)), nodeOf(A));
    probe.send(io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest.newBuilder().setNode(nodeOf(A))
        .setTypeUrl(SECRET_TYPE_URL).addResourceNames(secretName("b-tls")).build());
    DiscoveryResponse none = probe.poll(AdsTestClient.QUIET_MILLIS);
    assertTrue(none == null || secretNames(none).isEmpty(), "B's secret reached A: " + none);
  }

  @Test
  void editingTheNodeMetadataDoesNotReachAnotherGateway() throws Exception {
    try (LogCapture logs = new LogCapture()) {
      Node pretendingB = nodeOf(A).toBuilder().setId("attacker")
          .setMetadata(Struct.newBuilder().putFields("gloo.gateway", Value.newBuilder().setStringValue("default/b")
              .build())).build();
      AdsTestClient attacker = connect(GrpcTls.client(certFor(A)), pretendingB);
      attacker.send(io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest.newBuilder().setNode(pretendingB)
          .setTypeUrl(SECRET_TYPE_URL).addResourceNames(secretName("b-tls")).build());
      Status status = attacker.awaitEnd();
      assertEquals(Status.Code.PERMISSION_DENIED, status.getCode(), status.toString());
      assertNull(attacker.poll(0), "no resources before the refusal");
      assertEquals(1.0, denied("group_mismatch"));
      assertTrue(server.metrics().scrape().contains("gloo_xds_denied_total{reason=\"group_mismatch\"} 1.0"),
          server.metrics().scrape());
      String log = logs.text();
      assertTrue(log.contains("WARN") && log.contains("xDS stream denied (group_mismatch): identity "
          + "spiffe://gloo/ns/default/gateway/a") && log.contains("asked for Gateway default/b (node id 'attacker'"),
          log);
      assertNoKeyMaterial(log);
    }
  }

  @Test
  void jsonLogsAtDebugCarryNoKeyMaterialEither() throws Exception {
    io.gloo.core.logging.LogSettings settings = io.gloo.core.logging.LogSettings.get();
    settings.format(io.gloo.core.logging.LogSettings.Format.JSON);
    settings.level("root", org.slf4j.event.Level.DEBUG);
    try (LogCapture logs = new LogCapture()) {
      Node pretendingB = nodeOf(A).toBuilder().setId("attacker")
          .setMetadata(Struct.newBuilder().putFields("gloo.gateway", Value.newBuilder().setStringValue("default/b")
              .build())).build();
      AdsTestClient attacker = connect(GrpcTls.client(certFor(A)), pretendingB);
      attacker.send(io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest.newBuilder().setNode(pretendingB)
          .setTypeUrl(SECRET_TYPE_URL).addResourceNames(secretName("b-tls")).build());
      assertEquals(Status.Code.PERMISSION_DENIED, attacker.awaitEnd().getCode());
      String log = logs.text();
      assertTrue(log.lines().anyMatch(l -> l.startsWith("{") && l.contains("\"level\":\"WARN\"")
          && l.contains("xDS stream denied (group_mismatch)")), log);
      assertNoKeyMaterial(log);
    } finally {
      settings.format(io.gloo.core.logging.LogSettings.Format.TEXT);
      settings.level("root", org.slf4j.event.Level.INFO);
    }
  }

  @Test
  void switchingTheNodeMidStreamIsRefusedToo() throws Exception {
    AdsTestClient envoyA = connect(GrpcTls.client(certFor(A)), nodeOf(A));
    DiscoveryResponse cds = envoyA.request(CLUSTER_TYPE_URL, List.of(), "", "");
    envoyA.ack(cds, List.of());
    envoyA.send(io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest.newBuilder().setNode(nodeOf(B))
        .setTypeUrl(LISTENER_TYPE_URL).build());
    assertEquals(Status.Code.PERMISSION_DENIED, envoyA.awaitEnd().getCode());
    DiscoveryResponse late = envoyA.poll(AdsTestClient.QUIET_MILLIS);
    assertTrue(late == null || !late.getTypeUrl().equals(LISTENER_TYPE_URL), "listeners after refusal: " + late);
  }

  @Test
  void aRequestWithoutANodeGetsNoOtherGatewaysSecret() throws Exception {
    AdsTestClient envoyA = connect(GrpcTls.client(certFor(A)), nodeOf(A));
    DiscoveryResponse lds = envoyA.request(LISTENER_TYPE_URL, List.of(), "", "");
    envoyA.ack(lds, List.of());
    envoyA.send(io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest.newBuilder()
        .setTypeUrl(SECRET_TYPE_URL).addResourceNames(secretName("b-tls")).build());
    DiscoveryResponse sds = envoyA.poll(AdsTestClient.QUIET_MILLIS);
    assertTrue(sds == null || !secretNames(sds).contains(secretName("b-tls")), "B's secret reached A: " + sds);
  }

  @Test
  void deltaStreamsAreAuthorizedTheSameWay() throws Exception {
    ManagedChannel channel = channel(GrpcTls.client(certFor(A)));
    CompletableFuture<Status> end = new CompletableFuture<>();
    List<DeltaDiscoveryResponse> got = new java.util.concurrent.CopyOnWriteArrayList<>();
    StreamObserver<DeltaDiscoveryRequest> requests = AggregatedDiscoveryServiceGrpc.newStub(channel)
        .deltaAggregatedResources(new StreamObserver<>() {
          @Override
          public void onNext(DeltaDiscoveryResponse value) {
            got.add(value);
          }

          @Override
          public void onError(Throwable t) {
            end.complete(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            end.complete(Status.OK);
          }
        });
    requests.onNext(DeltaDiscoveryRequest.newBuilder().setNode(nodeOf(B)).setTypeUrl(LISTENER_TYPE_URL).build());
    assertEquals(Status.Code.PERMISSION_DENIED, end.get(AdsTestClient.WAIT_SECONDS, TimeUnit.SECONDS).getCode());
    assertEquals(List.of(), got);
  }

  @Test
  void withoutAClientCertificateNothingIsServed() throws Exception {
    try (LogCapture logs = new LogCapture()) {
      AdsTestClient anonymous = connect(trustOnly(), nodeOf(A));
      anonymous.send(io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest.newBuilder().setNode(nodeOf(A))
          .setTypeUrl(LISTENER_TYPE_URL).build());
      assertEquals(Status.Code.PERMISSION_DENIED, anonymous.awaitEnd().getCode());
      assertNull(anonymous.poll(0));
      assertEquals(1.0, denied("no_certificate"));
      assertTrue(logs.text().contains("xDS stream denied (no_certificate): identity (none)"), logs.text());
    }
    // Health stays open to probes that carry no certificate.
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel(trustOnly()))
        .withDeadlineAfter(AdsTestClient.WAIT_SECONDS, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus());
  }

  @Test
  void aPluginServiceCertificateIsNoProxy() throws Exception {
    AdsTestClient service = connect(GrpcTls.client(
        ca.issue(SpiffeId.service("ratelimit-server"), List.of(), Duration.ofHours(1))), nodeOf(A));
    service.send(io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest.newBuilder().setNode(nodeOf(A))
        .setTypeUrl(LISTENER_TYPE_URL).build());
    assertEquals(Status.Code.PERMISSION_DENIED, service.awaitEnd().getCode());
    assertEquals(1.0, denied("not_a_proxy"));
  }

  @Test
  void plaintextIsRefusedWhenTlsIsOn() throws Exception {
    AdsTestClient plaintext = connect(InsecureChannelCredentials.create(), nodeOf(A));
    plaintext.send(io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest.newBuilder().setNode(nodeOf(A))
        .setTypeUrl(LISTENER_TYPE_URL).build());
    assertEquals(Status.Code.UNAVAILABLE, plaintext.awaitEnd().getCode());
    assertNull(plaintext.poll(0));
    String metrics = server.metrics().scrape();
    assertTrue(metrics.contains("gloo_xds_insecure 0.0"), metrics);
  }

  @Test
  void aCertificateOfAnotherCaFailsTheHandshake() throws Exception {
    CertificateAuthority other = CertificateAuthority.loadOrCreate(state.resolve("other"));
    IssuedCertificate forged = other.issue(SpiffeId.gateway("default", "b"), List.of(), Duration.ofHours(1));
    AdsTestClient forger = connect(GrpcTls.client(new IssuedCertificate(forged.certificatePem(),
        forged.privateKeyPem(), ca.caCertificatePem(), forged.notAfter())), nodeOf(B));
    forger.send(io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest.newBuilder().setNode(nodeOf(B))
        .setTypeUrl(LISTENER_TYPE_URL).build());
    assertEquals(Status.Code.UNAVAILABLE, forger.awaitEnd().getCode());
    assertNull(forger.poll(0));
  }

  /**
   * What the admin API shows of two Gateways with TLS Secrets — the dumps, metrics, the console's pages, the Secret's
   * own page — carries no private key in any form (PEM, its base64 lines, or the base64 of the whole PEM as Envoy's
   * JSON prints inline bytes).
   */
  @Test
  void theAdminDumpsMetricsAndConsoleCarryNoKeyMaterial() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    String request = java.net.URLEncoder.encode("GET https://a.example.com:8443/a", StandardCharsets.UTF_8);
    for (String path : List.of("/snapshots", "/statuses", "/metrics", "/logging", // no plugins: /plugins is 404
        "/route-check?gateway=default/a&request=" + request, "/ui", "/ui/routes", "/ui/policies", "/ui/problems",
        "/ui/changes", "/ui/resource?key=Secret/default/a-tls", "/ui/resource?key=Gateway/default/a")) {
      var response = http.send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + server.adminPort() + path)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), path + ": " + response.body());
      assertNoKeyMaterial(response.body(), path);
    }
    // The snapshot dump names each Gateway's Secrets (so the check above looked where keys would be), nothing more.
    String snapshots = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + server.adminPort() + "/snapshots")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    assertEquals(secretName("a-tls"), io.gloo.core.translate.TranslationJson.mapper().readTree(snapshots)
        .path("default/a").path("resources").path("secrets").path(0).asText(), snapshots);
  }

  // --- helpers ---

  private IssuedCertificate certFor(ResourceKey gateway) {
    return ca.issue(SpiffeId.gateway(gateway.namespace(), gateway.name()), List.of(), Duration.ofHours(1));
  }

  private static Node nodeOf(ResourceKey gateway) {
    return BootstrapGenerator.bootstrap(gateway, "127.0.0.1:9977").getNode();
  }

  private AdsTestClient connect(ChannelCredentials credentials, Node node) {
    AdsTestClient client = AdsTestClient.connect("localhost", server.xdsPort(), credentials, node);
    closeables.add(0, client);
    return client;
  }

  private ManagedChannel channel(ChannelCredentials credentials) {
    ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", server.xdsPort(), credentials).build();
    closeables.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return channel;
  }

  private ChannelCredentials trustOnly() throws Exception {
    return TlsChannelCredentials.newBuilder().trustManager(
        new ByteArrayInputStream(ca.caCertificatePem().getBytes(StandardCharsets.US_ASCII))).build();
  }

  private double denied(String reason) {
    return server.metrics().get("gloo.xds.denied").tag("reason", reason).counter().count();
  }

  private void assertNoKeyMaterial(String log) {
    assertNoKeyMaterial(log, "the log");
  }

  private void assertNoKeyMaterial(String text, String where) {
    assertFalse(text.contains("PRIVATE KEY"), "a private key in " + where);
    for (IssuedCertificate c : List.of(listenerCertA, listenerCertB)) {
      String keyLine = c.privateKeyPem().split("\n")[1];
      assertFalse(text.contains(keyLine), "key material in " + where);
      assertFalse(text.contains(b64(c.privateKeyPem()).substring(0, 60)), "base64 of a PEM key in " + where);
    }
  }

  private static List<Integer> ports(DiscoveryResponse lds) throws Exception {
    List<Integer> ports = new ArrayList<>();
    for (var any : lds.getResourcesList()) {
      ports.add(any.unpack(Listener.class).getAddress().getSocketAddress().getPortValue());
    }
    return ports;
  }

  private static List<String> secretNames(DiscoveryResponse sds) throws Exception {
    List<String> names = new ArrayList<>();
    for (var any : sds.getResourcesList()) {
      names.add(any.unpack(Secret.class).getName());
    }
    return names;
  }

  /** The SDS name the translator gives a Gateway's certificate Secret {@code default/NAME}. */
  private String secretName(String secret) {
    return server.publisher().current().values().stream()
        .flatMap(p -> p.resources().secrets().stream())
        .map(Secret::getName)
        .filter(n -> n.contains(secret))
        .findFirst().orElseThrow(() -> new AssertionError("no SDS secret for " + secret));
  }

  private static String httpsGateway(String name, int port, String secret) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: %s
          namespace: default
        spec:
          gatewayClassName: gloo-gateway
          listeners:
            - name: https
              protocol: HTTPS
              port: %d
              tls:
                mode: Terminate
                certificateRefs:
                  - name: %s
        """.formatted(name, port, secret);
  }

  private static String tlsSecret(String name, IssuedCertificate cert) {
    return """
        apiVersion: v1
        kind: Secret
        metadata:
          name: %s
          namespace: default
        type: kubernetes.io/tls
        data:
          tls.crt: %s
          tls.key: %s
        """.formatted(name, b64(cert.certificatePem()), b64(cert.privateKeyPem()));
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }
}
