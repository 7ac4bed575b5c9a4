package io.gloo.plugins.ratelimit.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.gloo.plugins.ratelimit.config.RateLimitConfigSpec;
import io.gloo.plugins.ratelimit.store.MemoryCounterStore;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the rate-limit request path ({@code ShouldRateLimit} on {@link RateLimitService}, in process): domains,
 * descriptors, entries, config selectors and hit counts as the fuzzer makes them, against the inline domain and two
 * tenants' config domains ({@code a.rlc}, {@code b.rlc}).
 *
 * <p>Invariants: every request is answered (no error, no exception); one status per descriptor, overall code OK or
 * OVER_LIMIT and OVER_LIMIT exactly when a descriptor is over (shadow rules never are); and tenant isolation (issue
 * 17, item 1): a request holding b's signed selector, a forged one or a tampered copy of a's, consumes none of
 * a's counters — a's route still has its full allowance after it.
 */
class RateLimitRequestFuzzTest {

  private static final long T0 = 1_704_067_210_000L;
  private static final String TENANT = """
      descriptors:
        - key: generic_key
          value: a
          rateLimit: {unit: MINUTE, requestsPerUnit: 3}
        - key: type
          rateLimit: {unit: MINUTE, requestsPerUnit: 5}
          descriptors:
            - key: number
              rateLimit: {unit: HOUR, requestsPerUnit: 10}
        - key: free
          unlimited: true
        - key: trial
          shadowMode: true
          rateLimit: {unit: SECOND, requestsPerUnit: 1}
      setDescriptors:
        - simpleDescriptors: [{key: type, value: Messenger}, {key: number}]
          rateLimit: {unit: MINUTE, requestsPerUnit: 1}
        - simpleDescriptors: [{key: audit}]
          alwaysApply: true
          rateLimit: {unit: DAY, requestsPerUnit: 100}
      """;
  private static final RuleSet RULES = rules();
  private static final String GRANT_A = ServiceHarness.GRANTS.grant("a.rlc", "a", "route");
  private static final String GRANT_B = ServiceHarness.GRANTS.grant("b.rlc", "b", "route");
  private static final String[] KEYS = {RuleSet.CONFIG_KEY, RuleSet.SET_KEY, "generic_key", "type", "number", "free",
      "trial", "audit", "remote_address", "header_match"};
  private static final String[] VALUES = {"a", "Messenger", "Whatsapp", "411", "true",
      "solo.setDescriptor.uniqueValue", "a.rlc", "b.rlc", ""};

  private static RuleSet rules() {
    Map<String, RateLimitConfigSpec.Raw> byDomain = new LinkedHashMap<>();
    byDomain.put(RuleSet.CUSTOM_DOMAIN, ServiceHarness.raw(TENANT));
    byDomain.put("a.rlc", ServiceHarness.raw(TENANT));
    byDomain.put("b.rlc", ServiceHarness.raw(TENANT));
    return RuleSet.compile(byDomain, ServiceHarness.GRANTS);
  }

  @FuzzTest
  void shouldRateLimit(FuzzedDataProvider data) throws Exception {
    MutableClock clock = new MutableClock(T0);
    RateLimiter limiter = new RateLimiter(new MemoryCounterStore(1_000, clock), clock, data.consumeBoolean(),
        FailMode.OPEN, new RateLimitMetrics(), new RecentDecisions(), LoggerFactory.getLogger("ratelimit-fuzz"));
    limiter.update(RULES);
    RateLimitService service = new RateLimitService(limiter);

    RateLimitRequest.Builder request = RateLimitRequest.newBuilder()
        .setDomain(data.consumeBoolean() ? RuleSet.CUSTOM_DOMAIN : data.consumeString(20))
        .setHitsAddend(data.consumeBoolean() ? 0 : data.consumeInt());
    boolean mayHoldA = false;
    for (int i = data.consumeInt(0, 4); i > 0; i--) {
      RateLimitDescriptor.Builder descriptor = RateLimitDescriptor.newBuilder();
      if (data.consumeBoolean()) {
        String selector = switch (data.consumeInt(0, 3)) {
          case 0 -> GRANT_B;
          case 1 -> tampered(GRANT_A, data);
          case 2 -> "a.rlc";
          default -> data.consumeString(80);
        };
        mayHoldA |= selector.equals(GRANT_A);
        descriptor.addEntries(entry(RuleSet.CONFIG_KEY, selector));
      }
      for (int e = data.consumeInt(0, 4); e > 0; e--) {
        String key = data.consumeBoolean() ? KEYS[data.consumeInt(0, KEYS.length - 1)] : data.consumeString(20);
        String value = data.consumeBoolean() ? VALUES[data.consumeInt(0, VALUES.length - 1)] : data.consumeString(30);
        mayHoldA |= key.equals(RuleSet.CONFIG_KEY) && value.equals(GRANT_A);
        descriptor.addEntries(entry(key, value));
      }
      if (data.consumeBoolean()) {
        // Envoy's per-descriptor hits (uint64) and limit override
        descriptor.setHitsAddend(com.google.protobuf.UInt64Value.of(data.consumeLong(1, Long.MAX_VALUE)
            * (data.consumeBoolean() ? -1 : 1)));
      }
      if (data.consumeBoolean()) {
        descriptor.setLimit(RateLimitDescriptor.RateLimitOverride.newBuilder().setRequestsPerUnit(data.consumeInt())
            .setUnitValue(data.consumeInt(0, 5)));
      }
      request.addDescriptors(descriptor);
    }
    int repeats = data.consumeInt(1, 3);
    for (int i = 0; i < repeats; i++) {
      RateLimitResponse response = call(service, request.build());
      assertEquals(request.getDescriptorsCount(), response.getStatusesCount(), "one status per descriptor");
      for (RateLimitResponse.DescriptorStatus s : response.getStatusesList()) {
        // a request never gives allowance back: hits are unsigned (uint32, uint64), never negative
        // (every counted request adds at least one hit, so less than the limit remains; hits_addend is never 0 here)
        long limit = Integer.toUnsignedLong(s.getCurrentLimit().getRequestsPerUnit());
        assertTrue(!s.hasCurrentLimit() || Integer.toUnsignedLong(s.getLimitRemaining()) <= Math.max(0, limit - 1),
            () -> "as much or more remaining than the limit: " + s + " for " + request.build());
      }
      boolean over = response.getStatusesList().stream().anyMatch(s -> s.getCode() == Code.OVER_LIMIT);
      assertEquals(over ? Code.OVER_LIMIT : Code.OK, response.getOverallCode(), response::toString);
    }

    if (!mayHoldA) {
      RateLimitRequest victim = RateLimitRequest.newBuilder().setDomain(RuleSet.CUSTOM_DOMAIN)
          .addDescriptors(RateLimitDescriptor.newBuilder().addEntries(entry(RuleSet.CONFIG_KEY, GRANT_A))
              .addEntries(entry("generic_key", "a")))
          .build();
      RateLimitResponse probe = call(service, victim);
      assertEquals(Code.OK, probe.getOverallCode(), "a's route was limited by another tenant's request");
      assertEquals(2, probe.getStatuses(0).getLimitRemaining(),
          "another tenant's request consumed a's counter: " + request.build());
    }
  }

  /** {@code grant} with one character replaced (never the grant itself). */
  private static String tampered(String grant, FuzzedDataProvider data) {
    int at = data.consumeInt(0, grant.length() - 1);
    char c = data.consumeChar();
    if (c == grant.charAt(at)) {
      c = c == 'A' ? 'B' : 'A';
    }
    return grant.substring(0, at) + c + grant.substring(at + 1);
  }

  private static RateLimitDescriptor.Entry entry(String key, String value) {
    return RateLimitDescriptor.Entry.newBuilder().setKey(key).setValue(value).build();
  }

  /** Calls the service as gRPC would: one response or one error, and it must be a response. */
  private static RateLimitResponse call(RateLimitService service, RateLimitRequest request) throws Exception {
    CompletableFuture<RateLimitResponse> answer = new CompletableFuture<>();
    service.shouldRateLimit(request, new StreamObserver<>() {
      @Override
      public void onNext(RateLimitResponse value) {
        assertNull(answer.getNow(null), "two responses");
        answer.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        answer.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        assertTrue(answer.isDone(), "completed without a response");
      }
    });
    RateLimitResponse response = answer.get(10, TimeUnit.SECONDS);
    assertNotNull(response);
    return response;
  }
}
