package io.gloo.bench;

import io.gloo.core.security.CaClientTrust;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.security.IssuedCertificate;
import io.gloo.core.security.RenewingCertificate;
import io.gloo.core.security.SpiffeId;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.SimpleKeyManagerFactory;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/**
 * The CPU one mutual-TLS handshake costs the xDS server's side, apart from sockets, HTTP/2 and the machine's other
 * load: client and server {@link SSLEngine}s of netty's OpenSSL provider (as gRPC builds them) hand each other their
 * records in memory, on one thread, and the server engine's calls are timed with the thread's CPU clock. Each
 * handshake uses the next of {@value #CERTIFICATES} client certificates issued before the clock starts (more than
 * the JDK's certificate cache holds, so parsing and the CA signature check are paid as a restarted server pays them).
 *
 * <p>{@code java -cp bench/target/benchmarks.jar io.gloo.bench.TlsEngineHandshakeBench [handshakes per round, default 2000]
 * [rounds, default 8]}: prints, per server configuration, the median over rounds of the server's CPU per handshake;
 * the first rounds are the JIT's warm-up and are printed too, as a cold (just restarted) server pays them.
 * Configurations: {@code per-handshake-key} — the server's renewing key manager through grpc's key-manager factory,
 * whose key material netty converts (PEM, then native) on every handshake; {@code cached-key} — the same key manager behind
 * netty's caching factory (one conversion per certificate generation; keyed by alias, which the renewing key
 * manager changes on renewal). Measured: no difference beyond noise, so the server keeps grpc's credentials.
 */
public final class TlsEngineHandshakeBench {

  static final int CERTIFICATES = 1_000;

  private TlsEngineHandshakeBench() {}

  public static void main(String[] args) throws Exception {
    int handshakes = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(Files.createTempDirectory("gloo-bench-ca"));
    RenewingCertificate server = new RenewingCertificate(ca, SpiffeId.controlPlane(), List.of("localhost"),
        Duration.ofHours(1), Clock.systemUTC());
    List<SslContext> clients = new ArrayList<>();
    for (int i = 0; i < CERTIFICATES; i++) {
      IssuedCertificate cert = ca.issue(SpiffeId.gateway("default", "http"), List.of(), Duration.ofHours(1));
      clients.add(GrpcSslContexts.configure(SslContextBuilder.forClient()
          .keyManager(stream(cert.certificatePem()), stream(cert.privateKeyPem()))
          .trustManager(stream(cert.caCertificatePem())), SslProvider.OPENSSL).build());
    }
    SslContext perHandshake = GrpcSslContexts.configure(SslContextBuilder.forServer(new FixedFactory(server))
        .trustManager(CaClientTrust.of(server.caCertificatePem())).clientAuth(ClientAuth.OPTIONAL),
        SslProvider.OPENSSL).build();
    SslContext cached = GrpcSslContexts.configure(SslContextBuilder.forServer(
            new OpenSslCachingX509KeyManagerFactory(new FixedFactory(server)))
        .trustManager(CaClientTrust.of(server.caCertificatePem())).clientAuth(ClientAuth.OPTIONAL),
        SslProvider.OPENSSL).build();
    String[] names = {"per-handshake-key", "cached-key"};
    SslContext[] servers = {perHandshake, cached};
    long[][] perRound = new long[servers.length][rounds];
    int next = 0;
    for (int r = 0; r < rounds; r++) {
      StringBuilder line = new StringBuilder(String.format("round %2d:", r));
      for (int s = 0; s < servers.length; s++) {
        long cpu = 0;
        for (int h = 0; h < handshakes; h++) {
          cpu += handshake(clients.get(next++ % CERTIFICATES), servers[s]);
        }
        perRound[s][r] = cpu / handshakes;
        line.append(String.format(" %s %6.1f us", names[s], perRound[s][r] / 1e3));
      }
      System.out.println(line);
    }
    System.out.printf("server CPU per mutual-TLS handshake, median of rounds %d..%d (%d handshakes each):%n",
        rounds / 2, rounds - 1, handshakes);
    for (int s = 0; s < servers.length; s++) {
      long[] warm = Arrays.copyOfRange(perRound[s], rounds / 2, rounds);
      Arrays.sort(warm);
      System.out.printf("  %-18s %6.1f us (first round %6.1f us)%n", names[s], warm[warm.length / 2] / 1e3,
          perRound[s][0] / 1e3);
    }
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** One full handshake between a new client and server engine; returns the server engine's CPU time in ns. */
  static long handshake(SslContext clientContext, SslContext serverContext) throws Exception {
    SSLEngine client = clientContext.newEngine(ByteBufAllocator.DEFAULT, "localhost", 9977);
    long start = THREADS.getCurrentThreadCpuTime();
    SSLEngine server = serverContext.newEngine(ByteBufAllocator.DEFAULT);
    long serverCpu = THREADS.getCurrentThreadCpuTime() - start;
    ByteBuffer toServer = ByteBuffer.allocateDirect(64 * 1024);
    ByteBuffer toClient = ByteBuffer.allocateDirect(64 * 1024);
    ByteBuffer app = ByteBuffer.allocateDirect(64 * 1024);
    ByteBuffer empty = ByteBuffer.allocate(0);
    client.beginHandshake();
    start = THREADS.getCurrentThreadCpuTime();
    server.beginHandshake();
    serverCpu += THREADS.getCurrentThreadCpuTime() - start;
    for (int step = 0; step < 50 && !(done(client) && done(server)); step++) {
      client.wrap(empty, toServer);
      toServer.flip();
      start = THREADS.getCurrentThreadCpuTime();
      while (toServer.hasRemaining()) {
        SSLEngineResult result = server.unwrap(toServer, app);
        app.clear();
        if (result.bytesConsumed() == 0) {
          break;
        }
      }
      runTasks(server);
      server.wrap(empty, toClient);
      serverCpu += THREADS.getCurrentThreadCpuTime() - start;
      toServer.compact();
      toClient.flip();
      while (toClient.hasRemaining()) {
        SSLEngineResult result = client.unwrap(toClient, app);
        app.clear();
        if (result.bytesConsumed() == 0) {
          break;
        }
      }
      runTasks(client);
      toClient.compact();
    }
    if (!done(client) || !done(server)) {
      throw new IllegalStateException("handshake did not finish: client " + client.getHandshakeStatus()
          + ", server " + server.getHandshakeStatus());
    }
    start = THREADS.getCurrentThreadCpuTime();
    server.getSession().getPeerCertificates(); // what gRPC and the xDS authorization read from every connection
    release(server);
    serverCpu += THREADS.getCurrentThreadCpuTime() - start;
    release(client);
    return serverCpu;
  }

  private static boolean done(SSLEngine engine) {
    HandshakeStatus status = engine.getHandshakeStatus();
    return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
  }

  private static void runTasks(SSLEngine engine) {
    for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
      task.run();
    }
  }

  private static void release(SSLEngine engine) {
    engine.closeOutbound();
    if (engine instanceof io.grpc.netty.shaded.io.netty.util.ReferenceCounted counted) {
      counted.release();
    }
  }

  private static ByteArrayInputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }

  /** What grpc's TlsServerCredentials does with a key manager: a factory that returns it, which netty cannot cache. */
  private static final class FixedFactory extends SimpleKeyManagerFactory {
    private final KeyManager keyManager;

    FixedFactory(KeyManager keyManager) {
      this.keyManager = keyManager;
    }

    @Override
    protected void engineInit(KeyStore keyStore, char[] password) {}

    @Override
    protected void engineInit(ManagerFactoryParameters params) {}

    @Override
    protected KeyManager[] engineGetKeyManagers() {
      return new KeyManager[] {keyManager};
    }
  }
}
