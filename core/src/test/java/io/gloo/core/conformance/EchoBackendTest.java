package io.gloo.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The echo server's status behaviour and Envoy's retries of it, as the conformance evaluator models them. */
class EchoBackendTest {

  private static RetryPolicy policy(String on, int retries, Integer... codes) {
    RetryPolicy.Builder b = RetryPolicy.newBuilder().setRetryOn(on).setNumRetries(UInt32Value.of(retries));
    for (Integer c : codes) {
      b.addRetriableStatusCodes(c);
    }
    return b.build();
  }

  @Test
  void statusPathsAnswerTheirCodeAndEverythingElseEchoes() {
    EchoBackend echo = new EchoBackend();
    assertEquals(418, echo.answer("/status/418"));
    assertEquals(400, echo.answer("/status/418?x=1"), "the handler matches the whole request URI");
    assertEquals(200, echo.answer("/anything?delay=1s"));
    assertEquals(400, echo.answer("/retry/x?succeedAfter=1"), "uuid is required");
  }

  @Test
  void retryPathsFailTheirFirstAttemptsPerUuid() {
    EchoBackend echo = new EchoBackend();
    String path = "/retry/a?responseCode=503&succeedAfter=2&uuid=u1";
    assertEquals(503, echo.answer(path));
    assertEquals(503, echo.answer(path));
    assertEquals(200, echo.answer(path));
    assertEquals(EchoBackend.RESET, echo.answer("/retry/a?succeedAfter=1&uuid=u2"), "no responseCode: a reset");
  }

  @Test
  void envoyRetriesOnlyWhatRetryOnCoversWithinNumRetries() {
    RetryPolicy only500 = policy("connect-failure,refused-stream,reset,retriable-status-codes", 3, 500);
    assertEquals(200, new EchoBackend().forward("/retry/p?responseCode=500&succeedAfter=3&uuid=u", only500));
    assertEquals(500, new EchoBackend().forward("/retry/p?responseCode=500&succeedAfter=4&uuid=u", only500));
    assertEquals(503, new EchoBackend().forward("/retry/p?responseCode=503&succeedAfter=1&uuid=u", only500));
    assertEquals(200, new EchoBackend().forward("/retry/p?succeedAfter=2&uuid=u", only500), "resets are retried");
    assertEquals(503, new EchoBackend().forward("/retry/p?succeedAfter=1&uuid=u", null),
        "without retries a reset is Envoy's 503");
    assertEquals(200, new EchoBackend().forward("/retry/p?responseCode=502&succeedAfter=1&uuid=u",
        policy("gateway-error", 1)));
  }

  private static RetryPolicy perTry(RetryPolicy p, long millis) {
    return p.toBuilder().setPerTryTimeout(com.google.protobuf.util.Durations.fromMillis(millis)).build();
  }

  @Test
  void goDurationsAsTheEchoServerParsesThem() {
    assertEquals(Duration.ofSeconds(1), EchoBackend.delay("/x?delay=1s", "delay"));
    assertEquals(Duration.ofMillis(1500), EchoBackend.delay("/x?a=b&delay=1s500ms", "delay"));
    assertEquals(Duration.ofMillis(250), EchoBackend.delay("/x?delayRetry=.25s", "delayRetry"));
    assertEquals(Duration.ZERO, EchoBackend.delay("/x?delay=soon", "delay"));
    assertEquals(Duration.ZERO, EchoBackend.delay("/x?delay=1s", "delayRetry"));
  }

  @Test
  void aDelayBeyondTheRouteTimeoutIsEnvoys504AndZeroDisablesIt() {
    assertEquals(504, new EchoBackend().forward("/t?delay=1s", null, Duration.ofMillis(500)));
    assertEquals(200, new EchoBackend().forward("/t?delay=1s", null, Duration.ZERO));
    assertEquals(200, new EchoBackend().forward("/t?delay=1s", null, null));
    assertEquals(200, new EchoBackend().forward("/t?delay=400ms", null, Duration.ofMillis(500)));
  }

  @Test
  void aPerTryTimeoutIsRetriedWhenRetryOnCoversResetsAndIsA504WhenNoRetryIsLeft() {
    RetryPolicy none = perTry(policy("", 0), 500);
    assertEquals(504, new EchoBackend().forward("/t?delay=1s", none, Duration.ofSeconds(15)));
    assertEquals(200, new EchoBackend().forward("/t?delay=100ms", none, Duration.ofSeconds(15)));
    // The failing attempt is slow (delayRetry), the retried one quick: a per-try timeout, then a 200.
    RetryPolicy reset = perTry(policy("connect-failure,refused-stream,reset", 2), 500);
    assertEquals(200, new EchoBackend().forward("/retry/t?responseCode=200&succeedAfter=1&uuid=u&delayRetry=1s",
        reset, Duration.ofSeconds(15)));
    assertEquals(504, new EchoBackend().forward("/retry/t?succeedAfter=1&uuid=u&delayRetry=1s",
        perTry(policy("retriable-status-codes", 2, 500), 500), Duration.ofSeconds(15)),
        "a per-try timeout is not a status code");
    // Three slow attempts cut at 500ms each outlast a 1.2s route timeout: 504, though a fourth attempt would pass.
    RetryPolicy five = perTry(policy("reset", 5), 500);
    assertEquals(504, new EchoBackend().forward("/retry/t?succeedAfter=3&uuid=u&delayRetry=1s", five,
        Duration.ofMillis(1200)));
    assertEquals(200, new EchoBackend().forward("/retry/t?succeedAfter=3&uuid=u&delayRetry=1s", five,
        Duration.ofSeconds(15)));
  }

  @Test
  void whenEnvoysBackoffJitterDecidesTheAnswerIsUndecidable() {
    // Two attempts of 490ms: 980ms, plus a back-off of 0..50ms against a 1s route timeout.
    RetryPolicy reset = perTry(policy("reset", 1), 490);
    assertEquals(EchoBackend.UNDECIDABLE, new EchoBackend().forward("/retry/t?succeedAfter=1&uuid=u&delayRetry=1s"
        + "&delay=490ms", reset, Duration.ofSeconds(1)));
  }
}
