package io.gloo.core.translate.edge;

import io.gloo.core.ir.ListenerSettingsIR;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * An Edge Gateway's listener settings: {@code bindAddress}, {@code useProxyProto} and
 * {@code httpGateway.options.httpConnectionManagerSettings} (Gloo's {@code HttpListenerOptions}). Every field this
 * translator does not serve is named in a warning, never dropped silently; an invalid value is an error and leaves
 * only that field unset. Listener options that would guard all of the listener's traffic ({@code waf}, {@code dlp})
 * cannot be served, so the listener is not served at all (fail closed). Stateless.
 */
final class EdgeListenerSettings {

  /** What was read, and what the Gateway's status must say about it. */
  record Result(ListenerSettingsIR settings, List<String> errors, List<String> warnings, String failClosed) {}

  /** HttpListenerOptions fields that apply a guard to every request: unserved, the listener is left out. */
  private static final Set<String> LISTENER_GUARDS = Set.of("waf", "dlp");

  private static final Set<String> PATH_ESCAPED_SLASHES = Set.of("IMPLEMENTATION_SPECIFIC_DEFAULT", "KEEP_UNCHANGED",
      "REJECT_REQUEST", "UNESCAPE_AND_REDIRECT", "UNESCAPE_AND_FORWARD");
  private static final Set<String> SERVER_HEADER = Set.of("OVERWRITE", "APPEND_IF_ABSENT", "PASS_THROUGH");
  /** Gloo's names → Envoy's (Gloo spells rejecting {@code REJECT_CLIENT_REQUEST}). */
  private static final Map<String, String> UNDERSCORES = Map.of("ALLOW", "ALLOW", "REJECT_CLIENT_REQUEST",
      "REJECT_REQUEST", "REJECT_REQUEST", "REJECT_REQUEST", "DROP_HEADER", "DROP_HEADER");
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  /** The settings fields served (Gloo's names); any other is reported as ignored. */
  private static final Set<String> SERVED = Set.of("skipXffAppend", "via", "xffNumTrustedHops", "useRemoteAddress",
      "generateRequestId", "preserveExternalRequestId", "serverName", "serverHeaderTransformation", "idleTimeout",
      "streamIdleTimeout", "requestTimeout", "requestHeadersTimeout", "drainTimeout", "maxConnectionDuration",
      "maxStreamDuration", "maxRequestHeadersKb", "maxHeadersCount", "headersWithUnderscoresAction",
      "normalizePath", "mergeSlashes", "pathWithEscapedSlashesAction", "stripAnyHostPort", "acceptHttp10",
      "defaultHostForHttp10", "allowChunkedLength", "proxy100Continue");

  private final List<String> errors = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private JsonNode hcm;

  private EdgeListenerSettings() {}

  /** Reads the settings of Gateway {@code spec}. */
  static Result of(JsonNode spec) {
    return new EdgeListenerSettings().read(spec);
  }

  private Result read(JsonNode spec) {
    String address = bindAddress(EdgeApi.str(spec, "bindAddress"));
    boolean proxyProtocol = spec.path("useProxyProto").asBoolean(false);
    JsonNode options = spec.path("httpGateway").path("options");
    String failClosed = null;
    for (Map.Entry<String, JsonNode> e : options.properties()) {
      if (e.getKey().equals("httpConnectionManagerSettings") || e.getValue().isNull()) {
        continue;
      }
      if (LISTENER_GUARDS.contains(e.getKey())) {
        failClosed = failClosed != null ? failClosed : "httpGateway.options." + e.getKey()
            + " is not supported: the listener is not served (it would apply to all of its traffic)";
      } else {
        warnings.add("httpGateway.options." + e.getKey() + " is not supported and is ignored");
      }
    }
    hcm = options.path("httpConnectionManagerSettings");
    for (Map.Entry<String, JsonNode> e : hcm.properties()) {
      if (!SERVED.contains(e.getKey()) && !e.getValue().isNull()) {
        warnings.add(where(e.getKey()) + " is not supported and is ignored");
      }
    }
    ListenerSettingsIR.ConnectionManager cm = new ListenerSettingsIR.ConnectionManager(
        bool("skipXffAppend"), string("via"), uint("xffNumTrustedHops", Integer.MAX_VALUE),
        bool("useRemoteAddress"), bool("generateRequestId"), bool("preserveExternalRequestId"),
        string("serverName"), choice("serverHeaderTransformation", SERVER_HEADER),
        duration("idleTimeout"), duration("streamIdleTimeout"), duration("requestTimeout"),
        duration("requestHeadersTimeout"), duration("drainTimeout"), duration("maxConnectionDuration"),
        duration("maxStreamDuration"), positive("maxRequestHeadersKb", 8192), positive("maxHeadersCount",
            Integer.MAX_VALUE), underscores(), bool("normalizePath"), bool("mergeSlashes"),
        choice("pathWithEscapedSlashesAction", PATH_ESCAPED_SLASHES), bool("stripAnyHostPort"),
        bool("acceptHttp10"), string("defaultHostForHttp10"), bool("allowChunkedLength"), bool("proxy100Continue"));
    if (cm.equals(ListenerSettingsIR.ConnectionManager.NONE)) {
      cm = ListenerSettingsIR.ConnectionManager.NONE;
    }
    return new Result(new ListenerSettingsIR(address, proxyProtocol, cm), errors, warnings, failClosed);
  }

  /**
   * Null for every address (absent, {@code ::} as Gloo's default, {@code 0.0.0.0}); an IP literal as given;
   * anything else is an error (Envoy binds addresses, not names) and binds every address.
   */
  private String bindAddress(String address) {
    if (address == null || address.isEmpty() || address.equals("::") || address.equals("0.0.0.0")) {
      return null;
    }
    java.util.regex.Matcher v4 = IPV4.matcher(address);
    boolean ok;
    if (v4.matches()) {
      ok = true;
      for (int i = 1; i <= 4; i++) {
        ok &= Integer.parseInt(v4.group(i)) <= 255;
      }
    } else {
      ok = IPV6.matcher(address).matches() && parsesAsIp(address);
    }
    if (!ok) {
      errors.add("bindAddress " + address + " is not an IP address; the listener binds every address");
      return null;
    }
    return address;
  }

  /** A literal of hex digits, colons and dots only: InetAddress parses it without a DNS query. */
  private static boolean parsesAsIp(String literal) {
    try {
      return java.net.InetAddress.getByName(literal) instanceof java.net.Inet6Address;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static String where(String field) {
    return "httpGateway.options.httpConnectionManagerSettings." + field;
  }

  private JsonNode field(String name) {
    JsonNode v = hcm.get(name);
    return v == null || v.isNull() ? null : v;
  }

  private Boolean bool(String name) {
    JsonNode v = field(name);
    if (v == null) {
      return null;
    }
    if (!v.isBoolean()) {
      errors.add(where(name) + ": " + v + " is not true or false");
      return null;
    }
    return v.asBoolean();
  }

  private String string(String name) {
    JsonNode v = field(name);
    if (v == null) {
      return null;
    }
    if (!v.isString()) {
      errors.add(where(name) + ": " + v + " is not a string");
      return null;
    }
    return v.asString();
  }

  private Integer uint(String name, int max) {
    return integer(name, 0, max);
  }

  private Integer positive(String name, int max) {
    return integer(name, 1, max);
  }

  /** A proto3 JSON integer: a number or a string of digits. */
  private Integer integer(String name, int min, int max) {
    JsonNode v = field(name);
    if (v == null) {
      return null;
    }
    long value;
    try {
      value = v.isIntegralNumber() ? v.asLong() : v.isString() ? Long.parseLong(v.asString()) : Long.MIN_VALUE;
    } catch (NumberFormatException e) {
      value = Long.MIN_VALUE;
    }
    if (value < min || value > max) {
      errors.add(where(name) + ": " + v + " is not an integer from " + min + " to " + max);
      return null;
    }
    return (int) value;
  }

  /** A proto3 JSON duration ({@code "30s"}, {@code "1.5s"}), not negative. */
  private Duration duration(String name) {
    JsonNode v = field(name);
    if (v == null) {
      return null;
    }
    try {
      com.google.protobuf.Duration d = com.google.protobuf.util.Durations.parse(v.isString() ? v.asString() : "");
      if (d.getSeconds() < 0 || d.getNanos() < 0) {
        throw new ParseException("negative", 0);
      }
      return Duration.ofSeconds(d.getSeconds(), d.getNanos());
    } catch (ParseException | IllegalArgumentException e) { // Durations.parse also throws NumberFormatException
      errors.add(where(name) + ": " + v + " is not a duration such as \"30s\" or \"0.5s\"");
      return null;
    }
  }

  private String choice(String name, Set<String> values) {
    String v = string(name);
    if (v != null && !values.contains(v)) {
      errors.add(where(name) + ": " + v + " is not one of " + new java.util.TreeSet<>(values));
      return null;
    }
    return v;
  }

  private String underscores() {
    String v = choice("headersWithUnderscoresAction", UNDERSCORES.keySet());
    return v == null ? null : UNDERSCORES.get(v);
  }
}
