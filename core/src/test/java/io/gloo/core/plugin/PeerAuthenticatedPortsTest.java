package io.gloo.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.StringValue;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.security.GrpcTls;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.testing.TestCertificates;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peer-authenticated plugin services over real sockets with the control plane's CA: only a client certificate from
 * the CA with an allowed identity reaches the service; everyone else is refused before it runs. And the replica's
 * side: it talks only to a server that proves to be the control plane.
 */
class PeerAuthenticatedPortsTest {

  private static final String SERVICE = "test.Secrets";
  private static final String RATELIMIT_SERVER = "spiffe://gloo/service/ratelimit-server";

  @TempDir
  Path tmp;

  private static MethodDescriptor<StringValue, StringValue> get() {
    return MethodDescriptor.<StringValue, StringValue>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Get"))
        .setRequestMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
        .setResponseMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
        .build();
  }

  /** Counts the calls that reached it, so a refusal can be shown to happen before the service. */
  private static ServerServiceDefinition secrets(AtomicInteger reached) {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(get(), ServerCalls.asyncUnaryCall((request, response) -> {
          reached.incrementAndGet();
          response.onNext(StringValue.of("the-secret"));
          response.onCompleted();
        }))
        .build();
  }

  private static String call(int port, ChannelCredentials credentials) throws InterruptedException {
    ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + port, credentials).build();
    try {
      return ClientCalls.blockingUnaryCall(channel, get(), CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
          StringValue.of("")).getValue();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Status.Code refused(int port, ChannelCredentials credentials) {
    return assertThrows(StatusRuntimeException.class, () -> call(port, credentials)).getStatus().getCode();
  }

  @Test
  void onlyACertificateFromTheCaWithAnAllowedIdentityReachesTheService() throws Exception {
    TestCertificates certs = new TestCertificates(tmp);
    AtomicInteger reached = new AtomicInteger();
    try (GrpcServices services = new GrpcServices(certs.controlPlane())) {
      services.registerPeerAuthenticated("ratelimit", getClass().getClassLoader(), 0, secrets(reached),
          Set.of(RATELIMIT_SERVER, "spiffe://gloo/control-plane"));
      int port = services.boundPort(0);

      assertEquals(Status.Code.UNAVAILABLE, refused(port, TestCertificates.plaintext()), "plaintext");
      assertEquals(Status.Code.UNAVAILABLE, refused(port, certs.withoutClientCertificate()), "no client certificate");
      TestCertificates otherCa = new TestCertificates(tmp.resolve("other"));
      assertEquals(Status.Code.UNAVAILABLE, refused(port, otherCa.clientCredentials(SpiffeId.service(
          "ratelimit-server"))), "the right name from another CA");
      assertEquals(Status.Code.PERMISSION_DENIED, refused(port, certs.clientCredentials(
          SpiffeId.gateway("default", "gw"))), "a Gateway's certificate");
      assertEquals(Status.Code.PERMISSION_DENIED, refused(port, certs.clientCredentials(
          SpiffeId.service("extauth-server"))), "another service's certificate");
      assertEquals(0, reached.get(), "no refused call reached the service");

      assertEquals("the-secret", call(port, certs.clientCredentials(SpiffeId.service("ratelimit-server"))));
      assertEquals("the-secret", call(port, certs.clientCredentials(SpiffeId.controlPlane())));
      assertEquals(2, reached.get());
    }
  }

  /** An allowed entry ending in '*' admits every identity it prefixes (e.g. every proxy), and only those. */
  @Test
  void aPrefixEntryAdmitsTheIdentitiesItPrefixes() throws Exception {
    TestCertificates certs = new TestCertificates(tmp);
    AtomicInteger reached = new AtomicInteger();
    try (GrpcServices services = new GrpcServices(certs.controlPlane())) {
      services.registerPeerAuthenticated("extauth", getClass().getClassLoader(), 0, secrets(reached),
          Set.of("spiffe://gloo/ns/*"));
      int port = services.boundPort(0);
      assertEquals("the-secret", call(port, certs.clientCredentials(SpiffeId.gateway("default", "gw"))));
      assertEquals("the-secret", call(port, certs.clientCredentials(SpiffeId.gateway("other", "edge"))));
      assertEquals(Status.Code.PERMISSION_DENIED, refused(port, certs.clientCredentials(
          SpiffeId.service("ratelimit-server"))));
      assertEquals(2, reached.get());
    }
  }

  @Test
  void plaintextAndPeerAuthenticatedServicesNeverShareAPort() throws Exception {
    TestCertificates certs = new TestCertificates(tmp);
    try (GrpcServices services = new GrpcServices(certs.controlPlane())) {
      services.register("ratelimit", getClass().getClassLoader(), 0, secrets(new AtomicInteger()), false);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> services.registerPeerAuthenticated(
          "extauth", getClass().getClassLoader(), 0, ServerServiceDefinition.builder("test.Stream").build(),
          Set.of(RATELIMIT_SERVER)));
      assertTrue(e.getMessage().contains("give it a port of its own"), e.getMessage());
    }
  }

  /** Without a CA (--xds-insecure) the service is served in plaintext, to anyone (the WARN says so). */
  @Test
  void withoutACaPeerAuthenticatedServicesArePlaintext() throws Exception {
    AtomicInteger reached = new AtomicInteger();
    try (GrpcServices services = new GrpcServices(new PluginNetwork(InetAddress.getLoopbackAddress(), null,
        null))) {
      services.registerPeerAuthenticated("ratelimit", getClass().getClassLoader(), 0, secrets(reached),
          Set.of(RATELIMIT_SERVER));
      assertEquals("the-secret", call(services.boundPort(0), TestCertificates.plaintext()));
    }
  }

  /** A replica's credentials refuse a server of the same CA that is not the control plane. */
  @Test
  void aReplicaTalksOnlyToTheControlPlane() throws Exception {
    TestCertificates certs = new TestCertificates(tmp);
    CertificateAuthority ca = certs.ca();
    AtomicInteger reached = new AtomicInteger();
    ChannelCredentials replica = certs.clientCredentials(SpiffeId.service("ratelimit-server"));
    for (SpiffeId serverIdentity : List.of(SpiffeId.gateway("default", "gw"), SpiffeId.controlPlane())) {
      Server server = Grpc.newServerBuilderForPort(0, GrpcTls.server(ca.issue(serverIdentity,
          List.of("127.0.0.1"), Duration.ofHours(1)), true)).addService(secrets(reached)).build().start();
      try {
        if (serverIdentity.equals(SpiffeId.controlPlane())) {
          assertEquals("the-secret", call(server.getPort(), replica));
        } else {
          assertEquals(Status.Code.UNAVAILABLE, refused(server.getPort(), replica), "server " + serverIdentity);
        }
      } finally {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    assertEquals(1, reached.get());
  }

  /**
   * A standalone replica in TLS mode ({@link FilePeerTls}): its port presents the replica's own certificate, which a
   * proxy accepts only when it expects that replica (Envoy's cluster SAN check), and answers only the allowed
   * callers.
   */
  @Test
  void aReplicaServesItsPeerAuthenticatedPortWithItsOwnCertificate() throws Exception {
    TestCertificates certs = new TestCertificates(tmp);
    AtomicInteger reached = new AtomicInteger();
    try (GrpcServices services = new GrpcServices(certs.replicaWithTls("ratelimit-server"))) {
      services.registerPeerAuthenticated("ratelimit", getClass().getClassLoader(), 0, secrets(reached),
          Set.of("spiffe://gloo/ns/*", "spiffe://gloo/control-plane"));
      int port = services.boundPort(0);
      SpiffeId proxy = SpiffeId.gateway("default", "gw");

      assertEquals(Status.Code.UNAVAILABLE, refused(port, TestCertificates.plaintext()), "plaintext");
      assertEquals(Status.Code.UNAVAILABLE, refused(port, certs.withoutClientCertificate()), "no client certificate");
      assertEquals(Status.Code.UNAVAILABLE, refused(port, new TestCertificates(tmp.resolve("other"))
          .proxyCredentials(proxy, RATELIMIT_SERVER)), "a proxy of another CA");
      assertEquals(Status.Code.UNAVAILABLE, refused(port, certs.clientCredentials(proxy)),
          "a client that expects the control plane does not accept the replica");
      assertEquals(Status.Code.PERMISSION_DENIED, refused(port, certs.proxyCredentials(
          SpiffeId.service("extauth-server"), RATELIMIT_SERVER)), "another replica is no caller");
      assertEquals(0, reached.get(), "no refused call reached the service");

      assertEquals("the-secret", call(port, certs.proxyCredentials(proxy, "spiffe://gloo/control-plane",
          RATELIMIT_SERVER)));
      assertEquals(1, reached.get());
    }
  }
}
