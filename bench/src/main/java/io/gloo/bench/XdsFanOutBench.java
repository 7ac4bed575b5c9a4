package io.gloo.bench;

import static io.gloo.bench.XdsTlsBench.percentile;
import static io.gloo.bench.XdsTlsBench.serverCpu;
import static io.gloo.bench.XdsTlsBench.serverCpuSince;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.snapshot.SnapshotPublisher;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.xds.BootstrapGenerator;
import io.gloo.core.xds.NackHoldingConfigWatcher;
import io.gloo.core.xds.ProxyTracker;
import io.gloo.core.xds.PushPacer;
import io.gloo.core.xds.XdsServer;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * xDS fan-out: {@code streams} ADS streams (state of the world or delta) in this one JVM, spread evenly over
 * {@code gateways} Gateways of {@code routes / gateways} {@link Workload} routes each (each Gateway translated on its
 * own, so no resource instance is shared between Gateways), served plaintext ({@code --xds-insecure}; TLS is
 * {@link XdsTlsBench}'s subject) by one {@link XdsServer}. The clients behave as Envoy (CDS → EDS → LDS → RDS, every
 * response ACKed) and share {@value #CHANNELS} HTTP/2 connections and grpc's client event loops.
 *
 * <p>A round: one route of every Gateway changes (as one file holding a route of each would) → translate → publish,
 * and the clock runs until every stream has ACKed its Gateway's new route version. Reported per serialization mode:
 * each stream's change→ACK time (median, p99 over all streams and rounds), the time until the last stream ACKed
 * (median, p99 over rounds), the xDS server threads' CPU per round, and the heap after GC per connected stream
 * (server and client side together: the clients live in the same JVM, so this is an upper bound). The modes are
 * {@code shared}: each resource serialized once for all streams and responses handed to grpc on the xDS server's send
 * threads, streams in parallel (the product's); {@code shared-inline}: serialized once, but sent on the publishing
 * thread one stream after the other (java-control-plane's default executor group; the product before the send
 * threads); {@code per-stream}: java-control-plane's defaults, serialized once per stream and response
 * (java-control-plane #98) and sent on the publishing thread.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar io.gloo.bench.XdsFanOutBench [streams 1000] [gateways 10]
 * [routes 10000] [rounds 10] [warm-up rounds 3] [sotw|delta] [modes shared,per-stream] [full|light]} ({@code light}:
 * the clients read only the version, type and nonce of each response, {@link LightClients}); route churn:
 * {@code ... XdsFanOutBench [streams] 1 [routes] [changes per second] [seconds] churn} ({@link #churn}).
 */
public final class XdsFanOutBench {

  static final int CHANNELS = 8;
  /** Clients read only version, type and nonce of each response ({@link LightClients}). */
  static boolean light;
  /** The route of each Gateway that changes every round. */
  static final int CHANGED = 42;
  private static final long TIMEOUT_SECONDS = 300;

  private XdsFanOutBench() {}

  public static void main(String[] args) throws Exception {
    int streams = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int gateways = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int routes = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    int warmups = args.length > 4 ? Integer.parseInt(args[4]) : 3;
    if (args.length > 5 && args[5].equals("churn")) {
      churn(streams, routes, rounds, warmups);
      return;
    }
    boolean delta = args.length > 5 && args[5].equals("delta");
    List<String> modes = List.of((args.length > 6 ? args[6] : "shared,per-stream").split(","));
    light = args.length > 7 && args[7].equals("light");

    Fleet fleet = new Fleet(gateways, routes / gateways);
    System.out.printf("%d %s streams over %d Gateways x %d routes (%d Envoy routes, %d clusters each); load %s%n",
        streams, delta ? "delta" : "state-of-the-world", gateways, routes / gateways,
        fleet.snapshot(0).resources().routes().stream().mapToInt(r -> r.getVirtualHostsList().stream()
            .mapToInt(v -> v.getRoutesCount()).sum()).sum(),
        fleet.snapshot(0).resources().clusters().size(), loadAverage());
    XdsResources one = fleet.snapshot(0).resources();
    System.out.printf("serialized per Gateway: clusters %d KiB, endpoints %d KiB, listeners %d KiB, routes %d KiB;"
        + " clients parse %s%n", bytes(one.clusters()) >> 10, bytes(one.endpoints()) >> 10,
        bytes(one.listeners()) >> 10, bytes(one.routes()) >> 10,
        light ? "version, type and nonce only (light)" : "every response in full");
    System.out.printf("clients' HTTP/2 receive window %d KiB (-Dfanout.clientWindow)%n",
        Integer.getInteger("fanout.clientWindow", 256 << 20) >> 10);

    // A mode named twice runs twice (e.g. shared,per-stream,shared,per-stream: alternating phases, so that drift
    // hits both); its figures are pooled.
    Map<String, long[][]> results = new java.util.LinkedHashMap<>();
    for (String mode : modes) {
      long[][] r = run(fleet, streams, rounds, warmups, delta, mode);
      results.merge(mode, r, XdsFanOutBench::pool);
    }
    System.out.printf("%nSummary (%d streams, %d Gateways, %d routes, %s; load %s):%n", streams, gateways, routes,
        delta ? "delta" : "SotW", loadAverage());
    for (Map.Entry<String, long[][]> e : results.entrySet()) {
      long[][] r = e.getValue();
      System.out.printf("  %-10s change->ACK per stream median %.1f ms, p99 %.1f ms | all ACKed median %.1f ms,"
          + " p99 %.1f ms | of which publish (and send) median %.1f ms | xDS server CPU per round median %.1f ms"
          + " | heap per stream %s KiB%n", e.getKey(), percentile(r[0], 50), percentile(r[0], 99),
          percentile(r[1], 50), percentile(r[1], 99), percentile(r[4], 50), percentile(r[2], 50),
          Arrays.toString(Arrays.stream(r[3]).mapToObj(b -> String.format("%.1f", b / 1024.0)).toArray()));
      long[] cpu = new long[CpuSplit.NAMES.length];
      for (int i = 0; i < cpu.length; i++) {
        cpu[i] = (long) (percentile(r[5 + i], 50) * 1e6);
      }
      System.out.printf("  %-10s CPU per round by who spent it, medians: %s%n", e.getKey(), CpuSplit.format(cpu));
    }
    System.exit(0); // grpc's client threads
  }

  /**
   * Route churn: one Gateway of {@code routes} routes and {@code streams} SotW streams; one route changes every
   * {@code 1000 / ratePerSecond} ms for {@code seconds} s (translate → publish on this thread; when a change takes
   * longer than the period the next starts at once, and the achieved rate is printed). For every change and stream:
   * the time from the change until the stream ACKed that version or a later one (with the 100 ms push interval a
   * stream skips versions; the one it gets carries the change).
   */
  static void churn(int streams, int routes, int ratePerSecond, int seconds) throws Exception {
    Fleet fleet = new Fleet(1, routes);
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    ProxyTracker tracker = new ProxyTracker(metrics);
    System.out.printf("route churn: %d SotW streams, 1 Gateway x %d routes, one route changed %d times per second for"
        + " %d s; load %s%n", streams, routes, ratePerSecond, seconds, loadAverage());
    try (XdsServer server = XdsServer.start(new InetSocketAddress("127.0.0.1", 0),
        new NackHoldingConfigWatcher(fleet.publisher.cache(), tracker), List.of(tracker), Duration.ofSeconds(1))) {
      List<ManagedChannel> channels = new ArrayList<>();
      for (int c = 0; c < CHANNELS; c++) {
        channels.add(channel(server.port()));
      }
      PublishedSnapshot s = fleet.snapshot(0);
      List<Proxy> proxies = new ArrayList<>();
      CountDownLatch synced = new CountDownLatch(streams);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      for (int i = 0; i < streams; i++) {
        Node node = BootstrapGenerator.bootstrap(fleet.keys.get(0), "127.0.0.1:9977").getNode().toBuilder()
            .setId("churn-" + i).build();
        Proxy p = new Proxy(channels.get(i % CHANNELS), node, false,
            s.resources().clusters().stream().map(c -> c.getName()).toList(),
            s.resources().routes().stream().map(r -> r.getName()).toList(), failure);
        p.arrivals = new java.util.concurrent.ConcurrentHashMap<>();
        p.expect(s.version(Resources.V3.ROUTE_TYPE_URL), synced);
        proxies.add(p);
        p.start();
      }
      await(synced, failure, "initial sync");
      long period = 1_000_000_000L / ratePerSecond;
      int changes = ratePerSecond * seconds;
      List<String> versions = new ArrayList<>();
      long[] changedAt = new long[changes];
      long begin = System.nanoTime();
      for (int c = 0; c < changes; c++) {
        long due = begin + c * period;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        changedAt[c] = System.nanoTime();
        versions.add(fleet.change().get(0));
      }
      double achieved = changes / ((System.nanoTime() - begin) / 1e9);
      Thread.sleep(2_000); // the last pushes
      Map<String, Integer> indexOf = new HashMap<>();
      for (int c = 0; c < versions.size(); c++) {
        indexOf.put(versions.get(c), c);
      }
      long[] latencies = new long[changes * streams];
      int n = 0;
      int missing = 0;
      for (Proxy p : proxies) {
        // per change: the first arrival of that version or a later one
        long[] firstAtOrAfter = new long[changes];
        java.util.Arrays.fill(firstAtOrAfter, Long.MAX_VALUE);
        for (Map.Entry<String, Long> a : p.arrivals.entrySet()) {
          Integer c = indexOf.get(a.getKey());
          if (c != null) {
            firstAtOrAfter[c] = Math.min(firstAtOrAfter[c], a.getValue());
          }
        }
        for (int c = changes - 2; c >= 0; c--) {
          firstAtOrAfter[c] = Math.min(firstAtOrAfter[c], firstAtOrAfter[c + 1]);
        }
        for (int c = 0; c < changes; c++) {
          if (firstAtOrAfter[c] == Long.MAX_VALUE) {
            missing++;
          } else {
            latencies[n++] = firstAtOrAfter[c] - changedAt[c];
          }
        }
      }
      long[] measured = java.util.Arrays.copyOf(latencies, n);
      System.out.printf("%d changes at %.1f/s achieved (%d/s asked); change->ACK over %d (change, stream) pairs:"
          + " median %.1f ms, p99 %.1f ms, max %.1f ms; %d pairs never ACKed; RDS pushes per stream %.1f; load %s%n",
          changes, achieved, ratePerSecond, n, percentile(measured, 50), percentile(measured, 99),
          percentile(measured, 100), missing,
          proxies.stream().mapToInt(p -> p.arrivals.size()).average().orElse(0), loadAverage());
      for (ManagedChannel c : channels) {
        c.shutdownNow();
      }
    }
    System.exit(0);
  }

  /** Per-Gateway translation state: the resources, a long-lived translator, the revision of the changing route. */
  static final class Fleet {
    final List<ResourceKey> keys = new ArrayList<>();
    final List<Workload> workloads = new ArrayList<>();
    final List<Translator> translators = new ArrayList<>();
    final List<ResourceSnapshot> snapshots = new ArrayList<>();
    final SnapshotPublisher publisher = new SnapshotPublisher(new SimpleMeterRegistry());
    int revision;

    Fleet(int gateways, int routesEach) {
      Map<ResourceKey, XdsResources> all = new HashMap<>();
      for (int g = 0; g < gateways; g++) {
        Workload w = new Workload(routesEach);
        Translator t = new Translator();
        ResourceSnapshot s = ResourceSnapshot.of(w.resources(), List.of());
        ResourceKey key = new ResourceKey("Gateway", "fleet", "gw-" + g);
        keys.add(key);
        workloads.add(w);
        translators.add(t);
        snapshots.add(s);
        all.put(key, only(t.translate(s).gateways()));
      }
      publisher.publish(all);
    }

    PublishedSnapshot snapshot(int g) {
      return publisher.current(keys.get(g)).orElseThrow();
    }

    /** Nanoseconds the last {@link #change()} spent translating (the rest of it is the publish). */
    long translateNanos;
    /** CPU time the last {@link #change()} spent translating, on the publishing thread. */
    long translateCpuNanos;

    /**
     * Changes one route of every Gateway, translates and publishes; returns each Gateway's new route version. The
     * publish includes sending: java-control-plane's default executor group sends each response on the thread
     * that sets the snapshot.
     */
    List<String> change() {
      revision++;
      long start = System.nanoTime();
      long cpuStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
      Map<ResourceKey, XdsResources> all = new HashMap<>();
      for (int g = 0; g < keys.size(); g++) {
        HasMetadata route = workloads.get(g).route(CHANGED, revision);
        snapshots.set(g, snapshots.get(g).withChanges(Map.of(ResourceKey.of(route), route), List.of()));
        all.put(keys.get(g), only(translators.get(g).translate(snapshots.get(g)).gateways()));
      }
      translateNanos = System.nanoTime() - start;
      translateCpuNanos = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart;
      publisher.publish(all);
      List<String> versions = new ArrayList<>();
      for (int g = 0; g < keys.size(); g++) {
        versions.add(snapshot(g).version(Resources.V3.ROUTE_TYPE_URL));
      }
      return versions;
    }

    private static XdsResources only(Map<ResourceKey, XdsResources> gateways) {
      if (gateways.size() != 1) {
        throw new IllegalStateException("expected one Gateway, got " + gateways.keySet());
      }
      return gateways.values().iterator().next();
    }
  }

  private static long[][] pool(long[][] a, long[][] b) {
    long[][] out = new long[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = java.util.stream.LongStream.concat(Arrays.stream(a[i]), Arrays.stream(b[i])).toArray();
    }
    return out;
  }

  /**
   * Returns {per-stream latencies, round latencies, server CPU per round, {heap bytes per stream}, publish per round,
   * then per round the CPU of each of {@link CpuSplit#NAMES}}, in ns/bytes.
   */
  static long[][] run(Fleet fleet, int streams, int rounds, int warmups, boolean delta, String mode)
      throws Exception {
    if (!List.of("shared", "shared-inline", "per-stream").contains(mode)) {
      throw new IllegalArgumentException("mode must be shared, shared-inline or per-stream, not " + mode);
    }
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    ProxyTracker tracker = new ProxyTracker(metrics);
    long heapBefore = heapAfterGc();
    try (XdsServer server = XdsServer.start(new InetSocketAddress("127.0.0.1", 0),
        new NackHoldingConfigWatcher(fleet.publisher.cache(), tracker), List.of(tracker), Duration.ofSeconds(1), null,
        new XdsServer.Pushes(PushPacer.DEFAULT_MIN_INTERVAL, !mode.equals("per-stream"), mode.equals("shared")))) {
      List<ManagedChannel> channels = new ArrayList<>();
      for (int c = 0; c < CHANNELS; c++) {
        channels.add(channel(server.port()));
      }
      List<Proxy> proxies = new ArrayList<>();
      CountDownLatch synced = new CountDownLatch(streams);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      long connectStart = System.nanoTime();
      long heapHalf = 0;
      for (int i = 0; i < streams; i++) {
        if (i == streams / 2) {
          await(synced, streams - i, failure, "initial sync of the first half");
          heapHalf = heapAfterGc();
        }
        int g = i % fleet.keys.size();
        PublishedSnapshot s = fleet.snapshot(g);
        Node node = BootstrapGenerator.bootstrap(fleet.keys.get(g), "127.0.0.1:9977").getNode().toBuilder()
            .setId("fanout-" + i).build();
        Proxy p = new Proxy(channels.get(i % CHANNELS), node, delta,
            s.resources().clusters().stream().map(c -> c.getName()).toList(),
            s.resources().routes().stream().map(r -> r.getName()).toList(), failure);
        p.expect(s.version(Resources.V3.ROUTE_TYPE_URL), synced);
        proxies.add(p);
        p.start();
      }
      await(synced, failure, "initial sync");
      System.out.printf("[%s] %d streams connected and synced in %d ms%n", mode, streams,
          (System.nanoTime() - connectStart) / 1_000_000);
      long heapAll = heapAfterGc();
      // Per stream: the heap of the second half of the streams over the first half's, so that what is there once
      // (the snapshot, the serialized resources, the channels) is not counted.
      long heapPerStream = (heapAll - heapHalf) / (streams - streams / 2);
      System.out.printf("[%s] heap after GC: %.1f MiB before the streams, %.1f MiB with half, %.1f MiB with all:"
          + " %.1f KiB per stream (server and client side)%n", mode, heapBefore / 1048576.0, heapHalf / 1048576.0,
          heapAll / 1048576.0, heapPerStream / 1024.0);

      long[] perStream = new long[rounds * streams];
      long[] perRound = new long[rounds];
      long[] cpu = new long[rounds];
      long[] publish = new long[rounds];
      long[][] split = new long[CpuSplit.NAMES.length][rounds];
      for (int r = -warmups; r < rounds; r++) {
        Thread.sleep(300); // past the push interval of the previous round
        CountDownLatch acked = new CountDownLatch(streams);
        Map<Long, Long> cpuStart = serverCpu();
        CpuSplit splitStart = CpuSplit.now();
        long start = System.nanoTime();
        for (Proxy p : proxies) {
          p.startClock(start);
        }
        List<String> versions = fleet.change();
        long publishNanos = System.nanoTime() - start;
        for (int i = 0; i < streams; i++) {
          proxies.get(i).expect(versions.get(i % fleet.keys.size()), acked);
        }
        await(acked, failure, "round " + r);
        long all = 0;
        for (Proxy p : proxies) {
          all = Math.max(all, p.latency);
        }
        long roundCpu = serverCpuSince(cpuStart);
        long[] roundSplit = CpuSplit.now().since(splitStart);
        System.out.printf("[%s] %s %2d: translate %6.1f ms + publish (and send) %6.1f ms; all %d streams ACKed after"
            + " %6.1f ms (%6.1f ms after the publish returned); xDS server threads' CPU %6.1f ms%n", mode,
            r < 0 ? "warm-up" : "round  ", Math.abs(r), fleet.translateNanos / 1e6,
            (publishNanos - fleet.translateNanos) / 1e6, streams, all / 1e6, (all - publishNanos) / 1e6,
            roundCpu / 1e6);
        System.out.printf("[%s]   CPU by who spent it: %s (publisher: translate %.0f, publish and send %.0f)%n", mode,
            CpuSplit.format(roundSplit), fleet.translateCpuNanos / 1e6,
            (roundSplit[0] - fleet.translateCpuNanos) / 1e6);
        if (r >= 0) {
          for (int i = 0; i < roundSplit.length; i++) {
            split[i][r] = roundSplit[i];
          }
          for (int i = 0; i < streams; i++) {
            perStream[r * streams + i] = proxies.get(i).latency;
          }
          perRound[r] = all;
          cpu[r] = roundCpu;
          publish[r] = publishNanos - fleet.translateNanos;
        }
      }
      for (ManagedChannel c : channels) {
        c.shutdownNow();
      }
      return new long[][] {perStream, perRound, cpu, {heapPerStream}, publish, split[0], split[1], split[2], split[3]};
    }
  }

  /** Waits until {@code latch} is down to {@code remaining}. */
  private static void await(CountDownLatch latch, long remaining, AtomicReference<Throwable> failure, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (latch.getCount() > remaining && System.nanoTime() < deadline && failure.get() == null) {
      Thread.sleep(10);
    }
    if (latch.getCount() > remaining || failure.get() != null) {
      throw new IllegalStateException(what + ": " + latch.getCount() + " streams not synced", failure.get());
    }
  }

  private static void await(CountDownLatch latch, AtomicReference<Throwable> failure, String what)
      throws InterruptedException {
    if (!latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException(what + ": " + latch.getCount() + " streams did not ACK within "
          + TIMEOUT_SECONDS + " s", failure.get());
    }
    if (failure.get() != null) {
      throw new IllegalStateException(what + ": a stream failed", failure.get());
    }
  }

  static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * Envoy's HTTP/2 receive windows unless {@code -Dfanout.clientWindow=BYTES}: 256 MiB per stream and per connection
   * (Envoy's defaults for {@code initial_stream_window_size} and {@code initial_connection_window_size}, which the
   * bootstrap does not change), so the server is never held by flow control. grpc-java's own default (1 MiB, grown by
   * BDP probes) made the server wait for a WINDOW_UPDATE about every half MiB per connection, i.e. about 120 round
   * trips per connection and round here, which real proxies do not ask for.
   */
  static ManagedChannel channel(int port) {
    int window = Integer.getInteger("fanout.clientWindow", 256 << 20);
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().maxInboundMessageSize(256 << 20)
        .initialFlowControlWindow(window).build();
  }

  static long bytes(List<? extends com.google.protobuf.Message> resources) {
    return resources.stream().mapToLong(m -> m.getSerializedSize()).sum();
  }

  static String loadAverage() {
    return String.format("%.1f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  /**
   * An Envoy-like ADS client: subscribes CDS → EDS → LDS → RDS, ACKs every response, and counts down its latch when
   * it has ACKed the route version it was told to expect. Callbacks of one call are serialized by grpc.
   */
  static final class Proxy {
    private final Node node;
    private final boolean delta;
    private final List<String> clusters;
    private final List<String> routes;
    private final AtomicReference<Throwable> failure;
    private StreamObserver<DiscoveryRequest> sotw;
    private StreamObserver<DeltaDiscoveryRequest> deltaRequests;
    private final ManagedChannel channel;
    private volatile String expected;
    private volatile CountDownLatch latch;
    private volatile long start;
    private String routeVersion = "";
    volatile long latency;

    Proxy(ManagedChannel channel, Node node, boolean delta, List<String> clusters, List<String> routes,
        AtomicReference<Throwable> failure) {
      this.channel = channel;
      this.node = node;
      this.delta = delta;
      this.clusters = clusters;
      this.routes = routes;
      this.failure = failure;
    }

    void startClock(long nanos) {
      start = nanos;
    }

    synchronized void expect(String version, CountDownLatch done) {
      expected = version;
      latch = done;
      if (version.equals(routeVersion)) { // already there (the change reached it before it was told)
        latency = System.nanoTime() - start;
        done.countDown();
        latch = null;
      }
    }

    void start() {
      var stub = AggregatedDiscoveryServiceGrpc.newStub(channel);
      if (delta) {
        StreamObserver<DeltaDiscoveryResponse> observer = new StreamObserver<>() {
          @Override
          public void onNext(DeltaDiscoveryResponse response) {
            // with the node, as Envoy sends it on every request unless set_node_on_first_message_only
            deltaRequests.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(response.getTypeUrl())
                .setResponseNonce(response.getNonce()).build());
            next(response.getTypeUrl(), response.getSystemVersionInfo());
          }

          @Override
          public void onError(Throwable t) {
            failure.compareAndSet(null, t);
          }

          @Override
          public void onCompleted() {}
        };
        deltaRequests = light ? ClientCalls.asyncBidiStreamingCall(channel.newCall(LightClients.DELTA,
            CallOptions.DEFAULT), observer) : stub.deltaAggregatedResources(observer);
      } else {
        StreamObserver<DiscoveryResponse> observer = new StreamObserver<>() {
          @Override
          public void onNext(DiscoveryResponse response) {
            sotw.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(response.getTypeUrl())
                .addAllResourceNames(namesOf(response.getTypeUrl())).setVersionInfo(response.getVersionInfo())
                .setResponseNonce(response.getNonce()).build());
            next(response.getTypeUrl(), response.getVersionInfo());
          }

          @Override
          public void onError(Throwable t) {
            failure.compareAndSet(null, t);
          }

          @Override
          public void onCompleted() {}
        };
        sotw = light ? ClientCalls.asyncBidiStreamingCall(channel.newCall(LightClients.SOTW, CallOptions.DEFAULT),
            observer) : stub.streamAggregatedResources(observer);
      }
      subscribe(Resources.V3.CLUSTER_TYPE_URL);
    }

    private List<String> namesOf(String type) {
      return switch (type) {
        case Resources.V3.ENDPOINT_TYPE_URL -> clusters;
        case Resources.V3.ROUTE_TYPE_URL -> routes;
        default -> List.of();
      };
    }

    private void subscribe(String type) {
      if (delta) {
        deltaRequests.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type)
            .addAllResourceNamesSubscribe(namesOf(type)).build());
      } else {
        sotw.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type).addAllResourceNames(namesOf(type))
            .build());
      }
    }

    private void next(String type, String version) {
      switch (type) {
        case Resources.V3.CLUSTER_TYPE_URL -> {
          if (routeVersion.isEmpty() && !subscribedEds) {
            subscribedEds = true;
            subscribe(Resources.V3.ENDPOINT_TYPE_URL);
          }
        }
        case Resources.V3.ENDPOINT_TYPE_URL -> {
          if (!subscribedLds) {
            subscribedLds = true;
            subscribe(Resources.V3.LISTENER_TYPE_URL);
          }
        }
        case Resources.V3.LISTENER_TYPE_URL -> {
          if (!subscribedRds) {
            subscribedRds = true;
            subscribe(Resources.V3.ROUTE_TYPE_URL);
          }
        }
        case Resources.V3.ROUTE_TYPE_URL -> arrived(version);
        default -> { }
      }
    }

    private boolean subscribedEds;
    private boolean subscribedLds;
    private boolean subscribedRds;

    /** Route versions ACKed and when (churn mode only). */
    Map<String, Long> arrivals;

    private synchronized void arrived(String version) {
      routeVersion = version;
      if (arrivals != null) {
        arrivals.putIfAbsent(version, System.nanoTime());
      }
      if (version.equals(expected) && latch != null) {
        latency = System.nanoTime() - start; // the ACK went out just before
        latch.countDown();
        latch = null;
      }
    }
  }
}
