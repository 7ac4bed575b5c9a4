package io.gloo.core.cli;

import static io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.gloo.core.cli.CliTest.Run;
import io.gloo.core.security.CaDirectory;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.security.GrpcTls;
import io.gloo.core.security.IssuedCertificate;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.server.GlooServer;
import io.gloo.core.server.ServeOptions;
import io.gloo.core.testing.AdsTestClient;
import io.gloo.core.testing.Manifests;
import io.gloo.core.validate.ProtoConstraintValidator;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** {@code gloo bootstrap} and {@code gloo certs issue} against the state directory {@code gloo serve} uses. */
class BootstrapCommandTest {

  @TempDir
  Path root;
  Path config;
  Path out;

  @BeforeEach
  void manifests() throws Exception {
    config = Files.createDirectories(root.resolve("config"));
    out = root.resolve("envoy");
    Manifests.write(config, "gateway.yaml", Manifests.docs(Manifests.gatewayClass(),
        Manifests.gateway("default", "http", 8080), Manifests.gateway("default", "other", 8081)));
  }

  @Test
  void outDirHoldsABootstrapThatNamesOnlyTheFilesWrittenBesideIt() throws Exception {
    Run run = CliTest.run("bootstrap", "--config-dir", config.toString(), "--gateway", "default/http",
        "--xds-address", "127.0.0.1:9977", "--out-dir", out.toString());
    assertEquals(0, run.exit(), run.err());
    assertEquals("", run.out());
    assertTrue(run.err().contains("wrote " + out.toAbsolutePath().resolve("envoy.yaml")), run.err());

    assertEquals(Set.of("envoy.yaml", "tls.crt", "tls.key", "ca.crt"), listing(out));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("tls.key"))));
    // The CA is the one gloo serve uses: <config-dir parent>/.gloo
    assertEquals(Files.readString(root.resolve(".gloo/ca.crt")), Files.readString(out.resolve("ca.crt")));

    Bootstrap bootstrap = parse(Files.readString(out.resolve("envoy.yaml")));
    assertEquals(List.of(), new ProtoConstraintValidator().validate(bootstrap));
    // The check reaches into the TLS transport socket: a SAN matcher without a type would be caught.
    Bootstrap.Builder broken = bootstrap.toBuilder();
    UpstreamTlsContext.Builder ctx = broken.getStaticResources().getClusters(0).getTransportSocket().getTypedConfig()
        .unpack(UpstreamTlsContext.class).toBuilder();
    ctx.getCommonTlsContextBuilder().getValidationContextBuilder().getMatchTypedSubjectAltNamesBuilder(0)
        .setSanTypeValue(0);
    broken.getStaticResourcesBuilder().getClustersBuilder(0).getTransportSocketBuilder()
        .setTypedConfig(com.google.protobuf.Any.pack(ctx.build()));
    assertFalse(new ProtoConstraintValidator().validate(broken.build()).isEmpty());
    UpstreamTlsContext tls = bootstrap.getStaticResources().getClusters(0).getTransportSocket().getTypedConfig()
        .unpack(UpstreamTlsContext.class);
    assertEquals(List.of("h2"), tls.getCommonTlsContext().getAlpnProtocolsList());
    assertEquals("spiffe://gloo/control-plane", tls.getCommonTlsContext().getValidationContext()
        .getMatchTypedSubjectAltNames(0).getMatcher().getExact());
    List<String> files = new ArrayList<>();
    collectFilenames(bootstrap, files);
    assertEquals(List.of(abs("tls.crt"), abs("tls.key"), abs("ca.crt")), files);

    X509Certificate leaf = certificate(Files.readString(out.resolve("tls.crt")));
    assertEquals(SpiffeId.gateway("default", "http"), SpiffeId.fromCertificate(leaf).orElseThrow());
    leaf.verify(certificate(Files.readString(out.resolve("ca.crt"))).getPublicKey());
  }

  @Test
  void theWrittenCertificateConnectsToGlooServeAsThatGatewayOnly() throws Exception {
    assertEquals(0, CliTest.run("bootstrap", "--config-dir", config.toString(), "--gateway", "default/http",
        "--out-dir", out.toString()).exit());
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(CaDirectory.defaultStateDir(config));
    try (GlooServer server = GlooServer.start(new ServeOptions(config, new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(20)).withCa(ca))) {
      IssuedCertificate fromFiles = new IssuedCertificate(Files.readString(out.resolve("tls.crt")),
          Files.readString(out.resolve("tls.key")), Files.readString(out.resolve("ca.crt")), Instant.MAX);
      Bootstrap bootstrap = parse(Files.readString(out.resolve("envoy.yaml")));
      try (AdsTestClient envoy = AdsTestClient.connect("localhost", server.xdsPort(), GrpcTls.client(fromFiles),
          bootstrap.getNode())) {
        var lds = envoy.request(LISTENER_TYPE_URL, List.of(), "", "");
        assertEquals(1, lds.getResourcesCount());
      }
      // the same certificate with the other Gateway's node: refused
      Bootstrap other = parse(CliTest.run("bootstrap", "--xds-insecure", "--gateway", "default/other").out());
      try (AdsTestClient envoy = AdsTestClient.connect("localhost", server.xdsPort(), GrpcTls.client(fromFiles),
          other.getNode())) {
        envoy.send(io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest.newBuilder().setNode(other.getNode())
            .setTypeUrl(LISTENER_TYPE_URL).build());
        assertEquals(io.grpc.Status.Code.PERMISSION_DENIED, envoy.awaitEnd().getCode());
      }
    }
  }

  @Test
  void withoutOutDirTheBootstrapCarriesTheMaterialInlineAndWritesNothing() throws Exception {
    Path state = root.resolve("state");
    Run run = CliTest.run("bootstrap", "--state-dir", state.toString(), "--gateway", "default/http");
    assertEquals(0, run.exit(), run.err());
    Bootstrap bootstrap = parse(run.out());
    assertEquals(List.of(), new ProtoConstraintValidator().validate(bootstrap));
    var common = bootstrap.getStaticResources().getClusters(0).getTransportSocket().getTypedConfig()
        .unpack(UpstreamTlsContext.class).getCommonTlsContext();
    assertTrue(common.getTlsCertificates(0).getPrivateKey().getInlineString().startsWith("-----BEGIN PRIVATE KEY"));
    assertEquals(Files.readString(state.resolve("ca.crt")),
        common.getValidationContext().getTrustedCa().getInlineString());
    assertEquals(Set.of("ca.crt", "ca.key", "ca.lock"), listing(state));
    assertFalse(Files.exists(out));
  }

  /** {@code --proxy}: a Gloo Edge proxy (a {@code proxyNames} entry) gets its own node group and identity. */
  @Test
  void proxyOptionBootstrapsAnEdgeProxyApartFromTheSameNamedGateway() throws Exception {
    Path state = root.resolve("state");
    Run run = CliTest.run("bootstrap", "--state-dir", state.toString(), "--proxy", "default/http");
    assertEquals(0, run.exit(), run.err());
    Bootstrap bootstrap = parse(run.out());
    assertEquals(List.of(), new ProtoConstraintValidator().validate(bootstrap));
    io.gloo.core.store.ResourceKey proxy = new io.gloo.core.store.ResourceKey(
        io.gloo.core.snapshot.ProxyNodes.PROXY_KIND, "default", "http");
    assertEquals(io.gloo.core.snapshot.ProxyNodes.groupOf(proxy),
        io.gloo.core.snapshot.ProxyNodes.groupOf(bootstrap.getNode()));
    Bootstrap gateway = parse(CliTest.run("bootstrap", "--state-dir", state.toString(), "--gateway", "default/http")
        .out());
    assertFalse(io.gloo.core.snapshot.ProxyNodes.groupOf(gateway.getNode())
        .equals(io.gloo.core.snapshot.ProxyNodes.groupOf(bootstrap.getNode())), "same group as the Gateway");
    X509Certificate leaf = certificate(bootstrap.getStaticResources().getClusters(0).getTransportSocket()
        .getTypedConfig().unpack(UpstreamTlsContext.class).getCommonTlsContext().getTlsCertificates(0)
        .getCertificateChain().getInlineString());
    assertEquals(SpiffeId.edgeProxy("default", "http"), SpiffeId.fromCertificate(leaf).orElseThrow());
    Run both = CliTest.run("bootstrap", "--state-dir", state.toString(), "--gateway", "default/http", "--proxy",
        "default/http");
    assertEquals(2, both.exit());
    assertEquals(1, both.err().lines().count(), both.err());
    assertEquals(2, CliTest.run("bootstrap", "--state-dir", state.toString(), "--proxy", "gateway-proxy").exit());
  }

  @Test
  void withoutAStateDirectoryItSaysWhereToLook() {
    Run run = CliTest.run("bootstrap", "--gateway", "default/http");
    assertEquals(2, run.exit());
    assertEquals("gloo bootstrap: give --config-dir (the directory gloo serve serves) or --state-dir, or"
        + " --kubeconfig / --ca-namespace on a cluster, to find the control plane's CA\n", run.err());
    assertEquals(2, CliTest.run("bootstrap", "--state-dir", root.toString(), "--gateway", "default/Bad").exit());
  }

  @Test
  void serveSaysInOneLineWhenItCannotHaveItsCa() throws Exception {
    Path notADir = Files.writeString(root.resolve("file"), "x");
    Run run = CliTest.run("serve", "--config-dir", config.toString(), "--state-dir", notADir.toString(),
        "--xds-port", "0", "--admin-port", "0");
    assertEquals(1, run.exit());
    assertEquals("gloo serve: cannot load or create the CA: state directory " + notADir.toAbsolutePath()
        + " is not a directory\n", run.err());
  }

  @Test
  void certsIssueWritesAGatewayOrServiceCertificate() throws Exception {
    Run run = CliTest.run("certs", "issue", "--config-dir", config.toString(), "--for", "ratelimit-server",
        "--dns", "ratelimit.gloo-system.svc", "--out-dir", out.toString(), "--lifetime", "2h");
    assertEquals(0, run.exit(), run.err());
    assertEquals(Set.of("tls.crt", "tls.key", "ca.crt"), listing(out));
    X509Certificate leaf = certificate(Files.readString(out.resolve("tls.crt")));
    assertEquals(SpiffeId.service("ratelimit-server"), SpiffeId.fromCertificate(leaf).orElseThrow());
    assertTrue(leaf.getSubjectAlternativeNames().stream().anyMatch(san -> "ratelimit.gloo-system.svc".equals(san.get(1))));
    Duration life = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
    assertTrue(life.compareTo(Duration.ofHours(2)) > 0 && life.compareTo(Duration.ofHours(3)) < 0, life.toString());

    Path gw = root.resolve("gw");
    assertEquals(0, CliTest.run("certs", "issue", "--config-dir", config.toString(), "--for", "team/edge",
        "--out-dir", gw.toString()).exit());
    assertEquals(SpiffeId.gateway("team", "edge"),
        SpiffeId.fromCertificate(certificate(Files.readString(gw.resolve("tls.crt")))).orElseThrow());

    Run bad = CliTest.run("certs", "issue", "--config-dir", config.toString(), "--for", "control-plane",
        "--out-dir", gw.toString());
    assertEquals(2, bad.exit());
    assertTrue(bad.err().startsWith("gloo certs issue: --for must be"), bad.err());
    assertEquals(2, CliTest.run("certs", "issue", "--config-dir", config.toString(), "--for", "team/edge",
        "--out-dir", gw.toString(), "--lifetime", "soon").exit());
  }

  private String abs(String file) {
    return out.toAbsolutePath().normalize().resolve(file).toString();
  }

  private static Set<String> listing(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
    }
  }

  /** Every DataSource filename anywhere in the message tree (Any unpacked where the type is known). */
  private static void collectFilenames(Message message, List<String> out) throws Exception {
    if (message instanceof DataSource ds && ds.hasFilename()) {
      out.add(ds.getFilename());
      return;
    }
    if (message instanceof com.google.protobuf.Any any) {
      if (any.is(UpstreamTlsContext.class)) {
        collectFilenames(any.unpack(UpstreamTlsContext.class), out);
      }
      return;
    }
    for (var entry : message.getAllFields().entrySet()) {
      Object value = entry.getValue();
      if (value instanceof List<?> list) {
        for (Object item : list) {
          if (item instanceof Message m) {
            collectFilenames(m, out);
          }
        }
      } else if (value instanceof Message m) {
        collectFilenames(m, out);
      }
    }
  }

  static Bootstrap parse(String yaml) throws Exception {
    String json = JsonMapper.builder().build().writeValueAsString(YAMLMapper.builder().build().readTree(yaml));
    Bootstrap.Builder b = Bootstrap.newBuilder();
    JsonFormat.parser().usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
        .add(HttpProtocolOptions.getDescriptor()).add(UpstreamTlsContext.getDescriptor()).build()).merge(json, b);
    return b.build();
  }

  private static X509Certificate certificate(String pem) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }
}
