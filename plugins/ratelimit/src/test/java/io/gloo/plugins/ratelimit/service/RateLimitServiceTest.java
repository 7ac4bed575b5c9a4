package io.gloo.plugins.ratelimit.service;

import static io.gloo.plugins.ratelimit.service.ServiceHarness.d;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.gloo.plugins.ratelimit.service.RateLimitMetrics.Outcome;
import io.gloo.plugins.ratelimit.store.MemoryCounterStore;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ShouldRateLimit over a real socket: matching, priority, windows, headers, hits, shadow and unlimited rules. */
class RateLimitServiceTest {

  /** 2024-01-01T00:00:10Z: 50 s before the minute's window ends. */
  static final long T0 = 1_704_067_210_000L;

  static final String MESSENGER = """
      descriptors:
        - key: type
          rateLimit: {unit: MINUTE, requestsPerUnit: 5}
        - key: type
          value: Messenger
          rateLimit: {unit: MINUTE, requestsPerUnit: 2}
        - key: type
          value: Whatsapp
          rateLimit: {unit: MINUTE, requestsPerUnit: 1}
          descriptors:
            - key: number
              value: "411"
              weight: 1
              rateLimit: {unit: MINUTE, requestsPerUnit: 100}
        - key: free
          unlimited: true
        - key: trial
          shadowMode: true
          rateLimit: {unit: MINUTE, requestsPerUnit: 1}
        - key: burst
          rateLimit: {unit: SECOND, requestsPerUnit: 1}
      """;

  MutableClock clock = new MutableClock(T0);
  ServiceHarness rls;

  @BeforeEach
  void start() throws Exception {
    rls = new ServiceHarness(new MemoryCounterStore(10_000, clock), clock, true, FailMode.OPEN);
    rls.rules("custom", MESSENGER);
  }

  @AfterEach
  void stop() throws Exception {
    rls.close();
  }

  @Test
  void keyAndValueBeatsKeyAlone() {
    for (int i = 0; i < 2; i++) {
      assertEquals(Code.OK, rls.call("custom", d("type", "Messenger")).getOverallCode());
    }
    RateLimitResponse third = rls.call("custom", d("type", "Messenger"));
    assertEquals(Code.OVER_LIMIT, third.getOverallCode());
    assertEquals(2, third.getStatuses(0).getCurrentLimit().getRequestsPerUnit());
    assertEquals("custom/type=Messenger", third.getStatuses(0).getCurrentLimit().getName());
    // another value falls back to the key-only rule, counted separately per value
    for (int i = 0; i < 5; i++) {
      assertEquals(Code.OK, rls.call("custom", d("type", "Telegram")).getOverallCode(), "request " + i);
    }
    assertEquals(Code.OVER_LIMIT, rls.call("custom", d("type", "Telegram")).getOverallCode());
    assertEquals(Code.OK, rls.call("custom", d("type", "Signal")).getOverallCode());
  }

  @Test
  void descriptorsWithoutAMatchingPathAreNotLimited() {
    // longer than any path, unknown key, or a path node without its own limit
    for (int i = 0; i < 5; i++) {
      RateLimitResponse r = rls.call("custom", d("type", "Messenger", "extra", "x"), d("unknown", "v"),
          d("type", "Whatsapp", "number", "999"));
      assertEquals(Code.OK, r.getOverallCode());
      for (DescriptorStatus s : r.getStatusesList()) {
        assertFalse(s.hasCurrentLimit(), s.toString());
      }
    }
    // an unknown domain has no rules
    assertEquals(Code.OK, rls.call("other", d("type", "Messenger")).getOverallCode());
  }

  @Test
  void higherWeightRuleWinsOverLowerOne() {
    // both type=Whatsapp (1/min, weight 0) and type=Whatsapp/number=411 (100/min, weight 1) match: only the
    // weighted rule applies, so the 1/min rule neither limits nor counts
    for (int i = 0; i < 10; i++) {
      RateLimitResponse r = rls.call("custom", d("type", "Whatsapp"), d("type", "Whatsapp", "number", "411"));
      assertEquals(Code.OK, r.getOverallCode(), "request " + i);
      assertFalse(r.getStatuses(0).hasCurrentLimit());
      assertEquals(100, r.getStatuses(1).getCurrentLimit().getRequestsPerUnit());
      assertEquals(100 - i - 1, r.getStatuses(1).getLimitRemaining());
    }
    // alone, the 1/min rule applies and its counter is fresh (it was not counted above)
    assertEquals(Code.OK, rls.call("custom", d("type", "Whatsapp")).getOverallCode());
    assertEquals(Code.OVER_LIMIT, rls.call("custom", d("type", "Whatsapp")).getOverallCode());
  }

  @Test
  void alwaysApplyRuleCountsWhateverTheWeights() {
    String always = MESSENGER.replace("value: Whatsapp\n", "value: Whatsapp\n    alwaysApply: true\n");
    assertTrue(always.contains("alwaysApply"));
    rls.rules("custom", always);
    RateLimitResponse first = rls.call("custom", d("type", "Whatsapp"), d("type", "Whatsapp", "number", "411"));
    assertEquals(Code.OK, first.getOverallCode());
    RateLimitResponse second = rls.call("custom", d("type", "Whatsapp"), d("type", "Whatsapp", "number", "411"));
    assertEquals(Code.OVER_LIMIT, second.getOverallCode());
    assertEquals(Code.OVER_LIMIT, second.getStatuses(0).getCode());
    assertEquals(Code.OK, second.getStatuses(1).getCode());
  }

  @Test
  void setDescriptorsMatchInAnyOrderWhenEveryEntryIsPresent() {
    rls.rules("custom", """
        setDescriptors:
          - simpleDescriptors: [{key: type, value: Messenger}, {key: number}]
            rateLimit: {unit: MINUTE, requestsPerUnit: 1}
          - simpleDescriptors: [{key: type}]
            rateLimit: {unit: MINUTE, requestsPerUnit: 3}
          - simpleDescriptors: [{key: audit}]
            alwaysApply: true
            rateLimit: {unit: MINUTE, requestsPerUnit: 100}
        """);
    // entries in another order than the rule lists them, and an entry the rule does not name
    RateLimitResponse r1 = rls.call("custom", d("gloo.set", "true", "number", "411", "x", "y", "type", "Messenger"));
    assertEquals(Code.OK, r1.getOverallCode());
    assertEquals(1, r1.getStatuses(0).getCurrentLimit().getRequestsPerUnit());
    assertEquals(Code.OVER_LIMIT,
        rls.call("custom", d("gloo.set", "true", "type", "Messenger", "number", "411")).getOverallCode());
    // the rule's identity is the values of its own keys: another number is another counter
    assertEquals(Code.OK, rls.call("custom", d("gloo.set", "true", "type", "Messenger", "number", "412"))
        .getOverallCode());
    // without number, the first rule does not match; the second (type only) does
    RateLimitResponse r2 = rls.call("custom", d("gloo.set", "true", "type", "Messenger"));
    assertEquals(3, r2.getStatuses(0).getCurrentLimit().getRequestsPerUnit());
    // Gloo's own set marker is understood as well
    RateLimitResponse r3 = rls.call("custom", d("generic_key", "solo.setDescriptor.uniqueValue", "type", "Telegram"));
    assertEquals(3, r3.getStatuses(0).getCurrentLimit().getRequestsPerUnit());
    // the first regular match wins, alwaysApply rules count too: the tighter one is reported
    RateLimitResponse r4 = rls.call("custom", d("gloo.set", "true", "audit", "a", "type", "Fax"));
    assertEquals(3, r4.getStatuses(0).getCurrentLimit().getRequestsPerUnit());
    assertEquals(1, rls.limiter.metrics().count("custom", "set[2]{audit}", Outcome.ALLOWED));
    // a set-style rule never matches a tree descriptor and vice versa
    assertFalse(rls.call("custom", d("type", "Messenger", "number", "411")).getStatuses(0).hasCurrentLimit());
  }

  @Test
  void unlimitedRuleIsNeverCountedOrLimited() {
    for (int i = 0; i < 20; i++) {
      DescriptorStatus s = rls.call("custom", d("free", "anything")).getStatuses(0);
      assertEquals(Code.OK, s.getCode());
      assertEquals(0xFFFF_FFFFL, Integer.toUnsignedLong(s.getLimitRemaining()));
      assertFalse(s.hasCurrentLimit());
    }
  }

  @Test
  void shadowRuleIsCountedAndReportedButNeverLimits() {
    assertEquals(Code.OK, rls.call("custom", d("trial", "t")).getOverallCode());
    RateLimitResponse over = rls.call("custom", d("trial", "t"));
    assertEquals(Code.OK, over.getOverallCode());
    assertEquals(Code.OK, over.getStatuses(0).getCode());
    assertEquals(0, over.getStatuses(0).getLimitRemaining());
    assertEquals(1, rls.limiter.metrics().count("custom", "trial", Outcome.SHADOW_LIMITED));
    assertEquals(1, rls.limiter.metrics().count("custom", "trial", Outcome.ALLOWED));
    RecentDecisions.Decision d = rls.limiter.recent().recent().get(0);
    assertEquals("trial", d.rule());
    assertTrue(d.shadow());
    // a shadow rule produces no x-ratelimit headers: they describe what is enforced
    assertTrue(over.getResponseHeadersToAddList().isEmpty());
  }

  @Test
  void windowsRollOverWithTheClock() {
    assertEquals(Code.OK, rls.call("custom", d("type", "Messenger")).getOverallCode());
    assertEquals(Code.OK, rls.call("custom", d("type", "Messenger")).getOverallCode());
    RateLimitResponse over = rls.call("custom", d("type", "Messenger"));
    assertEquals(Code.OVER_LIMIT, over.getOverallCode());
    assertEquals(50, over.getStatuses(0).getDurationUntilReset().getSeconds());
    clock.advanceMillis(49_999);
    assertEquals(Code.OVER_LIMIT, rls.call("custom", d("type", "Messenger")).getOverallCode());
    clock.advanceMillis(1); // the next minute starts
    RateLimitResponse fresh = rls.call("custom", d("type", "Messenger"));
    assertEquals(Code.OK, fresh.getOverallCode());
    assertEquals(1, fresh.getStatuses(0).getLimitRemaining());
    assertEquals(60, fresh.getStatuses(0).getDurationUntilReset().getSeconds());

    // per-second windows
    assertEquals(Code.OK, rls.call("custom", d("burst", "b")).getOverallCode());
    assertEquals(Code.OVER_LIMIT, rls.call("custom", d("burst", "b")).getOverallCode());
    clock.advanceMillis(1_000);
    assertEquals(Code.OK, rls.call("custom", d("burst", "b")).getOverallCode());
  }

  @Test
  void hoursAndDaysAlignToTheirUnit() {
    rls.rules("custom", """
        descriptors:
          - {key: h, rateLimit: {unit: HOUR, requestsPerUnit: 1}}
          - {key: d, rateLimit: {unit: DAY, requestsPerUnit: 1}}
        """);
    assertEquals(3600 - 10, rls.call("custom", d("h", "x")).getStatuses(0).getDurationUntilReset().getSeconds());
    assertEquals(86400 - 10, rls.call("custom", d("d", "x")).getStatuses(0).getDurationUntilReset().getSeconds());
    clock.advanceMillis(3_600_000);
    assertEquals(Code.OK, rls.call("custom", d("h", "x")).getOverallCode());
    assertEquals(Code.OVER_LIMIT, rls.call("custom", d("d", "x")).getOverallCode());
  }

  @Test
  void responseHeadersDescribeTheTightestEnforcedRule() {
    RateLimitResponse r = rls.call("custom", d("type", "Telegram"), d("type", "Messenger"));
    Map<String, String> headers = headers(r);
    assertEquals("2", headers.get("x-ratelimit-limit"));
    assertEquals("1", headers.get("x-ratelimit-remaining"));
    assertEquals("50", headers.get("x-ratelimit-reset"));
  }

  @Test
  void responseHeadersCanBeTurnedOff() throws Exception {
    try (ServiceHarness quiet = new ServiceHarness(new MemoryCounterStore(100, clock), clock, false,
        FailMode.OPEN)) {
      quiet.rules("custom", MESSENGER);
      assertTrue(quiet.call("custom", d("type", "Messenger")).getResponseHeadersToAddList().isEmpty());
    }
  }

  @Test
  void hitsAddendCountsSeveralHitsAtOnce() {
    RateLimitResponse r = rls.call("custom", 3, d("type", "Telegram"));
    assertEquals(Code.OK, r.getOverallCode());
    assertEquals(2, r.getStatuses(0).getLimitRemaining());
    assertEquals(Code.OVER_LIMIT, rls.call("custom", 3, d("type", "Telegram")).getOverallCode());
    // a descriptor's own hits_addend wins over the request's
    var own = d("type", "Signal").toBuilder().setHitsAddend(com.google.protobuf.UInt64Value.of(5)).build();
    RateLimitResponse exact = rls.call("custom", 1, own);
    assertEquals(Code.OK, exact.getOverallCode());
    assertEquals(0, exact.getStatuses(0).getLimitRemaining());
  }

  @Test
  void everyConfigIsItsOwnDomainSelectedByTheFirstEntry() {
    String oneRule = "descriptors: [{key: generic_key, value: per-route, rateLimit: {unit: MINUTE, "
        + "requestsPerUnit: 1}}]";
    rls.rules("default.a", oneRule, "default.b", oneRule);
    var a = d("gloo.config", ServiceHarness.selector("default.a"), "generic_key", "per-route");
    var b = d("gloo.config", ServiceHarness.selector("default.b"), "generic_key", "per-route");
    RateLimitResponse both = rls.call("solo.io", a, b);
    assertEquals(Code.OK, both.getOverallCode());
    assertEquals("default.a/generic_key=per-route", both.getStatuses(0).getCurrentLimit().getName());
    assertEquals("default.b/generic_key=per-route", both.getStatuses(1).getCurrentLimit().getName());
    RateLimitResponse again = rls.call("solo.io", a, b);
    assertEquals(Code.OVER_LIMIT, again.getStatuses(0).getCode());
    assertEquals(Code.OVER_LIMIT, again.getStatuses(1).getCode());
    // the selector names the domain; the request's domain does not matter, and the selector is not matched
    assertEquals(Code.OK, rls.call("solo.io", d("generic_key", "per-route")).getOverallCode());
    assertEquals(Code.OK, rls.call("solo.io", d("gloo.config", ServiceHarness.selector("default.missing"),
        "generic_key", "per-route")).getOverallCode());
    // an unsigned selector (what an option could type into its own actions) selects nothing
    rls.rules("default.c", oneRule);
    for (int i = 0; i < 3; i++) {
      assertEquals(Code.OK, rls.call("solo.io", d("gloo.config", "default.c", "generic_key", "per-route"))
          .getOverallCode());
    }
    assertEquals(3, rls.limiter.metrics().rejectedSelectors());
    var c = d("gloo.config", ServiceHarness.selector("default.c"), "generic_key", "per-route");
    assertEquals(Code.OK, rls.call("solo.io", c).getOverallCode());
    assertEquals(Code.OVER_LIMIT, rls.call("solo.io", c).getOverallCode());
  }

  @Test
  void countersOfUnchangedRulesSurviveARulesUpdate() {
    rls.call("custom", d("type", "Messenger"));
    rls.rules("custom", MESSENGER, "default.new", "descriptors: [{key: k, rateLimit: {unit: SECOND, "
        + "requestsPerUnit: 1}}]");
    assertEquals(Code.OK, rls.call("custom", d("type", "Messenger")).getOverallCode());
    assertEquals(Code.OVER_LIMIT, rls.call("custom", d("type", "Messenger")).getOverallCode());
  }

  private static Map<String, String> headers(RateLimitResponse r) {
    return r.getResponseHeadersToAddList().stream()
        .collect(Collectors.toMap(HeaderValue::getKey, HeaderValue::getValue));
  }
}
