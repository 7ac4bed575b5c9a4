package io.gloo.plugins.ratelimit.store;

import static io.gloo.plugins.ratelimit.service.ServiceHarness.d;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.gloo.plugins.ratelimit.service.FailMode;
import io.gloo.plugins.ratelimit.service.MutableClock;
import io.gloo.plugins.ratelimit.service.RateLimitMetrics.Outcome;
import io.gloo.plugins.ratelimit.service.ServiceHarness;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Redis store against a real redis-server: one script call per request, expiry, outages in both fail modes. */
class RedisCounterStoreTest {

  static final long T0 = 1_704_067_210_000L; // 50 s before the minute ends
  static final String RULES = """
      descriptors:
        - {key: user, rateLimit: {unit: MINUTE, requestsPerUnit: 3}}
        - {key: ip, rateLimit: {unit: SECOND, requestsPerUnit: 100}}
      """;

  /**
   * Commands to a running Redis must not time out on a loaded machine (a 200 ms timeout answered in the fail mode
   * while Redis was up); while Redis is down the store rejects commands at once, so the outages do not wait for it.
   */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
  /** A bound on Lettuce's reconnection (backoff up to 2 s), not a performance target. */
  static final Duration RECONNECT_WAIT = Duration.ofSeconds(60);

  RedisServerProcess redis;
  MutableClock clock = new MutableClock(T0);

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServerProcess.start();
  }

  @AfterEach
  void stopRedis() throws Exception {
    redis.close();
  }

  @Test
  void countsEveryDescriptorInOneCallAndKeysExpireWithTheirWindow() throws Exception {
    try (RedisCounterStore store = new RedisCounterStore(redis.address(), COMMAND_TIMEOUT, clock);
        ServiceHarness rls = new ServiceHarness(store, clock, true, FailMode.OPEN)) {
      rls.rules("custom", RULES);
      redis.command("CONFIG RESETSTAT");
      // Redis counts TTLs down in real time while the service's clock stands still: the bounds below allow for the
      // real time the test takes, however loaded the machine.
      long startNanos = System.nanoTime();
      for (int i = 0; i < 3; i++) {
        RateLimitResponse r = rls.call("custom", d("user", "alice"), d("ip", "10.0.0.1"));
        assertEquals(Code.OK, r.getOverallCode());
        assertEquals(2 - i, r.getStatuses(0).getLimitRemaining());
      }
      assertEquals(Code.OVER_LIMIT, rls.call("custom", d("user", "alice"), d("ip", "10.0.0.1")).getOverallCode());
      // four requests, each one EVALSHA/EVAL for both descriptors (the first may be an EVAL after NOSCRIPT)
      String stats = redis.command("INFO commandstats");
      long calls = count(stats, "cmdstat_evalsha") + count(stats, "cmdstat_eval");
      assertEquals(4 + count(stats, "cmdstat_eval"), calls, stats);
      // inside the script: one INCRBY per descriptor and request
      assertEquals(8, count(stats, "cmdstat_incrby"), stats);
      // the minute counter lives until the window's end plus grace (50 s + 1 s), the second counter 1 s + 1 s
      // (T0 is on a whole second), each minus the real time since it was created
      String minuteKey = firstKey("user");
      String secondKey = firstKey("ip");
      long ttl = pttl(minuteKey);
      long ttlSecond = pttl(secondKey);
      long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000 + 1; // PTTL rounds
      assertTrue(ttl >= 51_000 - elapsedMillis && ttl <= 51_000, "PTTL " + ttl + " after " + elapsedMillis + " ms");
      if (elapsedMillis < 2_000) {
        assertTrue(ttlSecond >= 2_000 - elapsedMillis && ttlSecond <= 2_000,
            "PTTL " + ttlSecond + " after " + elapsedMillis + " ms");
      } else {
        assertTrue(ttlSecond <= 2_000, "PTTL " + ttlSecond + " (-2: expired) after " + elapsedMillis + " ms");
      }
    }
  }

  @Test
  void theScriptSetsTheExpiryOnlyWhenItCreatesACounterWhateverTheHits() throws Exception {
    try (RedisCounterStore store = new RedisCounterStore(redis.address(), COMMAND_TIMEOUT, clock)) {
      long windowEnd = T0 + 50_000;
      long started = System.nanoTime();
      // one call, the same key twice with hits 3 then 2: created by the first (3 == hits: expiry set), then 5
      long[] first = store.increment(new String[] {"k", "k"}, new long[] {3, 2}, new long[] {windowEnd, windowEnd})
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertArrayEquals(new long[] {3, 5}, first);
      long ttl = pttl("k");
      // Redis counts the TTL down on its own clock: allow for the real time this took on a busy machine
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertTrue(ttl > 49_000 - elapsedMs && ttl <= 51_000, "PTTL " + ttl + " after " + elapsedMs + " ms");
      // an increment of an existing counter, even by as many hits as it holds, leaves its expiry alone
      redis.command("PEXPIRE k 5000");
      long[] second = store.increment(new String[] {"k"}, new long[] {5}, new long[] {windowEnd})
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertArrayEquals(new long[] {10}, second);
      long after = pttl("k");
      assertTrue(after > 0 && after <= 5_000, "PTTL " + after);
    }
  }

  /** The key's remaining time to live in ms; -2 if it has expired (as Redis answers). */
  private long pttl(String key) throws Exception {
    if (key == null) {
      return -2;
    }
    return Long.parseLong(redis.command("PTTL " + key).substring(1).trim());
  }

  private String firstKey(String rule) throws Exception {
    String keys = redis.command("KEYS *" + rule + "*");
    // *1\r\n$N\r\nKEY\r\n
    String[] lines = keys.split("\r\n");
    return lines.length > 2 ? lines[2] : null; // null: expired already
  }

  private static long count(String stats, String name) {
    int at = stats.indexOf(name + ":calls=");
    if (at < 0) {
      return 0;
    }
    int from = at + name.length() + ":calls=".length();
    int to = stats.indexOf(',', from);
    return Long.parseLong(stats.substring(from, to));
  }

  @ParameterizedTest
  @EnumSource(FailMode.class)
  void anOutageIsAnsweredInTheConfiguredFailModeAndCountingResumesWhenRedisReturns(FailMode mode) throws Exception {
    try (RedisCounterStore store = new RedisCounterStore(redis.address(), COMMAND_TIMEOUT, clock);
        ServiceHarness rls = new ServiceHarness(store, clock, false, mode)) {
      rls.rules("custom", RULES);
      assertEquals(Code.OK, rls.call("custom", d("user", "bob")).getOverallCode());

      redis.stop();
      for (int i = 0; i < 20; i++) {
        RateLimitResponse r = rls.call("custom", d("user", "bob"), d("unknown", "x"));
        assertEquals(mode == FailMode.OPEN ? Code.OK : Code.OVER_LIMIT, r.getOverallCode(), "during the outage");
        // a descriptor no rule applies to is never limited, whatever the mode
        assertEquals(Code.OK, r.getStatuses(1).getCode());
      }
      assertTrue(rls.limiter.metrics().storeErrors(mode) >= 20);
      assertTrue(rls.limiter.metrics().count("custom", "user", Outcome.ERRORS) >= 20);

      redis.startAgain(); // same port, empty (no persistence)
      long deadline = System.nanoTime() + RECONNECT_WAIT.toNanos();
      RateLimitResponse r = null;
      while (System.nanoTime() < deadline) {
        r = rls.call("custom", d("user", "carol"));
        if (r.getStatuses(0).getLimitRemaining() == 2) {
          break; // counted in Redis again: the first of three
        }
        Thread.sleep(50);
      }
      assertEquals(2, r.getStatuses(0).getLimitRemaining(), "counting resumed after Redis came back: " + r);
      assertEquals(Code.OK, rls.call("custom", d("user", "carol")).getOverallCode());
      assertEquals(Code.OK, rls.call("custom", d("user", "carol")).getOverallCode());
      assertEquals(Code.OVER_LIMIT, rls.call("custom", d("user", "carol")).getOverallCode());
    }
  }

  @Test
  void redisDownAtStartIsRetried() throws Exception {
    redis.stop();
    try (RedisCounterStore store = new RedisCounterStore(redis.address(), COMMAND_TIMEOUT, clock);
        ServiceHarness rls = new ServiceHarness(store, clock, false, FailMode.CLOSED)) {
      rls.rules("custom", RULES);
      assertEquals(Code.OVER_LIMIT, rls.call("custom", d("user", "dave")).getOverallCode());
      redis.startAgain();
      long deadline = System.nanoTime() + RECONNECT_WAIT.toNanos();
      Code code = Code.OVER_LIMIT;
      while (System.nanoTime() < deadline && code != Code.OK) {
        code = rls.call("custom", d("user", "dave")).getOverallCode();
        Thread.sleep(50);
      }
      assertEquals(Code.OK, code);
    }
  }
}
