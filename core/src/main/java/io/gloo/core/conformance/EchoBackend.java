package io.gloo.core.conformance;

import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.gloo.core.evaluate.QueryString;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The conformance suite's echo server ({@code conformance/echo-basic/echo-basic.go} at v1.6.1) as far as its answer's
 * status goes, and Envoy's retries of it: {@code /status/NNN} answers NNN; {@code /retry/...?uuid=U&succeedAfter=N
 * [&responseCode=C]} fails its first N attempts per uuid (with C, or a connection reset) and then echoes; anything
 * else echoes (200). {@code ?delay=D} delays an echoed answer, {@code ?delayRetry=D} a failing attempt; Envoy's
 * route and per-try timeouts against those delays are modelled ({@link #forward(String, RetryPolicy, Duration)}).
 * One instance is one request's backend: it keeps the attempt counts of that request's retries.
 * Not thread-safe (one per evaluated request).
 */
final class EchoBackend {

  /** A connection reset by the backend: no HTTP status. */
  static final int RESET = -1;

  private static final Pattern STATUS = Pattern.compile("^/status/(\\d\\d\\d)$");

  private final Map<String, Integer> attempts = new HashMap<>();

  /** The status the echo server answers one attempt at {@code pathAndQuery}, or {@link #RESET}. */
  int answer(String pathAndQuery) {
    Matcher m = STATUS.matcher(pathAndQuery);
    if (m.matches()) {
      return Integer.parseInt(m.group(1));
    }
    if (pathAndQuery.startsWith("/status/")) {
      return 400; // the handler's default when the path is not exactly /status/NNN
    }
    if (!pathAndQuery.startsWith("/retry/")) {
      return 200;
    }
    QueryString query = query(pathAndQuery);
    String uuid = query.first("uuid");
    Integer succeedAfter = integer(query.first("succeedAfter"));
    if (uuid == null || uuid.isEmpty() || succeedAfter == null) {
      return 400;
    }
    int made = attempts.getOrDefault(uuid, 0);
    if (made < succeedAfter) {
      attempts.put(uuid, made + 1);
      Integer code = integer(query.first("responseCode"));
      return code == null ? RESET : code;
    }
    return 200;
  }

  /**
   * What the client gets when Envoy forwards to this backend under {@code policy} (null: no retries) and no route
   * timeout: each attempt's answer, retried while the policy's {@code retry_on} covers it and retries remain. A reset
   * the client sees as Envoy's 503.
   */
  int forward(String pathAndQuery, RetryPolicy policy) {
    return forward(pathAndQuery, policy, null);
  }

  /**
   * As {@link #forward(String, RetryPolicy)}, with Envoy's timeouts: the echo server delays an answer by
   * {@code ?delay=} (an echoed answer) or {@code ?delayRetry=} (a failing {@code /retry/} attempt); an attempt that
   * outlasts the retry policy's {@code per_try_timeout} ends in a per-try timeout, which Envoy retries when
   * {@code retry_on} has {@code reset}, {@code 5xx} or {@code gateway-error}; when the attempts so far outlast the
   * route timeout ({@code routeTimeout}, null or zero: none) Envoy answers 504 without further retries, and a last
   * attempt that timed out is a 504 too. Between retries Envoy waits a jittered back-off (at most
   * {@code min(base * 2^n, max_interval)}, 25 ms base by default); when the answer depends on that jitter it is
   * {@link #UNDECIDABLE}.
   */
  int forward(String pathAndQuery, RetryPolicy policy, Duration routeTimeout) {
    int quickest = new EchoBackend().attempts(pathAndQuery, policy, routeTimeout, false);
    int slowest = attempts(pathAndQuery, policy, routeTimeout, true);
    return quickest == slowest ? slowest : UNDECIDABLE;
  }

  /** The answer depends on timing this model does not fix (Envoy's back-off jitter against a timeout). */
  static final int UNDECIDABLE = -2;
  /** An attempt cut short by the per-try timeout. */
  private static final int PER_TRY_TIMEOUT = -3;
  private static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(25);

  private int attempts(String pathAndQuery, RetryPolicy policy, Duration routeTimeout, boolean longestBackoff) {
    int retriesLeft = policy == null ? 0 : policy.hasNumRetries() ? policy.getNumRetries().getValue() : 1;
    Duration perTry = policy != null && policy.hasPerTryTimeout() ? duration(policy.getPerTryTimeout()) : null;
    if (perTry != null && perTry.isZero()) {
      perTry = null;
    }
    Duration global = routeTimeout == null || routeTimeout.isZero() ? null : routeTimeout;
    Duration elapsed = Duration.ZERO;
    for (int retry = 0; ; retry++) {
      boolean fails = failsNext(pathAndQuery);
      int status = answer(pathAndQuery);
      Duration took = delay(pathAndQuery, fails ? "delayRetry" : "delay");
      if (perTry != null && took.compareTo(perTry) > 0) {
        took = perTry;
        status = PER_TRY_TIMEOUT;
      }
      elapsed = elapsed.plus(took);
      if (global != null && elapsed.compareTo(global) > 0) {
        return 504; // the route timeout: not retried
      }
      if (status == 200 || retriesLeft == 0 || !retries(policy, status)) {
        return status == RESET ? 503 : status == PER_TRY_TIMEOUT ? 504 : status;
      }
      retriesLeft--;
      if (longestBackoff) {
        elapsed = elapsed.plus(longestBackoff(policy, retry));
      }
    }
  }

  /** Whether the next attempt at a {@code /retry/} path is one of its failing ones (before {@link #answer}). */
  private boolean failsNext(String pathAndQuery) {
    if (!pathAndQuery.startsWith("/retry/")) {
      return false;
    }
    QueryString query = query(pathAndQuery);
    Integer succeedAfter = integer(query.first("succeedAfter"));
    String uuid = query.first("uuid");
    return uuid != null && !uuid.isEmpty() && succeedAfter != null && attempts.getOrDefault(uuid, 0) < succeedAfter;
  }

  /** Envoy's longest wait before retry {@code n} (0-based): {@code min(base * 2^(n+1) - 1, max)}. */
  private static Duration longestBackoff(RetryPolicy policy, int n) {
    Duration base = DEFAULT_BACKOFF_BASE;
    Duration max = null;
    if (policy.hasRetryBackOff()) {
      if (policy.getRetryBackOff().hasBaseInterval()) {
        base = duration(policy.getRetryBackOff().getBaseInterval());
      }
      if (policy.getRetryBackOff().hasMaxInterval()) {
        max = duration(policy.getRetryBackOff().getMaxInterval());
      }
    }
    if (max == null) {
      max = base.multipliedBy(10);
    }
    Duration wait = base.multipliedBy(1L << Math.min(n + 1, 20));
    return wait.compareTo(max) > 0 ? max : wait;
  }

  private static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|\u00b5s|ms|s|m|h)");

  /**
   * The echo server's delay for an answer: the query parameter {@code key} as Go's {@code time.ParseDuration} reads it
   * ("1s", "500ms", "1m30s"); none is zero, and so is one Go would not parse (the server answers that with a 500, which
   * no conformance test asks for).
   */
  static Duration delay(String pathAndQuery, String key) {
    String value = query(pathAndQuery).first(key);
    if (value == null || value.isEmpty()) {
      return Duration.ZERO;
    }
    Matcher m = GO_DURATION_PART.matcher(value);
    double nanos = 0;
    int end = 0;
    while (m.find() && m.start() == end) {
      double scale = switch (m.group(2)) {
        case "ns" -> 1;
        case "us", "\u00b5s" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      nanos += Double.parseDouble(m.group(1)) * scale;
      end = m.end();
    }
    return end == value.length() ? Duration.ofNanos((long) nanos) : Duration.ZERO;
  }

  /** Envoy's {@code x-envoy-retry-on} conditions that concern a status or a reset. */
  static boolean retries(RetryPolicy policy, int status) {
    if (policy == null) {
      return false;
    }
    List<String> on = List.of(policy.getRetryOn().split(","));
    if (status == RESET || status == PER_TRY_TIMEOUT) {
      return on.contains("reset") || on.contains("5xx") || on.contains("gateway-error");
    }
    return (on.contains("5xx") && status >= 500)
        || (on.contains("gateway-error") && (status == 502 || status == 503 || status == 504))
        || (on.contains("retriable-4xx") && status == 409)
        || (on.contains("retriable-status-codes") && policy.getRetriableStatusCodesList().contains(status));
  }

  /** The request's query parameters; the echo server reads the first value of each. */
  private static QueryString query(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return QueryString.parse(q < 0 ? null : pathAndQuery.substring(q + 1));
  }

  private static Integer integer(String s) {
    try {
      return s == null ? null : Integer.valueOf(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
