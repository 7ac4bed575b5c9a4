package io.gloo.plugins.ratelimit.store;

import static io.gloo.plugins.ratelimit.service.ServiceHarness.d;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.gloo.plugins.ratelimit.service.FailMode;
import io.gloo.plugins.ratelimit.service.MutableClock;
import io.gloo.plugins.ratelimit.service.ServiceHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 8 client threads × 10,000 ShouldRateLimit calls over gRPC against 1,000 per hour: exactly 1,000 are allowed.
 *
 * <p>The service's clock is injected and stands still, but Redis expires keys on its own (real) clock, with a TTL of
 * the window's remainder by the injected clock: the window is an hour, so the key outlives any run of the test however
 * loaded the machine (with a minute, a run longer than the window's 31 s of real time reset the counter and allowed
 * 2,000).
 */
class ExactnessUnderConcurrencyTest {

  static final int THREADS = 8;
  static final int REQUESTS = 10_000;
  static final int LIMIT = 1_000;
  /** 30 s into an hour (2024-01-01T00:00:30Z): the Redis key lives for the hour's remaining 59.5 minutes. */
  static final long T0 = 1_704_067_230_000L;

  @Test
  void memoryStoreAllowsExactlyTheLimit() throws Exception {
    MutableClock clock = new MutableClock(T0);
    assertEquals(LIMIT, allowed(new MemoryCounterStore(10_000, clock), clock));
  }

  @Test
  void redisStoreAllowsExactlyTheLimit() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      MutableClock clock = new MutableClock(T0);
      assertEquals(LIMIT, allowed(new RedisCounterStore(redis.address(), Duration.ofSeconds(2), clock), clock));
      // and Redis holds the counter: every call was counted
      String keys = redis.command("KEYS *");
      assertEquals(true, keys.contains("per-client"), keys);
    }
  }

  private static int allowed(CounterStore store, MutableClock clock) throws Exception {
    try (store; ServiceHarness rls = new ServiceHarness(store, clock, false, FailMode.CLOSED)) {
      rls.rules("custom", "descriptors: [{key: generic_key, value: per-client, rateLimit: {unit: HOUR, "
          + "requestsPerUnit: " + LIMIT + "}}]");
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger over = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          done.add(pool.submit(() -> {
            for (int i = 0; i < REQUESTS; i++) {
              Code code = rls.call("custom", d("generic_key", "per-client")).getOverallCode();
              (code == Code.OK ? ok : over).incrementAndGet();
            }
          }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(THREADS * REQUESTS, ok.get() + over.get());
      return ok.get();
    }
  }
}
