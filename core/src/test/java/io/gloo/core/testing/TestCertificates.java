package io.gloo.core.testing;

import com.google.protobuf.StringValue;
import io.gloo.core.plugin.CaPeerTls;
import io.gloo.core.plugin.ControlPlaneClientTls;
import io.gloo.core.plugin.PluginNetwork;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.security.IssuedCertificate;
import io.gloo.core.security.SpiffeId;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A control plane's CA in a temporary directory, and what tests of peer-authenticated plugin ports need around it:
 * the control plane's plugin network (mutual TLS from the CA, on 127.0.0.1), a replica's (its client certificate
 * from files, as {@code gloo ratelimit-server --cert-dir} reads them), certificate directories for any identity, and
 * a raw config-stream client that reports the first config or the status the call ended with.
 */
public final class TestCertificates {

  private final CertificateAuthority ca;
  private final Path dir;

  public TestCertificates(Path dir) throws IOException {
    this.dir = dir;
    this.ca = CertificateAuthority.loadOrCreate(dir.resolve("state"));
  }

  public CertificateAuthority ca() {
    return ca;
  }

  /** The control plane's plugin ports: 127.0.0.1, peer-authenticated services with mutual TLS from the CA. */
  public PluginNetwork controlPlane() {
    return new PluginNetwork(InetAddress.getLoopbackAddress(), new CaPeerTls(ca), null);
  }

  /** A standalone replica of {@code service} (e.g. {@code ratelimit-server}) holding its certificate. */
  public PluginNetwork replica(String service) throws IOException {
    return new PluginNetwork(InetAddress.getLoopbackAddress(), null, clientCredentials(SpiffeId.service(service)));
  }

  /** Writes {@code tls.crt}, {@code tls.key} and {@code ca.crt} for {@code identity}; returns the directory. */
  public Path certDir(SpiffeId identity) throws IOException {
    Path out = Files.createDirectories(dir.resolve(identity.uri().replaceAll("[^a-z0-9]+", "-")));
    IssuedCertificate cert = ca.issue(identity, List.of(), Duration.ofHours(1));
    Files.writeString(out.resolve("tls.crt"), cert.certificatePem());
    Files.writeString(out.resolve("tls.key"), cert.privateKeyPem());
    Files.writeString(out.resolve("ca.crt"), cert.caCertificatePem());
    return out;
  }

  /** What a process holding a certificate for {@code identity} presents to the control plane. */
  public ChannelCredentials clientCredentials(SpiffeId identity) throws IOException {
    Path certs = certDir(identity);
    return ControlPlaneClientTls.fromFiles(certs.resolve("tls.crt"), certs.resolve("tls.key"),
        certs.resolve("ca.crt"));
  }

  /**
   * What a proxy holding a certificate for {@code identity} presents to a plugin service (as Envoy's cluster with
   * {@code tls=true}: only a server with one of {@code servers} as its identity is accepted).
   */
  public ChannelCredentials proxyCredentials(SpiffeId identity, String... servers) throws IOException {
    Path certs = certDir(identity);
    return ControlPlaneClientTls.fromFiles(certs.resolve("tls.crt"), certs.resolve("tls.key"),
        certs.resolve("ca.crt"), java.util.Set.of(servers));
  }

  /** A standalone replica of {@code service} holding its certificate, serving its own peer-authenticated ports. */
  public PluginNetwork replicaWithTls(String service) throws IOException {
    Path certs = certDir(SpiffeId.service(service));
    return new PluginNetwork(InetAddress.getLoopbackAddress(), io.gloo.core.plugin.FilePeerTls.fromFiles(
        certs.resolve("tls.crt"), certs.resolve("tls.key"), certs.resolve("ca.crt")),
        ControlPlaneClientTls.fromFiles(certs.resolve("tls.crt"), certs.resolve("tls.key"), certs.resolve("ca.crt")));
  }

  /** A client that trusts the CA but has no certificate of its own. */
  public ChannelCredentials withoutClientCertificate() throws IOException {
    try (var in = new java.io.ByteArrayInputStream(ca.caCertificatePem().getBytes(
        java.nio.charset.StandardCharsets.US_ASCII))) {
      return io.grpc.TlsChannelCredentials.newBuilder().trustManager(in).build();
    }
  }

  /** Plaintext. */
  public static ChannelCredentials plaintext() {
    return InsecureChannelCredentials.create();
  }

  /**
   * Subscribes to the config stream {@code service} at {@code target} and returns the first config it sends; a
   * refused call throws its {@link io.grpc.StatusRuntimeException} (so no config was received).
   */
  public static String firstConfig(String target, String service, ChannelCredentials credentials)
      throws InterruptedException {
    ManagedChannel channel = Grpc.newChannelBuilder(target, credentials).build();
    try {
      Iterator<StringValue> configs = ClientCalls.blockingServerStreamingCall(channel, watch(service),
          CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), StringValue.of("test"));
      return configs.next().getValue();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The one RPC of a config stream (plugins/common's ConfigStreamMethod). */
  private static MethodDescriptor<StringValue, StringValue> watch(String service) {
    return MethodDescriptor.<StringValue, StringValue>newBuilder()
        .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, "Watch"))
        .setRequestMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
        .setResponseMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
        .build();
  }
}
