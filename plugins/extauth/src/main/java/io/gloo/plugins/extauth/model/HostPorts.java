package io.gloo.plugins.extauth.model;

import io.gloo.spi.policy.Violation;
import java.util.List;

/** {@code host:port} strings (service addresses). */
public final class HostPorts {
  private HostPorts() {}

  /** Host and port of {@code host:port} ({@code [v6]:port} too); throws IllegalArgumentException when malformed. */
  public static String[] split(String address) {
    if (address == null || address.isEmpty()) {
      throw new IllegalArgumentException("is required (host:port)");
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException("must be host:port");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String port = address.substring(colon + 1);
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port '" + port + "' is not a number");
    }
    if (p < 1 || p > 65535) {
      throw new IllegalArgumentException("port " + p + " is out of range");
    }
    return new String[] {host, port};
  }

  static void check(String address, String field, List<Violation> out) {
    try {
      split(address);
    } catch (IllegalArgumentException e) {
      out.add(new Violation(field, e.getMessage()));
    }
  }
}
