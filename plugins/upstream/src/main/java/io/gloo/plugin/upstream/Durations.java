package io.gloo.plugin.upstream;

import com.google.protobuf.Duration;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gloo's duration strings: protobuf's JSON form ({@code "5s"}, {@code "0.250s"}) and Go's form, which Gloo users
 * also write ({@code "100ms"}, {@code "1m30s"}, units ns, us, ms, s, m, h).
 */
final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");
  private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);

  private Durations() {}

  /** The duration, or null when the text is not a duration. */
  static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String s = text.trim();
    Matcher m = PART.matcher(s);
    int at = 0;
    BigDecimal nanos = BigDecimal.ZERO;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        return null;
      }
      BigDecimal value = new BigDecimal(m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1));
      nanos = nanos.add(value.multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
      at = m.end();
    }
    long total = nanos.setScale(0, RoundingMode.DOWN).longValueExact();
    return Duration.newBuilder().setSeconds(total / 1_000_000_000L).setNanos((int) (total % 1_000_000_000L)).build();
  }

  /** Whether {@code text} is absent or a valid duration. */
  static boolean valid(String text) {
    return text == null || parse(text) != null;
  }

  /** Whole seconds, rounded down. */
  static long seconds(Duration d) {
    return d.getSeconds();
  }

  static boolean isZero(Duration d) {
    return d.getSeconds() == 0 && d.getNanos() == 0;
  }

  private static long unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> NANOS_PER_SECOND.longValue();
      case "m" -> 60 * NANOS_PER_SECOND.longValue();
      case "h" -> 3600 * NANOS_PER_SECOND.longValue();
      default -> throw new IllegalArgumentException(unit);
    };
  }
}
