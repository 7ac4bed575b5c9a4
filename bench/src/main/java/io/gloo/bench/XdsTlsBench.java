package io.gloo.bench;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.gloo.core.security.CertificateAuthority;
import io.gloo.core.security.EcdsaCaForBench;
import io.gloo.core.security.GrpcTls;
import io.gloo.core.security.SpiffeId;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.snapshot.SnapshotPublisher;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.Translator;
import io.gloo.core.xds.BootstrapGenerator;
import io.gloo.core.xds.NackHoldingConfigWatcher;
import io.gloo.core.xds.ProxyTracker;
import io.gloo.core.xds.XdsServer;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * xDS fan-out over mutual TLS against plaintext ({@code --xds-insecure}), in one run: 100 proxies (gRPC ADS
 * clients, each on its own new connection — so each TLS round includes 100 handshakes — and, with TLS, its own
 * client certificate) receive and ACK the full snapshot of the 1,000-route {@link Workload} (CDS → EDS → LDS → RDS,
 * each ACKed as Envoy does). A round's time runs from opening the connections until the last proxy has ACKed its
 * routes. Each round of each mode has a new server (a restart: new server certificate) and, with TLS, new client
 * certificates, all made before the clock starts, as after a control-plane restart, when no certificate has been
 * seen (and cached) by the new process; the servers serve the same snapshot cache; rounds alternate between the
 * modes so that drift (JIT, GC, the other processes on the machine) hits all alike. Prints each mode's median and p90, and the ratio of medians.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar io.gloo.bench.XdsTlsBench [measured rounds per mode, default 10]
 * [warm-up rounds per mode, default 3] [routes, default 1000] [clients: jvm (default) or process]}: with
 * {@code process} the 100 proxies run in a JVM of their own ({@link XdsTlsBenchClients}), as Envoys are separate
 * processes: this JVM's process CPU is then the control plane's alone. A fifth argument {@code ecdsa-ca} adds a
 * third mode in the same rounds: mutual TLS under an ECDSA P-256 CA, as {@code gloo serve} created them before RSA
 * CAs (the CA key type decides what the Java trust managers verify on each handshake).
 */
public final class XdsTlsBench {

  static final int ROUTES = 1_000;
  static final int PROXIES = 100;
  private static final long ROUND_TIMEOUT_SECONDS = 120;

  private XdsTlsBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int routes = args.length > 2 ? Integer.parseInt(args[2]) : ROUTES;
    boolean clientProcess = args.length > 3 && args[3].equals("process");
    boolean ecdsaCa = args.length > 4 && args[4].equals("ecdsa-ca");

    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    SnapshotPublisher publisher = publish(routes, metrics);
    PublishedSnapshot snapshot = publisher.current().get(GATEWAY);
    Names names = names(snapshot);
    System.out.printf("snapshot: %d listeners, %d route configurations (%d routes), %d clusters%n",
        snapshot.resources().listeners().size(), snapshot.resources().routes().size(),
        snapshot.resources().routes().stream().flatMap(r -> r.getVirtualHostsList().stream())
            .mapToInt(v -> v.getRoutesCount()).sum(),
        snapshot.resources().clusters().size());

    System.out.println("TLS provider: " + (io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl.isAvailable()
        ? "OpenSSL (BoringSSL, netty-tcnative)" : "JDK"));
    Path state = Files.createTempDirectory("gloo-bench-ca");
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(state);
    Path ecdsaState = ecdsaCa ? EcdsaCaForBench.write(state.resolveSibling(state.getFileName() + "-ecdsa")) : null;
    CertificateAuthority legacyCa = ecdsaCa ? CertificateAuthority.loadOrCreate(ecdsaState) : null;
    ProxyTracker tracker = new ProxyTracker(metrics);
    var cache = new NackHoldingConfigWatcher(publisher.cache(), tracker);
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    // Each round starts a new server for its mode (a new server certificate, as after a restart) and, with TLS, the
    // proxies present certificates the server process has not seen: the JDK caches parsed certificates by their
    // bytes (X509Factory) and each certificate's verified signature, so reusing them would leave the CA signature
    // checks out of every round after the first, which a restarted control plane does not get to skip.
    List<Mode> modes = new ArrayList<>(List.of(new Mode("plaintext (--xds-insecure)", "plain", null),
        new Mode("mutual TLS", "tls", ca)));
    if (ecdsaCa) {
      modes.add(new Mode("mutual TLS, ECDSA CA (before)", "tls-ecdsa", legacyCa));
    }
    Node node = node();
    XdsTlsBenchClients.Remote remote = clientProcess
        ? XdsTlsBenchClients.Remote.start(state, ecdsaState, routes) : null;
    System.out.println("stand-in proxies: " + (clientProcess ? "in a JVM of their own" : "in this JVM"));
    System.out.println("CA key: " + (ecdsaCa ? "RSA-3072 (mutual TLS) and ECDSA P-256 (the CAs created before)"
        : "RSA-3072"));
    // figures[mode][round] = {wall, process CPU, server threads' CPU, clients' CPU, GC ms}, as round returns
    long[][][] figures = new long[modes.size()][rounds][];
    for (int r = -warmups; r < rounds; r++) {
      StringBuilder line = new StringBuilder(String.format("%s %2d:", r < 0 ? "warm-up" : "round  ", Math.abs(r)));
      for (int m = 0; m < modes.size(); m++) {
        Mode mode = modes.get(m);
        long[] f;
        try (XdsServer server = mode.ca() == null
            ? XdsServer.start(any, cache, List.of(tracker), Duration.ofSeconds(1))
            : XdsServer.start(any, cache, List.of(tracker), Duration.ofSeconds(1),
                XdsServer.Tls.issue(mode.ca(), List.of(), metrics))) {
          f = clientProcess ? remote.round(mode.command(), server.port())
              : round("localhost", server.port(), clientCredentials(mode.ca(), mode.ca() != null), node, names,
                  () -> { }, x -> { });
        }
        line.append(String.format(" %s %5d ms (CPU %5d ms, server %4d ms)%s", mode.command(), f[0] / 1_000_000,
            f[1] / 1_000_000, f[2] / 1_000_000, m < modes.size() - 1 ? "," : ""));
        if (r >= 0) {
          figures[m][r] = f;
        }
      }
      System.out.println(line);
    }
    System.out.printf("%d proxies x full snapshot of %d routes, %d rounds per mode:%n", PROXIES, routes, rounds);
    double plainWall = median(figures[0], 0);
    for (int m = 0; m < modes.size(); m++) {
      System.out.printf("  %-31s wall median %.1f ms (p90 %.1f)%s%n", modes.get(m).name() + ":",
          median(figures[m], 0), percentile(column(figures[m], 0), 90),
          m == 0 ? "" : String.format(", ratio %.2fx (target <= 1.3x)", median(figures[m], 0) / plainWall));
    }
    System.out.printf("  process CPU per round (%s):%s%n", clientProcess
        ? "the control plane alone; the clients are another process" : "server and the 100 clients",
        figuresLine(modes, figures, 1));
    System.out.printf("  xDS server's own threads' CPU per round (the product's share):%s%n",
        figuresLine(modes, figures, 2));
    if (remote != null) {
      System.out.printf("  the client process's CPU per round (the 100 stand-in proxies):%s%n",
          figuresLine(modes, figures, 3));
      System.out.printf("  this JVM's GC time per round (ms):%s%n", figuresLine(modes, figures, 4));
      remote.close();
      System.out.println("  this JVM's CPU by thread (whole run, names without numbers): " + cpuByThreadGroup());
    }
  }

  /** One way of serving the proxies: plaintext ({@code ca} null) or mutual TLS with {@code ca}'s certificates. */
  private record Mode(String name, String command, CertificateAuthority ca) {}

  private static long[] column(long[][] rows, int index) {
    return Arrays.stream(rows).mapToLong(row -> row[index]).toArray();
  }

  /** The median of one figure over the rounds, in ms (GC times, already in ms, are scaled to ns first). */
  private static double median(long[][] rows, int index) {
    return percentile(Arrays.stream(rows).mapToLong(row -> index == 4 ? row[index] * 1_000_000 : row[index])
        .toArray(), 50);
  }

  private static String figuresLine(List<Mode> modes, long[][][] figures, int index) {
    StringBuilder line = new StringBuilder();
    for (int m = 0; m < modes.size(); m++) {
      line.append(String.format(" %s median %.1f ms", modes.get(m).command(), median(figures[m], index)));
      if (index != 4) {
        line.append(String.format(" (p90 %.1f)", percentile(column(figures[m], index), 90)));
      }
      if (m > 0 && index != 4) {
        line.append(String.format(" = %.2fx", median(figures[m], index) / median(figures[0], index)));
      }
      line.append(m < modes.size() - 1 ? "," : "");
    }
    return line.toString();
  }

  /** CPU time so far of this JVM's live threads, summed by name with digits removed, largest first, in ms. */
  static String cpuByThreadGroup() {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    java.util.Map<String, Long> byGroup = new java.util.TreeMap<>();
    for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null) {
        byGroup.merge(info.getThreadName().replaceAll("[0-9]+", "#"),
            Math.max(0, threads.getThreadCpuTime(info.getThreadId())) / 1_000_000, Long::sum);
      }
    }
    return byGroup.entrySet().stream().sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(8).map(e -> e.getKey() + " " + e.getValue() + " ms").collect(java.util.stream.Collectors.joining(", "));
  }

  static final ResourceKey GATEWAY = new ResourceKey("Gateway", Workload.GATEWAY_NAMESPACE, Workload.GATEWAY_NAME);

  /** The {@link Workload} of {@code routes} translated and published (deterministic: both processes agree). */
  static SnapshotPublisher publish(int routes, SimpleMeterRegistry metrics) {
    SnapshotPublisher publisher = new SnapshotPublisher(metrics);
    publisher.publish(new Translator().translate(new Workload(routes).snapshot()).gateways());
    return publisher;
  }

  static Names names(PublishedSnapshot snapshot) {
    return new Names(snapshot.resources().clusters().stream().map(c -> c.getName()).toList(),
        snapshot.resources().routes().stream().map(r -> r.getName()).toList());
  }

  static Node node() {
    return BootstrapGenerator.bootstrap(GATEWAY, "127.0.0.1:9977").getNode();
  }

  /**
   * One credential per proxy: with {@code tls}, each its own new client certificate for the Gateway from {@code ca}
   * (null without TLS).
   */
  static List<ChannelCredentials> clientCredentials(CertificateAuthority ca, boolean tls) {
    List<ChannelCredentials> credentials = new ArrayList<>();
    for (int i = 0; i < PROXIES; i++) {
      credentials.add(!tls ? InsecureChannelCredentials.create() : GrpcTls.client(
          ca.issue(SpiffeId.gateway(GATEWAY.namespace(), GATEWAY.name()), List.of(), Duration.ofHours(1))));
    }
    return credentials;
  }

  record Names(List<String> clusters, List<String> routes) {}

  /**
   * One round: every proxy connects, receives and ACKs CDS, EDS, LDS, RDS; returns the wall time, the process CPU
   * time and the CPU time of the xDS server's own threads, in ns, all from the first connection until the last ACK.
   *
   * @param ready called once the channels are built, just before the clock starts (the client process waits there
   *     for the parent's go, so that the parent's CPU readings do not include the clients' set-up)
   * @param measured called with those figures as soon as they are taken, before the channels are shut down
   */
  static long[] round(String host, int port, List<ChannelCredentials> credentials, Node node, Names names,
      Runnable ready, java.util.function.Consumer<long[]> measured) throws Exception {
    // Channels are built (the client's TLS context loaded from its PEM files, as an Envoy does at start) before
    // the clock starts; they connect (TCP, and the TLS handshake) on the first request, inside the round.
    List<ManagedChannel> channels = new ArrayList<>();
    for (ChannelCredentials c : credentials) {
      channels.add(Grpc.newChannelBuilderForAddress(host, port, c).build());
    }
    ready.run();
    CountDownLatch done = new CountDownLatch(credentials.size());
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long cpuStart = processCpuNanos();
    java.util.Map<Long, Long> serverCpuStart = serverCpu();
    long start = System.nanoTime();
    for (int i = 0; i < channels.size(); i++) {
      new Proxy(channels.get(i), node.toBuilder().setId("bench-proxy-" + i).build(), names, done, failure).start();
    }
    boolean finished = done.await(ROUND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    long elapsed = System.nanoTime() - start;
    long cpu = processCpuNanos() - cpuStart;
    long serverCpu = serverCpuSince(serverCpuStart);
    long[] figures = {elapsed, cpu, serverCpu};
    measured.accept(figures);
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      c.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a proxy failed", failure.get());
    }
    if (!finished) {
      throw new IllegalStateException("round did not finish within " + ROUND_TIMEOUT_SECONDS + " s");
    }
    return figures;
  }

  /** An Envoy-like ADS client: subscribes to each type in Envoy's order, ACKing each response. */
  private static final class Proxy implements StreamObserver<DiscoveryResponse> {
    private final Node node;
    private final Names names;
    private final CountDownLatch done;
    private final AtomicReference<Throwable> failure;
    private final StreamObserver<DiscoveryRequest> requests;
    private boolean finished; // touched only by the call's serialized callbacks

    Proxy(ManagedChannel channel, Node node, Names names, CountDownLatch done, AtomicReference<Throwable> failure) {
      this.node = node;
      this.names = names;
      this.done = done;
      this.failure = failure;
      this.requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(this);
    }

    void start() {
      subscribe(Resources.V3.CLUSTER_TYPE_URL, List.of());
    }

    private void subscribe(String typeUrl, List<String> resourceNames) {
      requests.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(typeUrl)
          .addAllResourceNames(resourceNames).build());
    }

    @Override
    public void onNext(DiscoveryResponse response) {
      String type = response.getTypeUrl();
      List<String> acked = switch (type) {
        case Resources.V3.ENDPOINT_TYPE_URL -> names.clusters();
        case Resources.V3.ROUTE_TYPE_URL -> names.routes();
        default -> List.of();
      };
      requests.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type).addAllResourceNames(acked)
          .setVersionInfo(response.getVersionInfo()).setResponseNonce(response.getNonce()).build());
      switch (type) {
        case Resources.V3.CLUSTER_TYPE_URL -> subscribe(Resources.V3.ENDPOINT_TYPE_URL, names.clusters());
        case Resources.V3.ENDPOINT_TYPE_URL -> subscribe(Resources.V3.LISTENER_TYPE_URL, List.of());
        case Resources.V3.LISTENER_TYPE_URL -> subscribe(Resources.V3.ROUTE_TYPE_URL, names.routes());
        case Resources.V3.ROUTE_TYPE_URL -> {
          if (!finished) {
            finished = true;
            done.countDown();
          }
        }
        default -> { }
      }
    }

    @Override
    public void onError(Throwable t) {
      if (!finished) {
        failure.compareAndSet(null, t);
        done.countDown();
      }
    }

    @Override
    public void onCompleted() {}
  }

  /** CPU time of this JVM (server and clients alike), which a loaded machine's waiting does not inflate. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * CPU time per live thread of the xDS servers ({@value XdsServer#THREAD_PREFIX}*: TLS, HTTP/2, xDS), apart from
   * the stand-in clients, by thread id: a round's share is the sum of the differences ({@link #serverCpuSince}), so
   * that a pooled thread ending between two readings takes its earlier time with it instead of making the sum
   * negative. Both servers' threads count; only the one being measured is busy in a round.
   */
  static java.util.Map<Long, Long> serverCpu() {
    return threadCpu(XdsServer.THREAD_PREFIX);
  }

  static long serverCpuSince(java.util.Map<Long, Long> start) {
    return threadCpuSince(XdsServer.THREAD_PREFIX, start);
  }

  /** CPU time so far of each live thread whose name starts with {@code prefix}, by thread id. */
  static java.util.Map<Long, Long> threadCpu(String prefix) {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    java.util.Map<Long, Long> cpu = new java.util.HashMap<>();
    for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith(prefix)) {
        cpu.put(info.getThreadId(), Math.max(0, threads.getThreadCpuTime(info.getThreadId())));
      }
    }
    return cpu;
  }

  /** The CPU time {@code prefix}'s threads used since {@link #threadCpu} returned {@code start}. */
  static long threadCpuSince(String prefix, java.util.Map<Long, Long> start) {
    long sum = 0;
    for (var e : threadCpu(prefix).entrySet()) {
      sum += e.getValue() - start.getOrDefault(e.getKey(), 0L);
    }
    return sum;
  }

  static double percentile(long[] nanos, int p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, index)] / 1e6;
  }
}
