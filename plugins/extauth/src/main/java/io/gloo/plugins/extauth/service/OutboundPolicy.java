package io.gloo.plugins.extauth.service;

import com.google.errorprone.annotations.Immutable;
import io.gloo.plugins.common.Durations;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Bounds on the service's outbound HTTP calls for auth configs (JWKS, OIDC discovery and token endpoint,
 * introspection, HTTP pass-through), from plugin config {@code outbound.*}:
 *
 * <table>
 *   <caption>keys</caption>
 *   <tr><td>{@code outbound.maxDocumentBytes}</td><td>JWKS, discovery and token responses, 1 MiB</td></tr>
 *   <tr><td>{@code outbound.maxIntrospectionBytes}</td><td>introspection and pass-through responses, 64 KiB</td></tr>
 *   <tr><td>{@code outbound.timeout}</td><td>whole call (connect, headers and body), 5s</td></tr>
 *   <tr><td>{@code outbound.allowInsecure}</td><td>allow plain {@code http} URLs, false</td></tr>
 *   <tr><td>{@code outbound.allowCrossOriginEndpoints}</td><td>OIDC endpoints off the issuer's origin, false</td></tr>
 *   <tr><td>{@code outbound.deniedRanges}</td><td>comma-separated CIDRs never called,
 *       {@code 169.254.0.0/16,fd00:ec2::/64}; empty for none</td></tr>
 *   <tr><td>{@code outbound.negativeCacheTtl}</td><td>how long an inactive introspection answer is remembered,
 *       10s; 0 disables</td></tr>
 * </table>
 */
@Immutable
public record OutboundPolicy(long maxDocumentBytes, long maxIntrospectionBytes, Duration timeout,
    boolean allowInsecure, boolean allowCrossOriginEndpoints, List<Cidr> deniedRanges, Duration negativeCacheTtl) {

  public static final String DEFAULT_DENIED = "169.254.0.0/16,fd00:ec2::/64";
  public static final OutboundPolicy DEFAULTS = from(Map.of());

  public OutboundPolicy {
    deniedRanges = List.copyOf(deniedRanges);
  }

  /** From plugin config; throws IllegalArgumentException naming the key. */
  public static OutboundPolicy from(Map<String, String> config) {
    List<Cidr> denied = new ArrayList<>();
    String ranges = config.getOrDefault("outbound.deniedRanges", DEFAULT_DENIED);
    for (String r : ranges.split(",")) {
      if (!r.isBlank()) {
        try {
          denied.add(Cidr.parse(r.trim()));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("outbound.deniedRanges: " + e.getMessage());
        }
      }
    }
    return new OutboundPolicy(bytes(config, "outbound.maxDocumentBytes", 1 << 20),
        bytes(config, "outbound.maxIntrospectionBytes", 64 << 10),
        duration(config, "outbound.timeout", "5s"),
        bool(config, "outbound.allowInsecure"), bool(config, "outbound.allowCrossOriginEndpoints"), denied,
        duration(config, "outbound.negativeCacheTtl", "10s"));
  }

  /** The same with plain {@code http} allowed (tests against WireMock; {@code outbound.allowInsecure=true}). */
  public OutboundPolicy allowingInsecure() {
    return new OutboundPolicy(maxDocumentBytes, maxIntrospectionBytes, timeout, true, allowCrossOriginEndpoints,
        deniedRanges, negativeCacheTtl);
  }

  /** Whether {@code address} is in a denied range. */
  public boolean denies(InetAddress address) {
    for (Cidr c : deniedRanges) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static long bytes(Map<String, String> config, String key, long fallback) {
    String v = config.get(key);
    try {
      long n = v == null ? fallback : Long.parseLong(v.trim());
      if (n <= 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a positive number of bytes, got '" + v + "'");
    }
  }

  private static boolean bool(Map<String, String> config, String key) {
    String v = config.getOrDefault(key, "false").trim();
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
    }
    return v.equals("true");
  }

  private static Duration duration(Map<String, String> config, String key, String fallback) {
    try {
      return Duration.ofNanos(Durations.nanos(Durations.parse(config.getOrDefault(key, fallback))).longValue());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage());
    }
  }

  /** An address range: {@code address/prefixLength}, IPv4 or IPv6. */
  @Immutable
  public record Cidr(String text, @SuppressWarnings("Immutable") byte[] network, int prefix) {

    public static Cidr parse(String text) {
      int slash = text.indexOf('/');
      if (slash < 0 || !text.substring(0, slash).matches("[0-9a-fA-F:.]+")) {
        throw new IllegalArgumentException("'" + text + "' is not address/prefix");
      }
      byte[] network;
      int prefix;
      try {
        network = InetAddress.getByName(text.substring(0, slash)).getAddress();
        prefix = Integer.parseInt(text.substring(slash + 1));
      } catch (UnknownHostException | NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' is not address/prefix");
      }
      if (prefix < 0 || prefix > network.length * 8) {
        throw new IllegalArgumentException("'" + text + "': prefix out of range");
      }
      return new Cidr(text, network, prefix);
    }

    public boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != network.length) {
        return false;
      }
      for (int bit = 0; bit < prefix; bit++) {
        int mask = 0x80 >> (bit % 8);
        if ((a[bit / 8] & mask) != (network[bit / 8] & mask)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
