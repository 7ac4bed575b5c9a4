package io.gloo.plugins.common;

import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.gloo.spi.policy.Violation;
import java.util.ArrayList;
import java.util.List;

/**
 * Gloo's {@code retries}: {@code retryOn, numRetries, perTryTimeout, retryBackOff{baseInterval, maxInterval},
 * retriableStatusCodes}, translated to Envoy's {@code config.route.v3.RetryPolicy}.
 */
public class RetryPolicy extends GlooObject {

  public String retryOn;
  public Integer numRetries;
  public String perTryTimeout;
  public RetryBackOff retryBackOff;
  public List<Integer> retriableStatusCodes;

  /** {@code retryBackOff}: Envoy's exponential back-off; maxInterval defaults to 10 × baseInterval. */
  public static class RetryBackOff extends GlooObject {
    public String baseInterval;
    public String maxInterval;

    @Override
    public void validate(String path, List<Violation> out) {
      checkUnknown(path, out);
      Duration base = Durations.check(baseInterval, Paths.join(path, "baseInterval"), out);
      Duration max = Durations.check(maxInterval, Paths.join(path, "maxInterval"), out);
      if (baseInterval == null) {
        out.add(new Violation(Paths.join(path, "baseInterval"), "is required when retryBackOff is set"));
      } else if (base != null && Durations.isZero(base)) {
        out.add(new Violation(Paths.join(path, "baseInterval"), "must be greater than 0"));
      }
      if (max != null && Durations.isZero(max)) {
        out.add(new Violation(Paths.join(path, "maxInterval"), "must be greater than 0"));
      }
      if (base != null && max != null && Durations.nanos(base).compareTo(Durations.nanos(max)) > 0) {
        // Gloo: "base interval: 1s is > max interval: 1ms"
        out.add(new Violation(Paths.join(path, "baseInterval"), "base interval " + baseInterval
            + " is greater than max interval " + maxInterval));
      }
    }
  }

  @Override
  public void validate(String path, List<Violation> out) {
    checkUnknown(path, out);
    if (numRetries != null && numRetries < 0) {
      out.add(new Violation(Paths.join(path, "numRetries"), "must not be negative"));
    }
    Durations.check(perTryTimeout, Paths.join(path, "perTryTimeout"), out);
    validate(retryBackOff, Paths.join(path, "retryBackOff"), out);
    if (retriableStatusCodes != null) {
      for (int i = 0; i < retriableStatusCodes.size(); i++) {
        Integer code = retriableStatusCodes.get(i);
        if (code == null || code < 100 || code > 599) {
          out.add(new Violation(Paths.join(path, "retriableStatusCodes") + "[" + i + "]",
              "must be an HTTP status code (100-599), got " + code));
        }
      }
    }
    if (retryOn != null && retryOn.isBlank()) {
      out.add(new Violation(Paths.join(path, "retryOn"), "must not be empty"));
    }
  }

  /**
   * Envoy's retry policy. Gloo's default of one retry applies when {@code numRetries} is unset or 0 (Envoy's
   * default is also 1).
   */
  public io.envoyproxy.envoy.config.route.v3.RetryPolicy toEnvoy() {
    var b = io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder();
    if (retryOn != null) {
      b.setRetryOn(retryOn);
    }
    b.setNumRetries(UInt32Value.of(numRetries == null || numRetries == 0 ? 1 : numRetries));
    if (perTryTimeout != null) {
      b.setPerTryTimeout(Durations.parse(perTryTimeout));
    }
    if (retryBackOff != null) {
      var backOff = io.envoyproxy.envoy.config.route.v3.RetryPolicy.RetryBackOff.newBuilder()
          .setBaseInterval(Durations.parse(retryBackOff.baseInterval));
      if (retryBackOff.maxInterval != null) {
        backOff.setMaxInterval(Durations.parse(retryBackOff.maxInterval));
      }
      b.setRetryBackOff(backOff);
    }
    if (retriableStatusCodes != null) {
      b.addAllRetriableStatusCodes(new ArrayList<>(retriableStatusCodes));
    }
    return b.build();
  }
}
