package io.gloo.plugins.ratelimit.bench;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.gloo.plugins.ratelimit.config.RateLimitConfigSpec;
import io.gloo.plugins.ratelimit.service.FailMode;
import io.gloo.plugins.ratelimit.service.RateLimitMetrics;
import io.gloo.plugins.ratelimit.service.RateLimitService;
import io.gloo.plugins.ratelimit.service.RateLimiter;
import io.gloo.plugins.ratelimit.service.RecentDecisions;
import io.gloo.plugins.ratelimit.service.RuleSet;
import io.gloo.plugins.ratelimit.store.CounterStore;
import io.gloo.plugins.ratelimit.store.MemoryCounterStore;
import io.gloo.plugins.ratelimit.store.RedisCounterStore;
import io.gloo.plugins.ratelimit.store.RedisServerProcess;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * ShouldRateLimit calls per second over gRPC on loopback, for the in-memory and the Redis store with 1 and with 5
 * descriptors per request, and {@code redis-benchmark -t incr -c 50 -n 200000 -q} against the same Redis in the same
 * run; prints the ratio. The service runs as in {@code gloo serve}: registered as non-blocking, its calls run on the
 * Netty event loops ({@code --serverExecutor pool} hands each call to gRPC's default pool instead, for comparison);
 * the client keeps {@code --inflight} calls outstanding over {@code --channels} connections (async stub). Every limit
 * is high enough never to be reached: the figures are the cost of counting, not of refusing.
 *
 * <p>Run with {@code plugins/ratelimit/bench.sh [--seconds 10] [--warmup 3] [--inflight 128] [--channels 2]
 * [--serverExecutor direct|pool]}.
 */
public final class RateLimitBench {

  /** Whether the server runs calls on its Netty event loops (no executor hand-off) instead of gRPC's default pool. */
  private static boolean direct;

  private RateLimitBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new java.util.HashMap<>(Map.of("seconds", "10", "warmup", "3", "inflight", "128",
        "channels", "2",
        "serverExecutor", "direct"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int seconds = Integer.parseInt(opts.get("seconds"));
    int warmup = Integer.parseInt(opts.get("warmup"));
    int inflight = Integer.parseInt(opts.get("inflight"));
    int channels = Integer.parseInt(opts.get("channels"));
    direct = !opts.get("serverExecutor").equals("pool");
    System.out.printf("rate-limit service benchmark: %d s measured after %d s warm-up, %d calls in flight over %d "
        + "connections, server executor %s, %d CPUs%n", seconds, warmup, inflight, channels,
        direct ? "direct (Netty event loops, as gloo serve runs this non-blocking service)"
            : "pool (gRPC's default cached pool, one hand-off per call)",
        Runtime.getRuntime().availableProcessors());

    try (RedisServerProcess redis = RedisServerProcess.start()) {
      // JIT warm-up of the whole path (gRPC, service, both stores) before anything is measured
      System.out.println("  warm-up (not measured):");
      run("memory", new MemoryCounterStore(1_000_000, Clock.systemUTC()), 5, warmup, warmup, inflight, channels);
      run("redis", new RedisCounterStore(redis.address(), Duration.ofSeconds(1), Clock.systemUTC()), 5, warmup,
          warmup, inflight, channels);
      redis.command("FLUSHALL");
      double mem1 = run("memory", new MemoryCounterStore(1_000_000, Clock.systemUTC()), 1, seconds, warmup,
          inflight, channels);
      double mem5 = run("memory", new MemoryCounterStore(1_000_000, Clock.systemUTC()), 5, seconds, warmup,
          inflight, channels);
      double redis1 = run("redis", new RedisCounterStore(redis.address(), Duration.ofSeconds(1), Clock.systemUTC()),
          1, seconds, warmup, inflight, channels);
      double redis5 = run("redis", new RedisCounterStore(redis.address(), Duration.ofSeconds(1), Clock.systemUTC()),
          5, seconds, warmup, inflight, channels);
      double incr = redisBenchmark(redis.port());
      System.out.println();
      System.out.printf("%-44s %12s%n", "", "calls/s");
      System.out.printf("%-44s %,12.0f%n", "ShouldRateLimit, memory store, 1 descriptor", mem1);
      System.out.printf("%-44s %,12.0f%n", "ShouldRateLimit, memory store, 5 descriptors", mem5);
      System.out.printf("%-44s %,12.0f%n", "ShouldRateLimit, redis store, 1 descriptor", redis1);
      System.out.printf("%-44s %,12.0f%n", "ShouldRateLimit, redis store, 5 descriptors", redis5);
      System.out.printf("%-44s %,12.0f%n", "redis-benchmark -t incr -c 50 -n 200000", incr);
      System.out.printf("ratio redis store / redis-benchmark INCR: %.2f (1 descriptor), %.2f (5 descriptors); "
          + "target >= 0.5%n", redis1 / incr, redis5 / incr);
      System.out.printf("memory store: %s the 50,000 calls/s target (1 descriptor)%n",
          mem1 >= 50_000 ? "meets" : "misses");
    }
  }

  static double run(String name, CounterStore store, int descriptors, int seconds, int warmup, int inflight,
      int channelCount) throws Exception {
    RateLimiter limiter = new RateLimiter(store, Clock.systemUTC(), false, FailMode.OPEN, new RateLimitMetrics(),
        new RecentDecisions(), LoggerFactory.getLogger("bench"));
    StringBuilder rules = new StringBuilder("descriptors:\n");
    for (int d = 0; d < 5; d++) {
      rules.append("  - {key: k").append(d).append(", rateLimit: {unit: MINUTE, requestsPerUnit: 4000000000}}\n");
    }
    limiter.update(RuleSet.compile(Map.of("bench",
        YAMLMapper.builder().build().readValue(rules.toString(), RateLimitConfigSpec.Raw.class))));
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new RateLimitService(limiter));
    if (direct) {
      // as core's plugin gRPC servers run a service registered non-blocking: lookup and call on the event loop
      builder.directExecutor();
    }
    Server server = builder.build().start();
    List<ManagedChannel> channels = new ArrayList<>();
    for (int c = 0; c < channelCount; c++) {
      channels.add(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().directExecutor()
          .build());
    }
    try {
      // 1,000 distinct values per descriptor key: realistic (per-client) counters, not one hot key
      List<RateLimitRequest> requests = new ArrayList<>();
      for (int v = 0; v < 1_000; v++) {
        RateLimitRequest.Builder r = RateLimitRequest.newBuilder().setDomain("bench");
        for (int d = 0; d < descriptors; d++) {
          r.addDescriptors(RateLimitDescriptor.newBuilder().addEntries(RateLimitDescriptor.Entry.newBuilder()
              .setKey("k" + d).setValue("client-" + v)));
        }
        requests.add(r.build());
      }
      AtomicLong completed = new AtomicLong();
      AtomicLong errors = new AtomicLong();
      AtomicBoolean running = new AtomicBoolean(true);
      for (int i = 0; i < inflight; i++) {
        RateLimitServiceGrpc.RateLimitServiceStub stub = RateLimitServiceGrpc.newStub(channels.get(i % channelCount));
        new Caller(stub, requests, i, completed, errors, running).next();
      }
      Thread.sleep(warmup * 1000L);
      long start = completed.get();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long done = completed.get() - start;
      double elapsed = (System.nanoTime() - t0) / 1e9;
      running.set(false);
      Thread.sleep(200);
      double rate = done / elapsed;
      System.out.printf("  %-6s store, %d descriptor(s): %,.0f calls/s (%,d calls, %d errors)%n", name, descriptors,
          rate, done, errors.get());
      return rate;
    } finally {
      for (ManagedChannel c : channels) {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      store.close();
    }
  }

  /** One outstanding call at a time; issues the next when one completes, until stopped. */
  private static final class Caller implements StreamObserver<RateLimitResponse> {
    private final RateLimitServiceGrpc.RateLimitServiceStub stub;
    private final List<RateLimitRequest> requests;
    private final AtomicLong completed;
    private final AtomicLong errors;
    private final AtomicBoolean running;
    private int index;

    Caller(RateLimitServiceGrpc.RateLimitServiceStub stub, List<RateLimitRequest> requests, int seed,
        AtomicLong completed, AtomicLong errors, AtomicBoolean running) {
      this.stub = stub;
      this.requests = requests;
      this.index = seed * 7919;
      this.completed = completed;
      this.errors = errors;
      this.running = running;
    }

    void next() {
      if (running.get()) {
        index = (index + 1) % requests.size();
        stub.shouldRateLimit(requests.get(index), this);
      }
    }

    @Override
    public void onNext(RateLimitResponse value) {
      completed.incrementAndGet();
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

  /** {@code redis-benchmark -t incr -c 50 -n 200000 -q} against the bench's Redis: INCR requests per second. */
  static double redisBenchmark(int port) throws Exception {
    Process p = new ProcessBuilder("redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(port), "-t", "incr",
        "-c", "50", "-n", "200000", "-q").redirectErrorStream(true).start();
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
      }
    }
    p.waitFor(120, TimeUnit.SECONDS);
    // -q prints progress lines ending in \r, then "INCR: 123456.79 requests per second, p50=0.2 msec"
    Matcher m = Pattern.compile("INCR: ([0-9.]+) requests per second").matcher(out);
    double rate = 0;
    while (m.find()) {
      rate = Double.parseDouble(m.group(1));
    }
    if (rate == 0) {
      throw new IllegalStateException("cannot read redis-benchmark's output: " + out);
    }
    System.out.printf("  redis-benchmark -t incr -c 50 -n 200000 -q: %,.0f INCR/s%n", rate);
    return rate;
  }
}
