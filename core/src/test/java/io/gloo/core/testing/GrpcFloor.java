package io.gloo.core.testing;

import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The benchmark harness of the plugin gRPC services (rate limit, ext auth), measured against their floor: a no-op
 * service of the same method that answers a fixed response, served and loaded exactly like the real one (same Netty
 * server set-up as core's plugin servers give a non-blocking service, same requests, connections and calls in
 * flight). What a user can act on is how close a service gets to that floor on the same machine in the same run;
 * absolute calls/s move 2-4x between machines.
 *
 * <p>Each case is measured in {@code rounds}, and within a round the floor and the case alternate, each with its own
 * warm-up on fresh connections, so neither the order of cases nor machine load drifting over the run favours one
 * side. Results: per case the median of the rounds and their spread, as a ratio to the floor of the same round.
 * Not thread-safe (one benchmark thread drives it); the load itself runs on the channels' transport threads.
 */
public final class GrpcFloor {

  /**
   * One measurement: throughput, latency percentiles, and CPU per call: this process's CPU (client and server) plus,
   * for a case with one, its external process' (e.g. redis-server's), divided by the calls. Once the JIT is done, CPU
   * per call moves far less with the machine's load than calls/s does (it still counts JIT and GC threads).
   */
  public record Result(double callsPerSecond, double p50Millis, double p99Millis, long errors,
      double cpuMicrosPerCall) {}

  /**
   * A measured case: its name and the service, method and requests the load sends; {@code externalCpuNanos} (null if
   * none) reads the CPU time of a process the case's service calls, counted in its CPU per call (not in the floor's).
   */
  public record Case<Q, R>(String name, BindableService service, MethodDescriptor<Q, R> method, List<Q> requests,
      R floorResponse, Predicate<R> ok, LongSupplier externalCpuNanos) {

    public Case(String name, BindableService service, MethodDescriptor<Q, R> method, List<Q> requests,
        R floorResponse, Predicate<R> ok) {
      this(name, service, method, requests, floorResponse, ok, null);
    }
  }

  private final int inflight;
  private final int connections;
  private final Duration warmup;
  private final Duration measure;
  private final Map<String, List<double[]>> rounds = new LinkedHashMap<>();

  /**
   * @param inflight calls kept outstanding (each completed call issues the next)
   * @param connections HTTP/2 connections the calls are spread over
   */
  public GrpcFloor(int inflight, int connections, Duration warmup, Duration measure) {
    this.inflight = inflight;
    this.connections = connections;
    this.warmup = warmup;
    this.measure = measure;
  }

  /**
   * As core's plugin servers serve a service registered with {@code registerNonBlockingGrpcService}: Netty on a
   * loopback port, method lookup and calls on the event loop (no executor hand-off), default message size limits.
   */
  public static Server serve(BindableService service) throws java.io.IOException {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
        .addService(service).build().start();
  }

  /**
   * What {@code service} answers to {@code request}, from one call over a real connection: the floor's response, so
   * that the floor carries the same bytes as the service (a status-only floor response is smaller than the service's,
   * and the difference, serializing and parsing it, would be charged to the service).
   */
  public static <Q, R> R sampleResponse(BindableService service, MethodDescriptor<Q, R> method, Q request)
      throws Exception {
    Server server = serve(service);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    try {
      return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT, request);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The floor of {@code method}: a service that answers every call with {@code response} and does nothing else. */
  public static <Q, R> BindableService noop(MethodDescriptor<Q, R> method, R response) {
    ServerServiceDefinition definition = ServerServiceDefinition.builder(method.getServiceName())
        .addMethod(method, ServerCalls.asyncUnaryCall((Q request, StreamObserver<R> out) -> {
          out.onNext(response);
          out.onCompleted();
        }))
        .build();
    return () -> definition;
  }

  /**
   * Runs the floor and the case for the warm-up time each, measuring nothing: call once per case before the first
   * round, so that the JIT has compiled the shared gRPC path before anything is measured (the per-measurement warm-up
   * then only settles connections and caches).
   */
  public <Q, R> void warmUp(Case<Q, R> c) throws Exception {
    Duration none = Duration.ZERO;
    new GrpcFloor(inflight, connections, warmup, none).measure(noop(c.method(), c.floorResponse()), c.method(),
        c.requests(), c.ok(), null);
    new GrpcFloor(inflight, connections, warmup, none).measure(c.service(), c.method(), c.requests(), c.ok(), null);
  }

  /** Measures the floor and then the case, once each; call once per round. Returns {floor, case}. */
  public <Q, R> Result[] round(Case<Q, R> c) throws Exception {
    Result floor = measure(noop(c.method(), c.floorResponse()), c.method(), c.requests(), c.ok(), null);
    Result result = measure(c.service(), c.method(), c.requests(), c.ok(), c.externalCpuNanos());
    rounds.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(new double[] {
        result.callsPerSecond() / floor.callsPerSecond(), result.p99Millis() / floor.p99Millis(),
        result.callsPerSecond(), result.p99Millis(), floor.callsPerSecond(), floor.p99Millis(),
        floor.cpuMicrosPerCall() / result.cpuMicrosPerCall(), result.cpuMicrosPerCall(), floor.cpuMicrosPerCall()});
    System.out.printf(Locale.ROOT, "  %-46s %,9.0f calls/s p99 %6.2f ms %6.1f µs CPU/call | floor %,9.0f calls/s "
            + "p99 %6.2f ms %6.1f µs CPU/call | %.2fx (CPU %.2fx)%s%n", c.name(), result.callsPerSecond(),
        result.p99Millis(), result.cpuMicrosPerCall(), floor.callsPerSecond(), floor.p99Millis(),
        floor.cpuMicrosPerCall(), result.callsPerSecond() / floor.callsPerSecond(),
        floor.cpuMicrosPerCall() / result.cpuMicrosPerCall(),
        result.errors() + floor.errors() > 0 ? "  ERRORS " + (result.errors() + floor.errors()) : "");
    return new Result[] {floor, result};
  }

  /**
   * The table of every case measured so far: median over the rounds (min-max in brackets) of calls/s, of the ratio to
   * the floor of the same round, and of the p99 ratio; {@code targets} maps a case name to its minimum throughput
   * ratio (cases without one are reported, not judged). p99 is judged against 2x the floor's.
   */
  public String table(Map<String, Double> targets) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%-46s %22s %18s %18s %22s %20s %18s %s%n",
        "case (median of rounds, [min-max])", "calls/s", "x floor", "p99 ms", "p99 x floor p99", "CPU µs/call",
        "floor CPU/case CPU", "target"));
    for (Map.Entry<String, List<double[]>> e : rounds.entrySet()) {
      List<double[]> r = e.getValue();
      Double target = targets.get(e.getKey());
      double ratio = median(r, 0);
      double p99Ratio = median(r, 1);
      String verdict = target == null ? "-"
          : String.format(Locale.ROOT, ">= %.1fx, p99 <= 2x: %s", target,
              ratio >= target && p99Ratio <= 2 ? "met" : "MISSED");
      out.append(String.format(Locale.ROOT, "%-46s %22s %18s %18s %22s %20s %18s %s%n", e.getKey(),
          spread(r, 2, "%,.0f"), spread(r, 0, "%.2f"), spread(r, 3, "%.2f"), spread(r, 1, "%.2f"),
          spread(r, 7, "%.1f"), spread(r, 6, "%.2f"), verdict));
    }
    return out.toString();
  }

  /**
   * Median over the rounds of column {@code col} for {@code name} (0: ratio, 2: calls/s, 4: floor calls/s, 6: floor
   * CPU per call / case CPU per call, 7: case CPU µs per call, 8: floor CPU µs per call).
   */
  public double median(String name, int col) {
    return median(rounds.get(name), col);
  }

  private static double median(List<double[]> r, int col) {
    double[] v = r.stream().mapToDouble(x -> x[col]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String spread(List<double[]> r, int col, String format) {
    double[] v = r.stream().mapToDouble(x -> x[col]).sorted().toArray();
    return String.format(Locale.ROOT, format + " [" + format + "-" + format + "]", median(r, col), v[0],
        v[v.length - 1]);
  }

  /** Serves {@code service}, warms up, then measures for {@link #measure}, on fresh connections. */
  public <Q, R> Result measure(BindableService service, MethodDescriptor<Q, R> method, List<Q> requests,
      Predicate<R> ok, LongSupplier externalCpuNanos) throws Exception {
    Server server = serve(service);
    List<ManagedChannel> channels = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      // like Envoy, the client does no work of its own per call: responses are handled on the transport thread
      channels.add(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().directExecutor()
          .build());
    }
    try {
      load(channels, method, requests, ok, warmup, null);
      return load(channels, method, requests, ok, measure, externalCpuNanos);
    } finally {
      for (ManagedChannel c : channels) {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private <Q, R> Result load(List<ManagedChannel> channels, MethodDescriptor<Q, R> method, List<Q> requests,
      Predicate<R> ok, Duration duration, LongSupplier externalCpuNanos) throws InterruptedException {
    Histogram latency = new Histogram();
    long cpu0 = processCpuNanos() + (externalCpuNanos == null ? 0 : externalCpuNanos.getAsLong());
    AtomicLong errors = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    CountDownLatch stopped = new CountDownLatch(inflight);
    long t0 = System.nanoTime();
    for (int i = 0; i < inflight; i++) {
      new Caller<>(channels.get(i % channels.size()), method, requests, i * 7919, ok, latency, errors, running,
          stopped).next();
    }
    Thread.sleep(duration.toMillis());
    running.set(false);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    long done = latency.count.get();
    long cpu = processCpuNanos() + (externalCpuNanos == null ? 0 : externalCpuNanos.getAsLong()) - cpu0;
    if (!stopped.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("calls still outstanding 30 s after the load stopped");
    }
    return new Result(done / elapsed, latency.percentileMillis(0.50), latency.percentileMillis(0.99), errors.get(),
        cpu / 1e3 / Math.max(1, done));
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** One outstanding call at a time; issues the next when one completes, until stopped. */
  private static final class Caller<Q, R> implements StreamObserver<R> {
    private final ManagedChannel channel;
    private final MethodDescriptor<Q, R> method;
    private final List<Q> requests;
    private final Predicate<R> ok;
    private final Histogram latency;
    private final AtomicLong errors;
    private final AtomicBoolean running;
    private final CountDownLatch stopped;
    private int index;
    private long start;

    Caller(ManagedChannel channel, MethodDescriptor<Q, R> method, List<Q> requests, int seed, Predicate<R> ok,
        Histogram latency, AtomicLong errors, AtomicBoolean running, CountDownLatch stopped) {
      this.channel = channel;
      this.method = method;
      this.requests = requests;
      this.index = seed;
      this.ok = ok;
      this.latency = latency;
      this.errors = errors;
      this.running = running;
      this.stopped = stopped;
    }

    void next() {
      if (!running.get()) {
        stopped.countDown();
        return;
      }
      index = Math.floorMod(index + 1, requests.size());
      start = System.nanoTime();
      ClientCalls.asyncUnaryCall(channel.newCall(method, CallOptions.DEFAULT), requests.get(index), this);
    }

    @Override
    public void onNext(R value) {
      if (running.get()) {
        latency.record(System.nanoTime() - start);
      }
      if (!ok.test(value)) {
        errors.incrementAndGet();
      }
    }

    @Override
    public void onError(Throwable t) {
      errors.incrementAndGet();
      next();
    }

    @Override
    public void onCompleted() {
      next();
    }
  }

  /** Latency histogram with 10 µs buckets up to 1 s. Thread-safe. */
  static final class Histogram {
    private static final long BUCKET_NANOS = 10_000;
    private final AtomicLongArray buckets = new AtomicLongArray(100_000);
    final AtomicLong count = new AtomicLong();

    void record(long nanos) {
      buckets.incrementAndGet((int) Math.min(buckets.length() - 1, nanos / BUCKET_NANOS));
      count.incrementAndGet();
    }

    double percentileMillis(double p) {
      long target = (long) Math.ceil(count.get() * p);
      long seen = 0;
      for (int i = 0; i < buckets.length(); i++) {
        seen += buckets.get(i);
        if (seen >= target) {
          return (i + 1) * BUCKET_NANOS / 1e6;
        }
      }
      return Double.NaN;
    }
  }

  /** {@code Function} adapter so callers can build requests lazily per index. */
  public static <Q> List<Q> requests(int count, Function<Integer, Q> build) {
    List<Q> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(build.apply(i));
    }
    return List.copyOf(out);
  }
}
