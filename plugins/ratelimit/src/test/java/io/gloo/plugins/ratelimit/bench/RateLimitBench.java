package io.gloo.plugins.ratelimit.bench;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.gloo.core.testing.GrpcFloor;
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
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * ShouldRateLimit over gRPC on loopback, for the in-memory and the Redis store with 1 and with 5 descriptors per
 * request, each as a ratio of its floor: a no-op ShouldRateLimit service answering a fixed OK with as many statuses,
 * served and loaded the same way ({@link GrpcFloor}). The Redis cases are also a ratio of
 * {@code redis-benchmark -t incr -c 50 -n 200000 -q} against the same Redis in the same round. Every case has its own
 * warm-up and runs in every round (default 3), alternating with its floor; the table gives the median and the spread.
 * Every limit is high enough never to be reached: the figures are the cost of counting, not of refusing. Every case
 * records its decision and store latencies into core's plugin meters as {@code gloo serve} does; the case
 * {@value #MEM1_UNTIMED} does not, so that the histograms' cost is the ratio of the two in the same run.
 *
 * <p>Run with {@code plugins/ratelimit/bench.sh [--seconds 5] [--warmup 3] [--rounds 3] [--inflight 128]
 * [--channels 2] [--cases NAME_PART]}.
 */
public final class RateLimitBench {

  private static final String MEM1 = "ShouldRateLimit, memory store, 1 descriptor";
  private static final String MEM5 = "ShouldRateLimit, memory store, 5 descriptors";
  private static final String REDIS1 = "ShouldRateLimit, redis store, 1 descriptor";
  private static final String REDIS5 = "ShouldRateLimit, redis store, 5 descriptors";
  /** MEM1 without the latency histograms bound (as before they existed): their cost is MEM1 / this, same run. */
  private static final String MEM1_UNTIMED = "ShouldRateLimit, memory, 1 descriptor, untimed";

  private static final java.util.concurrent.ScheduledExecutorService DRAINER =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "latency-drain");
        t.setDaemon(true);
        return t;
      });

  private RateLimitBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>(Map.of("seconds", "5", "warmup", "3", "rounds", "3",
        "inflight", "128", "channels", "2", "cases", ""));
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int seconds = Integer.parseInt(opts.get("seconds"));
    int warmup = Integer.parseInt(opts.get("warmup"));
    int rounds = Integer.parseInt(opts.get("rounds"));
    int inflight = Integer.parseInt(opts.get("inflight"));
    int channels = Integer.parseInt(opts.get("channels"));
    System.out.printf("rate-limit service benchmark: %d rounds; per case and per floor %d s warm-up + %d s measured; "
        + "%d calls in flight over %d connections; %d CPUs; load average %.2f%n", rounds, warmup, seconds, inflight,
        channels, Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    GrpcFloor floor = new GrpcFloor(inflight, channels, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds));
    List<Double> incr = new ArrayList<>();
    List<double[]> redisRatios = new ArrayList<>();
    try (RedisServerProcess redis = RedisServerProcess.start();
        CounterStore memory = new MemoryCounterStore(1_000_000, Clock.systemUTC());
        CounterStore redisStore = new RedisCounterStore(redis.address(), Duration.ofSeconds(1), Clock.systemUTC())) {
      // --cases redis: only the cases whose name contains "redis" (e.g. to profile one store)
      List<GrpcFloor.Case<RateLimitRequest, RateLimitResponse>> cases = List.of(
          benchCase(MEM1, memory, 1), benchCase(MEM5, memory, 5), benchCase(MEM1_UNTIMED, memory, 1, false),
          withRedisCpu(benchCase(REDIS1, redisStore, 1), redis),
          withRedisCpu(benchCase(REDIS5, redisStore, 5), redis)).stream()
          .filter(c -> c.name().contains(opts.get("cases"))).toList();
      boolean withRedis = cases.stream().anyMatch(c -> c.name().equals(REDIS1) || c.name().equals(REDIS5));
      System.out.println("JIT warm-up of every case and its floor (not measured)");
      for (GrpcFloor.Case<RateLimitRequest, RateLimitResponse> c : cases) {
        floor.warmUp(c);
      }
      for (int r = 1; r <= rounds; r++) {
        System.out.printf("round %d of %d%n", r, rounds);
        Map<String, Double> rates = new LinkedHashMap<>();
        for (GrpcFloor.Case<RateLimitRequest, RateLimitResponse> c : cases) {
          rates.put(c.name(), floor.round(c)[1].callsPerSecond());
        }
        if (withRedis) {
          long redisCpu0 = redisCpuNanos(redis);
          double incrRate = redisBenchmark(redis.port());
          System.out.printf(Locale.ROOT, "  %-46s %9.1f µs redis-server CPU per INCR%n", "",
              (redisCpuNanos(redis) - redisCpu0) / 1e3 / 200_000);
          incr.add(incrRate);
          redisRatios.add(new double[] {rates.getOrDefault(REDIS1, 0.0) / incrRate,
              rates.getOrDefault(REDIS5, 0.0) / incrRate});
        }
      }
    }
    System.out.println();
    System.out.print(floor.table(Map.of(MEM1, 0.8, MEM5, 0.8)));
    System.out.printf("load average at the end: %.2f%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    if (redisRatios.isEmpty()) {
      return;
    }
    double[] ratio1 = redisRatios.stream().mapToDouble(x -> x[0]).sorted().toArray();
    double[] ratio5 = redisRatios.stream().mapToDouble(x -> x[1]).sorted().toArray();
    System.out.printf(Locale.ROOT, "redis-benchmark -t incr -c 50 -n 200000: %s INCR/s%n",
        incr.stream().map(v -> String.format(Locale.ROOT, "%,.0f", v)).toList());
    System.out.printf(Locale.ROOT, "redis store / redis-benchmark INCR, same round: 1 descriptor %.2f [%.2f-%.2f] "
            + "(target >= 0.7: %s), 5 descriptors %.2f [%.2f-%.2f] (target >= 0.6: %s)%n",
        median(ratio1), ratio1[0], ratio1[ratio1.length - 1], median(ratio1) >= 0.7 ? "met" : "MISSED",
        median(ratio5), ratio5[0], ratio5[ratio5.length - 1], median(ratio5) >= 0.6 ? "met" : "MISSED");
  }

  private static double median(double[] sorted) {
    return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  }

  /**
   * The service over {@code store} with five high limits, and 1,000 requests of {@code descriptors} each. The floor
   * answers what the service answers (current limit, remaining, reset per descriptor: {@link
   * GrpcFloor#sampleResponse}, from a twin over a memory store), so both carry the same bytes.
   */
  static GrpcFloor.Case<RateLimitRequest, RateLimitResponse> benchCase(String name, CounterStore store,
      int descriptors) throws Exception {
    return benchCase(name, store, descriptors, true);
  }

  /**
   * @param timed whether the decision and store latency histograms are bound to core's plugin meters (a Prometheus
   *     registry), as {@code gloo serve} binds them
   */
  static GrpcFloor.Case<RateLimitRequest, RateLimitResponse> benchCase(String name, CounterStore store,
      int descriptors, boolean timed) throws Exception {
    // 1,000 distinct values per descriptor key: realistic (per-client) counters, not one hot key
    List<RateLimitRequest> requests = GrpcFloor.requests(1_000, v -> {
      RateLimitRequest.Builder r = RateLimitRequest.newBuilder().setDomain("bench");
      for (int d = 0; d < descriptors; d++) {
        r.addDescriptors(RateLimitDescriptor.newBuilder().addEntries(RateLimitDescriptor.Entry.newBuilder()
            .setKey("k" + d).setValue("client-" + v)));
      }
      return r.build();
    });
    RateLimitResponse floorResponse = GrpcFloor.sampleResponse(
        new RateLimitService(limiter(new MemoryCounterStore(1_000, Clock.systemUTC()), false)),
        RateLimitServiceGrpc.getShouldRateLimitMethod(), requests.get(0));
    return new GrpcFloor.Case<>(name, new RateLimitService(limiter(store, timed)),
        RateLimitServiceGrpc.getShouldRateLimitMethod(), requests, floorResponse,
        response -> response.getOverallCode() == RateLimitResponse.Code.OK);
  }

  private static RateLimiter limiter(CounterStore store, boolean timed) throws Exception {
    RateLimitMetrics metrics = new RateLimitMetrics();
    if (timed) {
      metrics.bind(io.gloo.core.plugin.TestPluginMeters.of("ratelimit",
          new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
              io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT)), store.name());
      // as the plugin does: latencies reach the histograms every 100 ms, from a thread of their own
      DRAINER.scheduleAtFixedRate(metrics::drainLatencies, 100, 100, TimeUnit.MILLISECONDS);
    }
    RateLimiter limiter = new RateLimiter(store, Clock.systemUTC(), false, FailMode.OPEN, metrics,
        new RecentDecisions(), LoggerFactory.getLogger("bench"));
    StringBuilder rules = new StringBuilder("descriptors:\n");
    for (int d = 0; d < 5; d++) {
      rules.append("  - {key: k").append(d).append(", rateLimit: {unit: MINUTE, requestsPerUnit: 4000000000}}\n");
    }
    limiter.update(RuleSet.compile(Map.of("bench",
        YAMLMapper.builder().build().readValue(rules.toString(), RateLimitConfigSpec.Raw.class))));
    return limiter;
  }

  /** The case with redis-server's CPU counted in its CPU per call (from {@code INFO cpu}). */
  static GrpcFloor.Case<RateLimitRequest, RateLimitResponse> withRedisCpu(
      GrpcFloor.Case<RateLimitRequest, RateLimitResponse> c, RedisServerProcess redis) {
    return new GrpcFloor.Case<>(c.name(), c.service(), c.method(), c.requests(), c.floorResponse(), c.ok(),
        () -> redisCpuNanos(redis));
  }

  /** redis-server's CPU time so far (user + system), from {@code INFO cpu}. */
  static long redisCpuNanos(RedisServerProcess redis) {
    try {
      Matcher m = Pattern.compile("used_cpu_(?:user|sys):([0-9.]+)").matcher(redis.command("INFO cpu"));
      double seconds = 0;
      while (m.find()) {
        seconds += Double.parseDouble(m.group(1));
      }
      return (long) (seconds * 1e9);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
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
    System.out.printf(Locale.ROOT, "  %-46s %,9.0f INCR/s%n", "redis-benchmark -t incr -c 50 -n 200000 -q", rate);
    return rate;
  }
}
