package io.gloo.core.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations as users write them: {@code 100ms}, {@code 2s}, {@code 1m}, or ISO-8601 ({@code PT0.5S}); not negative. */
final class DurationConverter implements ITypeConverter<Duration> {

  @Override
  public Duration convert(String text) {
    Duration parsed;
    try {
      parsed = parse(text.trim());
    } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
      parsed = null;
    }
    if (parsed == null || parsed.isNegative()) {
      throw new TypeConversionException("'" + text + "' is not a duration (e.g. 25ms, 2s, 1m)");
    }
    return parsed;
  }

  private static Duration parse(String t) {
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    }
    if (t.endsWith("s")) {
      return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
    }
    if (t.endsWith("m")) {
      return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
    }
    return t.startsWith("P") || t.startsWith("p") ? Duration.parse(t) : null;
  }
}
