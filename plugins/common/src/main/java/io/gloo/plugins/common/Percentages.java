package io.gloo.plugins.common;

import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.gloo.spi.policy.Violation;
import java.util.List;

/** Gloo's float percentages (0–100) as Envoy fractions per million, as Gloo converts them. */
public final class Percentages {
  private Percentages() {}

  public static FractionalPercent ofPercent(double percent) {
    return FractionalPercent.newBuilder()
        .setNumerator((int) Math.round(percent * 10_000))
        .setDenominator(FractionalPercent.DenominatorType.MILLION)
        .build();
  }

  public static void check(Double percent, String field, List<Violation> out) {
    if (percent != null && (percent.isNaN() || percent < 0 || percent > 100)) {
      out.add(new Violation(field, "must be between 0 and 100, got " + percent));
    }
  }
}
