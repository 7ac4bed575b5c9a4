package io.gloo.bench;

import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.security.GrpcTls;
import io.gloo.core.security.IssuedCertificate;
import io.gloo.core.security.RenewingCertificate;
import io.gloo.core.security.SpiffeId;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The server's side of 100 new mutual-TLS connections (one gRPC health check each), without the xDS payload, for
 * three server set-ups side by side: plaintext, the xDS server's TLS before this change (grpc's credentials from
 * PEM: the JDK's PKIX trust manager) and now ({@link RenewingCertificate} + {@code CaClientTrust}). Each server has
 * its own named event loops, so its threads' CPU is measured apart from the clients'; rounds rotate between them.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar io.gloo.bench.TlsHandshakeBench [rounds, default 10] [warm-ups, 3]}
 */
public final class TlsHandshakeBench {

  private static final int CLIENTS = 100;

  private TlsHandshakeBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(Files.createTempDirectory("gloo-bench-ca"));
    List<String> hosts = List.of("localhost", "127.0.0.1");
    IssuedCertificate serverCert = ca.issue(SpiffeId.controlPlane(), hosts, Duration.ofHours(1));
    List<ChannelCredentials> tls = new ArrayList<>();
    List<ChannelCredentials> plain = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      tls.add(GrpcTls.client(ca.issue(SpiffeId.gateway("default", "gw"), List.of(), Duration.ofHours(1))));
      plain.add(InsecureChannelCredentials.create());
    }
    String[] names = {"plaintext", "mTLS, JDK PKIX trust (before)", "mTLS, CaClientTrust (now)"};
    Server[] servers = {
        start("bench-plain-", null),
        start("bench-pkix-", GrpcTls.server(serverCert, false)),
        start("bench-ca-", GrpcTls.server(new RenewingCertificate(ca, SpiffeId.controlPlane(), hosts,
            Duration.ofHours(1), Clock.systemUTC()), false))};
    String[] prefixes = {"bench-plain-", "bench-pkix-", "bench-ca-"};
    long[][] cpu = new long[3][rounds];
    for (int r = -warmups; r < rounds; r++) {
      StringBuilder line = new StringBuilder(r < 0 ? "warm-up " : "round   ").append(Math.abs(r)).append(':');
      for (int s = 0; s < 3; s++) {
        long used = round(servers[s].getPort(), s == 0 ? plain : tls, prefixes[s]);
        line.append(String.format("  %s %d ms", prefixes[s].replace("bench-", "").replace("-", ""), used / 1_000_000));
        if (r >= 0) {
          cpu[s][r] = used;
        }
      }
      System.out.println(line);
    }
    System.out.printf("server threads' CPU for %d new connections (one health check each), %d rounds:%n", CLIENTS,
        rounds);
    for (int s = 0; s < 3; s++) {
      System.out.printf("  %-32s median %6.1f ms (p90 %6.1f)%n", names[s], XdsTlsBench.percentile(cpu[s], 50),
          XdsTlsBench.percentile(cpu[s], 90));
    }
    for (Server server : servers) {
      server.shutdownNow();
    }
    System.exit(0);
  }

  private static Server start(String prefix, ServerCredentials credentials) throws Exception {
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    NettyServerBuilder builder = credentials == null ? NettyServerBuilder.forAddress(any)
        : NettyServerBuilder.forAddress(any, credentials);
    return builder
        .bossEventLoopGroup(new NioEventLoopGroup(1, new DefaultThreadFactory(prefix + "accept", true)))
        .workerEventLoopGroup(new NioEventLoopGroup(0, new DefaultThreadFactory(prefix + "io", true)))
        .channelType(NioServerSocketChannel.class)
        .directExecutor()
        .addService(new HealthStatusManager().getHealthService())
        .build().start();
  }

  /** The CPU time the server's threads spent while every client connected and made one call. */
  private static long round(int port, List<ChannelCredentials> credentials, String prefix) throws Exception {
    List<ManagedChannel> channels = new ArrayList<>();
    for (ChannelCredentials c : credentials) {
      channels.add(Grpc.newChannelBuilderForAddress("localhost", port, c).build());
    }
    CountDownLatch done = new CountDownLatch(channels.size());
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    Map<Long, Long> before = XdsTlsBench.threadCpu(prefix);
    for (ManagedChannel channel : channels) {
      HealthGrpc.newStub(channel).check(HealthCheckRequest.getDefaultInstance(), new StreamObserver<>() {
        @Override
        public void onNext(HealthCheckResponse value) {}

        @Override
        public void onError(Throwable t) {
          failure.compareAndSet(null, t);
          done.countDown();
        }

        @Override
        public void onCompleted() {
          done.countDown();
        }
      });
    }
    if (!done.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("round did not finish");
    }
    long used = XdsTlsBench.threadCpuSince(prefix, before);
    if (failure.get() != null) {
      throw new IllegalStateException("a health check failed", failure.get());
    }
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      c.awaitTermination(5, TimeUnit.SECONDS);
    }
    return used;
  }
}
