package io.gloo.plugins.common;

import com.google.protobuf.Duration;
import io.gloo.spi.policy.Violation;
import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Gloo YAML writes them: Go / protobuf-JSON strings such as {@code 5s}, {@code 1.5s}, {@code 100ms},
 * {@code 1m30s}, {@code 0s}, {@code 2h}, {@code 300us}, {@code 10ns}. Negative durations are rejected.
 */
public final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");
  private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);

  private Durations() {}

  /** Parses a duration; throws {@link IllegalArgumentException} naming the problem. */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration");
    }
    String s = text.trim();
    if (s.startsWith("-")) {
      throw new IllegalArgumentException("'" + text + "' is negative");
    }
    if (s.equals("0")) {
      return Duration.getDefaultInstance();
    }
    Matcher m = PART.matcher(s);
    int at = 0;
    BigDecimal nanos = BigDecimal.ZERO;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException("'" + text + "' is not a duration (use e.g. 5s, 1.5s, 100ms, 1m30s)");
      }
      BigDecimal value = new BigDecimal(m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1));
      long unit = switch (m.group(2)) {
        case "ns" -> 1L;
        case "us", "µs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      nanos = nanos.add(value.multiply(BigDecimal.valueOf(unit)));
      at = m.end();
    }
    BigDecimal[] parts = nanos.setScale(0, java.math.RoundingMode.DOWN).divideAndRemainder(NANOS_PER_SECOND);
    if (parts[0].compareTo(BigDecimal.valueOf(315_576_000_000L)) > 0) {
      throw new IllegalArgumentException("'" + text + "' is too long");
    }
    return Duration.newBuilder().setSeconds(parts[0].longValueExact()).setNanos(parts[1].intValueExact()).build();
  }

  /** Parses {@code text} at {@code field}, adding a violation (and returning null) when it is not a duration. */
  public static Duration check(String text, String field, List<Violation> out) {
    if (text == null) {
      return null;
    }
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      out.add(new Violation(field, e.getMessage()));
      return null;
    }
  }

  /** Total nanoseconds, for comparisons. */
  public static BigDecimal nanos(Duration d) {
    return BigDecimal.valueOf(d.getSeconds()).multiply(NANOS_PER_SECOND).add(BigDecimal.valueOf(d.getNanos()));
  }

  public static boolean isZero(Duration d) {
    return d.getSeconds() == 0 && d.getNanos() == 0;
  }
}
