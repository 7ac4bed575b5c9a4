package io.gloo.core.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Sizes as users write them: bytes ({@code 1048576}) or with a binary unit ({@code 512KiB}, {@code 16MiB},
 * {@code 1GiB}; {@code Ki}, {@code Mi}, {@code Gi} and {@code K}, {@code M}, {@code G} mean the same); positive.
 */
final class ByteSizeConverter implements ITypeConverter<Long> {

  @Override
  public Long convert(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.endsWith("b")) {
      t = t.substring(0, t.length() - 1);
    }
    if (t.endsWith("i")) {
      t = t.substring(0, t.length() - 1);
    }
    int shift = t.endsWith("k") ? 10 : t.endsWith("m") ? 20 : t.endsWith("g") ? 30 : 0;
    if (shift > 0) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      long n = Long.parseLong(t.trim());
      if (n > 0 && n <= Long.MAX_VALUE >> shift) {
        return n << shift;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new TypeConversionException("'" + text + "' is not a positive size (e.g. 1048576, 512KiB, 16MiB)");
  }
}
