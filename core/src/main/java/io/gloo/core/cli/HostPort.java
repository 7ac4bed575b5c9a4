package io.gloo.core.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A {@code HOST:PORT} option value ({@code [v6]:PORT} for IPv6), checked when parsed: a host and a port 1-65535. */
final class HostPort implements ITypeConverter<String> {

  @Override
  public String convert(String value) {
    int colon = value.lastIndexOf(':');
    String host = colon < 0 ? "" : value.substring(0, colon);
    String port = colon < 0 ? "" : value.substring(colon + 1);
    boolean hostOk = !host.isBlank() && !host.contains(" ")
        && (host.startsWith("[") ? host.endsWith("]") && host.length() > 2 : !host.contains(":"));
    int number;
    try {
      number = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      number = -1;
    }
    if (!hostOk || number < 1 || number > 65_535) {
      throw new TypeConversionException("'" + value + "' is not HOST:PORT (e.g. 127.0.0.1:9977, a port 1-65535)");
    }
    return value;
  }
}
