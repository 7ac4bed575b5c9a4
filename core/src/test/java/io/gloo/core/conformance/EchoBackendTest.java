package io.gloo.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
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
}
