package io.gloo.core.translate.gatewayapi;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The Gateway API's value constraints (its CRD schema: {@code PortNumber}, {@code Hostname}, {@code HTTPHeaderName})
 * checked again at translation. The API server enforces them in Kubernetes mode when the CRDs are installed, but
 * directory mode, programmatic input and clusters with older or edited CRDs reach the translator unchecked, and
 * Envoy refuses (or silently misreads) such values: a value that fails here becomes a status condition naming the
 * field and is never sent to Envoy. Each method returns why the value is invalid, or null when it is valid.
 */
final class SpecValues {

  /** {@code Hostname}: an optional leading {@code *.} label, then DNS-1123 labels (compared in lower case). */
  private static final Pattern HOSTNAME =
      Pattern.compile("^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Pattern IPV4 = Pattern.compile("^[0-9]+(\\.[0-9]+){3}$");
  private static final int HOSTNAME_MAX = 253;
  private static final int LABEL_MAX = 63;
  /** {@code HTTPHeaderName}: an RFC 7230 token of at most 256 characters. */
  private static final Pattern HEADER_NAME = Pattern.compile("^[A-Za-z0-9!#$%&'*+\\-.^_`|~]+$");
  static final int HEADER_NAME_MAX = 256;

  private SpecValues() {}

  /** {@code PortNumber}: 1 to 65535. */
  static String port(Integer port) {
    if (port == null) {
      return "port is required";
    }
    if (port < 1 || port > 65535) {
      return "port " + port + " is not a valid port number (1-65535)";
    }
    return null;
  }

  /**
   * {@code Hostname}: a DNS name, optionally with a single leading wildcard label ({@code *.example.com}); no IP
   * address, no lone {@code *}, no wildcard elsewhere ({@code foo.*.example.com}), no empty label ({@code a..b}).
   */
  static String hostname(String hostname) {
    if (hostname == null || hostname.isEmpty()) {
      return "hostname must not be empty";
    }
    String h = hostname.toLowerCase(Locale.ROOT);
    if (h.length() > HOSTNAME_MAX) {
      return "hostname is longer than " + HOSTNAME_MAX + " characters";
    }
    if (!HOSTNAME.matcher(h).matches()) {
      return "hostname \"" + shorten(hostname) + "\" is not a valid hostname (DNS labels, optionally prefixed by a"
          + " single \"*.\" wildcard label)";
    }
    for (String label : h.split("\\.")) {
      if (label.length() > LABEL_MAX) {
        return "hostname \"" + shorten(hostname) + "\" has a label longer than " + LABEL_MAX + " characters";
      }
    }
    if (IPV4.matcher(h).matches()) {
      return "hostname \"" + hostname + "\" is an IP address, which is not allowed";
    }
    return null;
  }

  /** {@code HTTPHeaderName}: an HTTP token (RFC 7230) of at most 256 characters. */
  static String headerName(String name) {
    if (name == null || name.isEmpty()) {
      return "header name must not be empty";
    }
    if (name.length() > HEADER_NAME_MAX) {
      return "header name of " + name.length() + " characters is longer than " + HEADER_NAME_MAX;
    }
    if (!HEADER_NAME.matcher(name).matches()) {
      return "header name \"" + shorten(name) + "\" is not a valid HTTP header name";
    }
    return null;
  }

  /**
   * Values of one listener the API server's schema refuses and Envoy cannot take: a port outside 1-65535 is
   * PortUnavailable, a malformed hostname UnsupportedValue (Accepted False either way, the message naming the field
   * {@code spec.listeners[index]}); the listener is then not served.
   */
  static void checkListener(int index, ListenerContext l) {
    String field = "spec.listeners[" + index + "]";
    String portProblem = port(l.spec.getPort());
    if (portProblem != null) {
      l.invalidReason = GatewayApi.REASON_PORT_UNAVAILABLE;
      l.invalidMessage = field + ".port: " + portProblem;
      return;
    }
    if (l.hostname != null) {
      String hostProblem = hostname(l.hostname);
      if (hostProblem != null) {
        l.invalidReason = GatewayApi.REASON_UNSUPPORTED_VALUE;
        l.invalidMessage = field + ".hostname: " + hostProblem;
      }
    }
  }

  /**
   * The route's hostnames that are valid Gateway API hostnames; each invalid one adds a problem naming its field
   * (it is ignored: never an Envoy domain). Null when the route names hostnames and none is valid: it would
   * otherwise count as naming none, which means every host.
   */
  static java.util.List<String> validHostnames(java.util.List<String> hostnames, java.util.List<String> problems) {
    if (hostnames == null || hostnames.isEmpty()) {
      return hostnames;
    }
    java.util.List<String> valid = new java.util.ArrayList<>();
    for (int i = 0; i < hostnames.size(); i++) {
      String problem = hostname(hostnames.get(i));
      if (problem == null) {
        valid.add(hostnames.get(i));
      } else {
        problems.add("spec.hostnames[" + i + "]: " + problem);
      }
    }
    return valid.isEmpty() ? null : valid;
  }

  /** Long values are cut in messages: a status must stay small. */
  private static String shorten(String value) {
    return value.length() <= 64 ? value : value.substring(0, 64) + "...";
  }
}
