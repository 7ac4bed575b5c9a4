package io.gloo.core.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gloo.core.testing.ManualClock;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.MethodDescriptor;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** grpc's TLS with the CA's material over real sockets: who gets in, and which identity the server sees. */
class GrpcTlsTest {

  @TempDir
  Path tmp;

  private Server server;
  private final AtomicReference<Optional<SpiffeId>> seen = new AtomicReference<>();

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private int start(CertificateAuthority ca, boolean requireClientCert) throws Exception {
    IssuedCertificate serverCert = ca.issue(SpiffeId.controlPlane(), List.of("localhost", "127.0.0.1"),
        Duration.ofHours(1));
    ServerInterceptor capture = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        seen.set(GrpcTls.peerIdentity(call));
        return next.startCall(call, headers);
      }
    };
    server = Grpc.newServerBuilderForPort(0, GrpcTls.server(serverCert, requireClientCert))
        .addService(ServerInterceptors.intercept(new HealthStatusManager().getHealthService(), capture))
        .build().start();
    return server.getPort();
  }

  /** The xDS server's set-up: a {@link RenewingCertificate} and {@link CaClientTrust}. */
  private int startRenewing(CertificateAuthority ca, boolean requireClientCert, RenewingCertificate cert)
      throws Exception {
    ServerInterceptor capture = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        seen.set(GrpcTls.peerIdentity(call));
        return next.startCall(call, headers);
      }
    };
    server = Grpc.newServerBuilderForPort(0, GrpcTls.server(cert, requireClientCert))
        .addService(ServerInterceptors.intercept(new HealthStatusManager().getHealthService(), capture))
        .build().start();
    return server.getPort();
  }

  private final AtomicReference<X509Certificate> serverCertificate = new AtomicReference<>();

  /** Records the certificate the server presented on each call. */
  private final ClientInterceptor recordServerCertificate = new ClientInterceptor() {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          ClientCall<Q, R> call = delegate();
          super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
            @Override
            public void onHeaders(Metadata responseHeaders) {
              try {
                serverCertificate.set((X509Certificate) call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION)
                    .getPeerCertificates()[0]);
              } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                throw new AssertionError(e);
              }
              super.onHeaders(responseHeaders);
            }
          }, headers);
        }
      };
    }
  };

  private Status.Code check(int port, ChannelCredentials credentials) throws InterruptedException {
    ManagedChannel channel = Grpc.newChannelBuilder("localhost:" + port, credentials).build();
    try {
      HealthGrpc.newBlockingStub(ClientInterceptors.intercept(channel, recordServerCertificate)).withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static ChannelCredentials trustOnly(String caPem) throws Exception {
    return TlsChannelCredentials.newBuilder()
        .trustManager(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII))).build();
  }

  @Test
  void theServerSeesTheVerifiedIdentityOfTheClientCertificate() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp);
    int port = start(ca, false);
    IssuedCertificate gateway = ca.issue(SpiffeId.gateway("default", "http"), List.of(), Duration.ofHours(1));

    assertEquals(Status.Code.OK, check(port, GrpcTls.client(gateway)));
    assertEquals(Optional.of(SpiffeId.gateway("default", "http")), seen.get());

    // Optional client auth: a client without a certificate gets through TLS, with no identity to authorize.
    assertEquals(Status.Code.OK, check(port, trustOnly(ca.caCertificatePem())));
    assertEquals(Optional.empty(), seen.get());
  }

  @Test
  void aCertificateFromAnotherCaFailsTheHandshake() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp.resolve("ours"));
    CertificateAuthority theirs = CertificateAuthority.loadOrCreate(tmp.resolve("theirs"));
    int port = start(ca, false);
    IssuedCertificate forged = theirs.issue(SpiffeId.gateway("default", "http"), List.of(), Duration.ofHours(1));
    // trusts our server but presents a certificate our CA never issued
    IssuedCertificate mixed = new IssuedCertificate(forged.certificatePem(), forged.privateKeyPem(),
        ca.caCertificatePem(), forged.notAfter());
    assertEquals(Status.Code.UNAVAILABLE, check(port, GrpcTls.client(mixed)));
    assertEquals(null, seen.get(), "no call reached the service");
  }

  @Test
  void requiredClientAuthRefusesAClientWithoutACertificate() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp);
    int port = start(ca, true);
    assertEquals(Status.Code.UNAVAILABLE, check(port, trustOnly(ca.caCertificatePem())));
    assertEquals(Status.Code.OK, check(port,
        GrpcTls.client(ca.issue(SpiffeId.service("ratelimit-server"), List.of(), Duration.ofHours(1)))));
  }

  @Test
  void theClientRefusesAServerItsCaDidNotIssue() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp.resolve("ours"));
    CertificateAuthority theirs = CertificateAuthority.loadOrCreate(tmp.resolve("theirs"));
    int port = start(theirs, false);
    assertEquals(Status.Code.UNAVAILABLE, check(port,
        GrpcTls.client(ca.issue(SpiffeId.gateway("default", "http"), List.of(), Duration.ofHours(1)))));
    assertThrows(IllegalArgumentException.class, () -> SpiffeId.gateway("default", "HTTP"));
  }

  @Test
  void theRenewingServerAdmitsOnlyCertificatesItsCaIssued() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp.resolve("ours"));
    CertificateAuthority theirs = CertificateAuthority.loadOrCreate(tmp.resolve("theirs"));
    int port = startRenewing(ca, false, new RenewingCertificate(ca, SpiffeId.controlPlane(),
        List.of("localhost", "127.0.0.1"), Duration.ofHours(1), java.time.Clock.systemUTC()));

    assertEquals(Status.Code.OK, check(port,
        GrpcTls.client(ca.issue(SpiffeId.gateway("default", "http"), List.of(), Duration.ofHours(1)))));
    assertEquals(Optional.of(SpiffeId.gateway("default", "http")), seen.get());
    assertEquals(Status.Code.OK, check(port, trustOnly(ca.caCertificatePem())));
    assertEquals(Optional.empty(), seen.get(), "no certificate, no identity (the service refuses, e.g. xDS)");

    seen.set(null);
    IssuedCertificate forged = theirs.issue(SpiffeId.gateway("default", "http"), List.of(), Duration.ofHours(1));
    assertEquals(Status.Code.UNAVAILABLE, check(port, GrpcTls.client(new IssuedCertificate(forged.certificatePem(),
        forged.privateKeyPem(), ca.caCertificatePem(), forged.notAfter()))));
    // expired an hour ago, though issued by our CA
    CertificateAuthority past = ca.withClock(java.time.Clock.fixed(Instant.now().minus(Duration.ofHours(3)),
        java.time.ZoneOffset.UTC));
    assertEquals(Status.Code.UNAVAILABLE, check(port,
        GrpcTls.client(past.issue(SpiffeId.gateway("default", "http"), List.of(), Duration.ofHours(2)))));
    assertEquals(null, seen.get(), "no call reached the service");
  }

  @Test
  void theServerCertificateIsRenewedAfterTwoThirdsOfItsLifetimeWithoutARestart() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp);
    ManualClock clock = new ManualClock(Instant.now());
    RenewingCertificate cert = new RenewingCertificate(ca, SpiffeId.controlPlane(), List.of("localhost"),
        Duration.ofMinutes(60), clock);
    int port = startRenewing(ca, true, cert);
    ChannelCredentials proxy = GrpcTls.client(ca.issue(SpiffeId.gateway("default", "http"), List.of(),
        Duration.ofHours(1)));

    assertEquals(Status.Code.OK, check(port, proxy));
    BigInteger first = serverCertificate.get().getSerialNumber();
    clock.advance(Duration.ofMinutes(39));
    assertEquals(Status.Code.OK, check(port, proxy));
    assertEquals(first, serverCertificate.get().getSerialNumber(), "not due before 40 of 60 minutes");

    clock.advance(Duration.ofMinutes(2));
    assertEquals(Status.Code.OK, check(port, proxy));
    X509Certificate renewed = serverCertificate.get();
    assertNotEquals(first, renewed.getSerialNumber(), "renewed by the first handshake after 40 minutes");
    assertEquals(cert.current().notAfter(), renewed.getNotAfter().toInstant());
    assertEquals(Optional.of(SpiffeId.controlPlane()), SpiffeId.fromCertificate(renewed));
    clock.advance(Duration.ofMinutes(10));
    assertEquals(Status.Code.OK, check(port, proxy));
    assertEquals(renewed.getSerialNumber(), serverCertificate.get().getSerialNumber(), "once per two thirds");
  }

  @Test
  void bothAnRsaCaAndAnEcdsaCaFromBeforeServeMutualTlsWithEcdsaLeaves() throws Exception {
    for (CertificateAuthority ca : List.of(CertificateAuthority.loadOrCreate(tmp.resolve("rsa")),
        CertificateAuthority.generate(java.time.Clock.systemUTC(), CertificateAuthority.newLeafKeyPair()))) {
      int port = startRenewing(ca, true, new RenewingCertificate(ca, SpiffeId.controlPlane(),
          List.of("localhost", "127.0.0.1"), Duration.ofHours(1), java.time.Clock.systemUTC()));
      assertEquals(Status.Code.OK, check(port,
          GrpcTls.client(ca.issue(SpiffeId.gateway("default", "http"), List.of(), Duration.ofHours(1)))));
      assertEquals(Optional.of(SpiffeId.gateway("default", "http")), seen.get());
      assertEquals(ca.certificate().getPublicKey().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA",
          serverCertificate.get().getSigAlgName());
      stop();
      server = null;
    }
  }
}
