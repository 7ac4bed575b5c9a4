package io.gloo.core.conformance;

import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The conformance suite's echo server ({@code conformance/echo-basic/echo-basic.go} at v1.6.1) as far as its answer's
 * status goes, and Envoy's retries of it: {@code /status/NNN} answers NNN; {@code /retry/...?uuid=U&succeedAfter=N
 * [&responseCode=C]} fails its first N attempts per uuid (with C, or a connection reset) and then echoes; anything
 * else echoes (200). One instance is one request's backend: it keeps the attempt counts of that request's retries.
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
    Map<String, String> query = query(pathAndQuery);
    String uuid = query.get("uuid");
    Integer succeedAfter = integer(query.get("succeedAfter"));
    if (uuid == null || uuid.isEmpty() || succeedAfter == null) {
      return 400;
    }
    int made = attempts.getOrDefault(uuid, 0);
    if (made < succeedAfter) {
      attempts.put(uuid, made + 1);
      Integer code = integer(query.get("responseCode"));
      return code == null ? RESET : code;
    }
    return 200;
  }

  /**
   * What the client gets when Envoy forwards to this backend under {@code policy} (null: no retries): each
   * attempt's answer, retried while the policy's {@code retry_on} covers it and retries remain. A reset the client
   * sees as Envoy's 503.
   */
  int forward(String pathAndQuery, RetryPolicy policy) {
    int retriesLeft = policy == null ? 0 : policy.hasNumRetries() ? policy.getNumRetries().getValue() : 1;
    while (true) {
      int status = answer(pathAndQuery);
      if (status == 200 || retriesLeft == 0 || !retries(policy, status)) {
        return status == RESET ? 503 : status;
      }
      retriesLeft--;
    }
  }

  /** Envoy's {@code x-envoy-retry-on} conditions that concern a status or a reset. */
  static boolean retries(RetryPolicy policy, int status) {
    if (policy == null) {
      return false;
    }
    List<String> on = List.of(policy.getRetryOn().split(","));
    if (status == RESET) {
      return on.contains("reset") || on.contains("5xx") || on.contains("gateway-error");
    }
    return (on.contains("5xx") && status >= 500)
        || (on.contains("gateway-error") && (status == 502 || status == 503 || status == 504))
        || (on.contains("retriable-4xx") && status == 409)
        || (on.contains("retriable-status-codes") && policy.getRetriableStatusCodesList().contains(status));
  }

  private static Map<String, String> query(String pathAndQuery) {
    Map<String, String> out = new HashMap<>();
    int q = pathAndQuery.indexOf('?');
    if (q < 0) {
      return out;
    }
    for (String pair : pathAndQuery.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static Integer integer(String s) {
    try {
      return s == null ? null : Integer.valueOf(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
