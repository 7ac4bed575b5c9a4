package io.gloo.plugins.ratelimit.service;

import static io.gloo.plugins.ratelimit.service.ServiceHarness.d;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.UInt64Value;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.gloo.plugins.ratelimit.store.MemoryCounterStore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code hits_addend} is unsigned (uint32 on the request, uint64 on a descriptor). Found by
 * {@link RateLimitRequestFuzzTest}: read as signed, 4017093113 was -277874183 hits, which took hits away from the
 * counter and left 277874188 requests of a 5-per-minute limit.
 */
class HitsAddendTest {

  MutableClock clock = new MutableClock(RateLimitServiceTest.T0);
  ServiceHarness rls;

  @BeforeEach
  void start() throws Exception {
    rls = new ServiceHarness(new MemoryCounterStore(10_000, clock), clock, false, FailMode.OPEN);
    rls.rules("custom", """
        descriptors:
          - key: type
            rateLimit: {unit: MINUTE, requestsPerUnit: 5}
        """);
  }

  @AfterEach
  void stop() {
    rls.close();
  }

  @Test
  void aRequestHitsAddendOf2pow31OrMoreIsOverTheLimitNotNegative() {
    RateLimitResponse big = rls.call("custom", (int) 4017093113L, d("type", "a"));
    assertEquals(Code.OVER_LIMIT, big.getOverallCode());
    assertEquals(0, big.getStatuses(0).getLimitRemaining());
    // and the counter was not lowered: one more hit is still over
    assertEquals(Code.OVER_LIMIT, rls.call("custom", d("type", "a")).getOverallCode());
  }

  @Test
  void aDescriptorHitsAddendOf2pow63OrMoreIsOverTheLimitNotNegative() {
    RateLimitRequest request = RateLimitRequest.newBuilder().setDomain("custom")
        .addDescriptors(d("type", "b").toBuilder().setHitsAddend(UInt64Value.of(-2L))) // 2^64 - 2
        .build();
    RateLimitResponse r = rls.stub.withDeadlineAfter(10, TimeUnit.SECONDS).shouldRateLimit(request);
    assertEquals(Code.OVER_LIMIT, r.getOverallCode());
    assertEquals(Code.OVER_LIMIT, rls.call("custom", d("type", "b")).getOverallCode());
  }

  @Test
  void hitsBelowTheLimitStillCountAsSent() {
    assertEquals(Code.OK, rls.call("custom", 4, d("type", "c")).getOverallCode());
    assertEquals(Code.OK, rls.call("custom", d("type", "c")).getOverallCode());
    assertEquals(Code.OVER_LIMIT, rls.call("custom", d("type", "c")).getOverallCode());
  }
}
