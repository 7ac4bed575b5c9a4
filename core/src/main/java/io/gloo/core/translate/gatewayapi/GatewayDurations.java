package io.gloo.core.translate.gatewayapi;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Gateway API's Duration (GEP-2257): one to four {@code <number><unit>} parts, units {@code h}, {@code m},
 * {@code s}, {@code ms}, e.g. {@code 10s}, {@code 500ms}, {@code 1h30m}; {@code 0s} is zero.
 */
final class GatewayDurations {

  private static final Pattern WHOLE = Pattern.compile("^([0-9]{1,5}(h|m|s|ms)){1,4}$");
  private static final Pattern PART = Pattern.compile("([0-9]{1,5})(h|ms|m|s)");

  private GatewayDurations() {}

  /** Milliseconds, or IllegalArgumentException when {@code value} is not a Gateway API duration. */
  static long millis(String value) {
    if (value == null || !WHOLE.matcher(value).matches()) {
      throw new IllegalArgumentException("'" + value + "' is not a Gateway API duration (e.g. 10s, 500ms, 1h30m)");
    }
    long total = 0;
    Matcher m = PART.matcher(value);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total += switch (m.group(2)) {
        case "h" -> n * 3_600_000L;
        case "m" -> n * 60_000L;
        case "s" -> n * 1_000L;
        default -> n;
      };
    }
    return total;
  }
}
