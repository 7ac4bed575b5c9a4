package io.gloo.core.validate;

import com.google.common.net.InetAddresses;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.envoyproxy.pgv.validate.Validate.AnyRules;
import io.envoyproxy.pgv.validate.Validate.BytesRules;
import io.envoyproxy.pgv.validate.Validate.EnumRules;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import io.envoyproxy.pgv.validate.Validate.StringRules;
import io.envoyproxy.pgv.validate.Validate.TimestampRules;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Compiles the {@code validate.rules} of one field into a {@link Check} of one value.
 *
 * <p>Rule kinds: string (const, len, min_len, max_len, len_bytes, min_bytes, max_bytes, pattern, prefix, suffix,
 * contains, not_contains, in, not_in, ignore_empty and the well-known formats email, hostname, ip, ipv4, ipv6, uri,
 * uri_ref, address, uuid and well_known_regex HTTP_HEADER_NAME / HTTP_HEADER_VALUE with {@code strict}); bytes
 * (const, len, min_len, max_len, pattern, prefix, suffix, contains, in, not_in, ip, ipv4, ipv6, ignore_empty); bool
 * const; enum (const, defined_only, in, not_in); float, double, int32, int64, uint32, uint64, sint32, sint64,
 * fixed32, fixed64, sfixed32, sfixed64 (const, lt, lte, gt, gte with PGV's inside/outside range semantics, in,
 * not_in, ignore_empty), also on the wrapper types ({@code UInt32Value} ...); any (in, not_in); duration (const, lt,
 * lte, gt, gte, in, not_in); timestamp (const, lt, lte, gt, gte, lt_now, gt_now, within). {@code required} of
 * message/any/duration/timestamp and repeated/map rules are applied by {@link ProtoConstraintValidator}.
 *
 * <p>Regular expressions ({@code string.pattern}, {@code bytes.pattern}) use RE2J, which implements RE2's syntax and
 * linear-time semantics as PGV's C++ validators (RE2) do; matching is a search ({@code RE2::PartialMatch}). RE2J
 * does not support {@code \C} and treats input as UTF-16 code points rather than UTF-8 bytes; neither matters for
 * the patterns in Envoy's protos.
 */
final class RuleChecks {

  /** Checks one value (already unwrapped from its field). */
  @FunctionalInterface
  interface Check {
    void check(Object value, ProtoConstraintValidator.Path path, List<Violation> out);
  }

  private static final Set<String> WRAPPERS = Set.of("google.protobuf.DoubleValue", "google.protobuf.FloatValue",
      "google.protobuf.Int64Value", "google.protobuf.UInt64Value", "google.protobuf.Int32Value",
      "google.protobuf.UInt32Value", "google.protobuf.BoolValue", "google.protobuf.StringValue",
      "google.protobuf.BytesValue");

  private RuleChecks() {}

  /** The check of one value of {@code fd} (an item for repeated fields), or null if the rules check no value. */
  static Check compile(FieldRules r, FieldDescriptor fd) {
    Check c = switch (r.getTypeCase()) {
      case STRING -> string(r.getString());
      case BYTES -> bytes(r.getBytes());
      case BOOL -> r.getBool().hasConst() ? bool(r.getBool().getConst()) : null;
      case ENUM -> enumCheck(r.getEnum());
      case INT32, SINT32, SFIXED32 -> range(name(r), r.getField(oneofField(r)),
          v -> ((Number) v).longValue(), Comparator.comparingLong(o -> (Long) o), String::valueOf, 0L);
      case INT64, SINT64, SFIXED64 -> range(name(r), r.getField(oneofField(r)),
          v -> ((Number) v).longValue(), Comparator.comparingLong(o -> (Long) o), String::valueOf, 0L);
      case UINT32, FIXED32 -> range(name(r), r.getField(oneofField(r)),
          v -> Integer.toUnsignedLong((Integer) v), Comparator.comparingLong(o -> (Long) o), String::valueOf, 0L);
      case UINT64, FIXED64 -> range(name(r), r.getField(oneofField(r)), v -> (Long) v,
          (a, b) -> Long.compareUnsigned((Long) a, (Long) b), o -> Long.toUnsignedString((Long) o), 0L);
      case FLOAT, DOUBLE -> range(name(r), r.getField(oneofField(r)), v -> ((Number) v).doubleValue(),
          Comparator.comparingDouble(o -> (Double) o), String::valueOf, 0.0);
      case DURATION -> range("duration", r.getDuration(), RuleChecks::duration,
          (a, b) -> Durations.compare((Duration) a, (Duration) b), o -> Durations.toString((Duration) o), null);
      case TIMESTAMP -> timestamp(r.getTimestamp());
      case ANY -> any(r.getAny());
      case REPEATED, MAP, TYPE_NOT_SET -> null;
    };
    if (c == null) {
      return null;
    }
    if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        && WRAPPERS.contains(fd.getMessageType().getFullName())) {
      FieldDescriptor value = fd.getMessageType().findFieldByName("value");
      Check inner = c;
      return (v, p, out) -> inner.check(((Message) v).getField(value), p, out);
    }
    return c;
  }

  private static FieldDescriptor oneofField(FieldRules r) {
    return FieldRules.getDescriptor().findFieldByNumber(r.getTypeCase().getNumber());
  }

  private static String name(FieldRules r) {
    return oneofField(r).getName();
  }

  // --- numbers, durations (one generic range check over the rules message's const/lt/lte/gt/gte/in/not_in) -------

  private static Check range(String kind, Object rulesObject, UnaryOperator<Object> norm, Comparator<Object> cmp,
      Function<Object, String> fmt, Object empty) {
    Message rules = (Message) rulesObject;
    Object cnst = get(rules, "const", norm);
    Object lt = get(rules, "lt", norm);
    Object lte = get(rules, "lte", norm);
    Object gt = get(rules, "gt", norm);
    Object gte = get(rules, "gte", norm);
    List<Object> in = list(rules, "in", norm);
    List<Object> notIn = list(rules, "not_in", norm);
    FieldDescriptor ie = rules.getDescriptorForType().findFieldByName("ignore_empty");
    boolean ignoreEmpty = ie != null && (Boolean) rules.getField(ie);
    if (cnst == null && lt == null && lte == null && gt == null && gte == null && in.isEmpty() && notIn.isEmpty()) {
      return null;
    }
    Object upper = lt != null ? lt : lte;
    Object lower = gt != null ? gt : gte;
    boolean upperExclusive = lt != null;
    boolean lowerExclusive = gt != null;
    return (raw, path, out) -> {
      Object v = norm.apply(raw);
      if (ignoreEmpty && empty != null && cmp.compare(v, empty) == 0) {
        return;
      }
      if (cnst != null && cmp.compare(v, cnst) != 0) {
        out.add(new Violation(path.toString(), kind + ".const", "value must equal " + fmt.apply(cnst)
            + ", is " + fmt.apply(v)));
      }
      boolean belowUpper = upper == null || (upperExclusive ? cmp.compare(v, upper) < 0 : cmp.compare(v, upper) <= 0);
      boolean aboveLower = lower == null || (lowerExclusive ? cmp.compare(v, lower) > 0 : cmp.compare(v, lower) >= 0);
      boolean ok;
      String rule;
      String expectation;
      if (upper != null && lower != null) {
        // PGV: upper > lower is the range between them; otherwise the value must lie outside [upper, lower].
        boolean inside = cmp.compare(upper, lower) > 0;
        ok = inside ? belowUpper && aboveLower : belowUpper || aboveLower;
        rule = kind + "." + (lowerExclusive ? "gt" : "gte") + "_" + (upperExclusive ? "lt" : "lte");
        expectation = "value must be " + (inside ? "inside " : "outside ")
            + (inside == lowerExclusive ? "(" : "[") + fmt.apply(lower) + ", " + fmt.apply(upper)
            + (inside == upperExclusive ? ")" : "]");
      } else if (upper != null) {
        ok = belowUpper;
        rule = kind + (upperExclusive ? ".lt" : ".lte");
        expectation = "value must be " + (upperExclusive ? "less than " : "less than or equal to ")
            + fmt.apply(upper);
      } else if (lower != null) {
        ok = aboveLower;
        rule = kind + (lowerExclusive ? ".gt" : ".gte");
        expectation = "value must be " + (lowerExclusive ? "greater than " : "greater than or equal to ")
            + fmt.apply(lower);
      } else {
        ok = true;
        rule = null;
        expectation = null;
      }
      if (!ok) {
        out.add(new Violation(path.toString(), rule, expectation + ", is " + fmt.apply(v)));
      }
      if (!in.isEmpty() && in.stream().noneMatch(x -> cmp.compare(x, v) == 0)) {
        out.add(new Violation(path.toString(), kind + ".in", "value must be one of " + show(in, fmt)
            + ", is " + fmt.apply(v)));
      }
      if (notIn.stream().anyMatch(x -> cmp.compare(x, v) == 0)) {
        out.add(new Violation(path.toString(), kind + ".not_in", "value must not be one of " + show(notIn, fmt)));
      }
    };
  }

  private static Object get(Message rules, String field, UnaryOperator<Object> norm) {
    FieldDescriptor f = rules.getDescriptorForType().findFieldByName(field);
    return f != null && rules.hasField(f) ? norm.apply(rules.getField(f)) : null;
  }

  private static List<Object> list(Message rules, String field, UnaryOperator<Object> norm) {
    FieldDescriptor f = rules.getDescriptorForType().findFieldByName(field);
    List<Object> values = new ArrayList<>();
    if (f != null) {
      for (Object o : (List<?>) rules.getField(f)) {
        values.add(norm.apply(o));
      }
    }
    return List.copyOf(values);
  }

  private static String show(List<Object> values, Function<Object, String> fmt) {
    return values.stream().map(fmt).toList().toString();
  }

  private static Object duration(Object o) {
    if (o instanceof Duration d) {
      return d;
    }
    return Duration.newBuilder().mergeFrom((Message) o).build(); // a DynamicMessage from an unpacked Any
  }

  private static Timestamp timestampOf(Object o) {
    if (o instanceof Timestamp t) {
      return t;
    }
    return Timestamp.newBuilder().mergeFrom((Message) o).build();
  }

  // --- timestamp -------------------------------------------------------------------------------------------------

  private static Check timestamp(TimestampRules r) {
    Check bounds = range("timestamp", r, RuleChecks::timestampOf,
        (a, b) -> Timestamps.compare((Timestamp) a, (Timestamp) b), o -> Timestamps.toString((Timestamp) o), null);
    if (!r.getLtNow() && !r.getGtNow() && !r.hasWithin()) {
      return bounds;
    }
    return (v, path, out) -> {
      if (bounds != null) {
        bounds.check(v, path, out);
      }
      Timestamp t = timestampOf(v);
      Timestamp now = Timestamps.fromMillis(System.currentTimeMillis());
      if (r.getLtNow() && Timestamps.compare(t, now) >= 0) {
        out.add(new Violation(path.toString(), "timestamp.lt_now", "value must be in the past"));
      }
      if (r.getGtNow() && Timestamps.compare(t, now) <= 0) {
        out.add(new Violation(path.toString(), "timestamp.gt_now", "value must be in the future"));
      }
      if (r.hasWithin()) {
        Duration diff = Timestamps.between(t, now);
        if (Durations.isNegative(diff)) {
          diff = Durations.subtract(Durations.ZERO, diff);
        }
        if (Durations.compare(diff, r.getWithin()) > 0) {
          out.add(new Violation(path.toString(), "timestamp.within",
              "value must be within " + Durations.toString(r.getWithin()) + " of now"));
        }
      }
    };
  }

  // --- any ------------------------------------------------------------------------------------------------------

  private static Check any(AnyRules r) {
    if (r.getInCount() == 0 && r.getNotInCount() == 0) {
      return null;
    }
    Set<String> in = Set.copyOf(r.getInList());
    Set<String> notIn = Set.copyOf(r.getNotInList());
    FieldDescriptor typeUrl = com.google.protobuf.Any.getDescriptor().findFieldByName("type_url");
    return (v, path, out) -> {
      String url = (String) ((Message) v).getField(typeUrl);
      if (!in.isEmpty() && !in.contains(url)) {
        out.add(new Violation(path.toString(), "any.in", "type URL must be one of " + in + ", is '" + url + "'"));
      }
      if (notIn.contains(url)) {
        out.add(new Violation(path.toString(), "any.not_in", "type URL must not be '" + url + "'"));
      }
    };
  }

  // --- bool, enum -------------------------------------------------------------------------------------------------

  private static Check bool(boolean expected) {
    return (v, path, out) -> {
      if ((Boolean) v != expected) {
        out.add(new Violation(path.toString(), "bool.const", "value must equal " + expected));
      }
    };
  }

  private static Check enumCheck(EnumRules r) {
    if (!r.hasConst() && !r.getDefinedOnly() && r.getInCount() == 0 && r.getNotInCount() == 0) {
      return null;
    }
    Set<Integer> in = Set.copyOf(r.getInList());
    Set<Integer> notIn = Set.copyOf(r.getNotInList());
    return (v, path, out) -> {
      EnumValueDescriptor e = (EnumValueDescriptor) v;
      int n = e.getNumber();
      if (r.hasConst() && n != r.getConst()) {
        out.add(new Violation(path.toString(), "enum.const", "value must equal " + r.getConst() + ", is " + n));
      }
      if (r.getDefinedOnly() && e.getType().findValueByNumber(n) == null) {
        out.add(new Violation(path.toString(), "enum.defined_only",
            "value must be one of the defined " + e.getType().getName() + " values, is " + n));
      }
      if (!in.isEmpty() && !in.contains(n)) {
        out.add(new Violation(path.toString(), "enum.in", "value must be in " + in + ", is " + n));
      }
      if (notIn.contains(n)) {
        out.add(new Violation(path.toString(), "enum.not_in", "value must not be in " + notIn + ", is " + n));
      }
    };
  }

  // --- string ------------------------------------------------------------------------------------------------------

  private static Check string(StringRules r) {
    com.google.re2j.Pattern pattern = r.hasPattern() ? com.google.re2j.Pattern.compile(r.getPattern()) : null;
    Set<String> in = Set.copyOf(new HashSet<>(r.getInList()));
    Set<String> notIn = Set.copyOf(new HashSet<>(r.getNotInList()));
    boolean strict = !r.hasStrict() || r.getStrict();
    boolean codePoints = r.hasLen() || r.hasMinLen() || r.hasMaxLen();
    boolean bytes = r.hasLenBytes() || r.hasMinBytes() || r.hasMaxBytes();
    return (v, path, out) -> {
      String s = (String) v;
      if (r.getIgnoreEmpty() && s.isEmpty()) {
        return;
      }
      if (r.hasConst() && !s.equals(r.getConst())) {
        out.add(violation(path, "string.const", "value must equal '" + r.getConst() + "'"));
      }
      if (codePoints) {
        long n = s.codePointCount(0, s.length());
        if (r.hasLen() && n != r.getLen()) {
          out.add(violation(path, "string.len", "value length must be " + r.getLen() + " characters, is " + n));
        }
        if (r.hasMinLen() && n < r.getMinLen()) {
          out.add(violation(path, "string.min_len",
              "value length must be at least " + r.getMinLen() + " characters, is " + n));
        }
        if (r.hasMaxLen() && n > r.getMaxLen()) {
          out.add(violation(path, "string.max_len",
              "value length must be at most " + r.getMaxLen() + " characters, is " + n));
        }
      }
      if (bytes) {
        long n = utf8Length(s);
        if (r.hasLenBytes() && n != r.getLenBytes()) {
          out.add(violation(path, "string.len_bytes", "value must be " + r.getLenBytes() + " bytes, is " + n));
        }
        if (r.hasMinBytes() && n < r.getMinBytes()) {
          out.add(violation(path, "string.min_bytes", "value must be at least " + r.getMinBytes() + " bytes"));
        }
        if (r.hasMaxBytes() && n > r.getMaxBytes()) {
          out.add(violation(path, "string.max_bytes", "value must be at most " + r.getMaxBytes() + " bytes"));
        }
      }
      if (pattern != null && !pattern.matcher(s).find()) {
        out.add(violation(path, "string.pattern", "value does not match regex pattern '" + r.getPattern() + "'"));
      }
      if (r.hasPrefix() && !s.startsWith(r.getPrefix())) {
        out.add(violation(path, "string.prefix", "value must start with '" + r.getPrefix() + "'"));
      }
      if (r.hasSuffix() && !s.endsWith(r.getSuffix())) {
        out.add(violation(path, "string.suffix", "value must end with '" + r.getSuffix() + "'"));
      }
      if (r.hasContains() && !s.contains(r.getContains())) {
        out.add(violation(path, "string.contains", "value must contain '" + r.getContains() + "'"));
      }
      if (r.hasNotContains() && s.contains(r.getNotContains())) {
        out.add(violation(path, "string.not_contains", "value must not contain '" + r.getNotContains() + "'"));
      }
      if (!in.isEmpty() && !in.contains(s)) {
        out.add(violation(path, "string.in", "value must be one of " + in));
      }
      if (notIn.contains(s)) {
        out.add(violation(path, "string.not_in", "value must not be one of " + notIn));
      }
      switch (r.getWellKnownCase()) {
        case EMAIL -> check(r.getEmail() && !isEmail(s), path, "string.email", "value must be an email address", out);
        case HOSTNAME -> check(r.getHostname() && !isHostname(s), path, "string.hostname",
            "value must be a valid hostname", out);
        case IP -> check(r.getIp() && !InetAddresses.isInetAddress(s), path, "string.ip",
            "value must be a valid IP address", out);
        case IPV4 -> check(r.getIpv4() && !(InetAddresses.isInetAddress(s) && !s.contains(":")), path,
            "string.ipv4", "value must be a valid IPv4 address", out);
        case IPV6 -> check(r.getIpv6() && !(InetAddresses.isInetAddress(s) && s.contains(":")), path,
            "string.ipv6", "value must be a valid IPv6 address", out);
        case URI -> check(r.getUri() && !isUri(s, true), path, "string.uri", "value must be an absolute URI", out);
        case URI_REF -> check(r.getUriRef() && !isUri(s, false), path, "string.uri_ref",
            "value must be a URI reference", out);
        case ADDRESS -> check(r.getAddress() && !(isHostname(s) || InetAddresses.isInetAddress(s)), path,
            "string.address", "value must be a valid hostname or IP address", out);
        case UUID -> check(r.getUuid() && !UUID.matcher(s).matches(), path, "string.uuid",
            "value must be a UUID", out);
        case WELL_KNOWN_REGEX -> {
          switch (r.getWellKnownRegex()) {
            case HTTP_HEADER_NAME -> check(!isHeaderName(s, strict), path, "string.well_known_regex",
                "value must be a valid HTTP header name" + (strict ? "" : " (no NUL, CR or LF)"), out);
            case HTTP_HEADER_VALUE -> check(!isHeaderValue(s, strict), path, "string.well_known_regex",
                "value must be a valid HTTP header value" + (strict ? "" : " (no NUL, CR or LF)"), out);
            default -> { }
          }
        }
        case WELLKNOWN_NOT_SET -> { }
      }
    };
  }

  private static final java.util.regex.Pattern UUID =
      java.util.regex.Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private static void check(boolean failed, ProtoConstraintValidator.Path path, String rule, String message,
      List<Violation> out) {
    if (failed) {
      out.add(violation(path, rule, message));
    }
  }

  private static Violation violation(ProtoConstraintValidator.Path path, String rule, String message) {
    return new Violation(path.toString(), rule, message);
  }

  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /**
   * PGV's HTTP_HEADER_NAME: strict {@code ^:?[0-9a-zA-Z!#$%&'*+-.^_|~\x60]+$} (note {@code +-.} is a range and
   * admits ','); non-strict is PGV's HEADER_STRING {@code ^[^\u0000\u000A\u000D]*$}, which admits the empty
   * string (Envoy relies on that, e.g. for an unset {@code ClusterWeight.cluster_header}).
   */
  static boolean isHeaderName(String s, boolean strict) {
    if (!strict) {
      return noNulCrLf(s);
    }
    if (s.isEmpty()) {
      return false;
    }
    int start = s.charAt(0) == ':' ? 1 : 0;
    if (start == s.length()) {
      return false;
    }
    for (int i = start; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
          || (c >= '+' && c <= '.') || "!#$%&'^_|~`".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** PGV's HTTP_HEADER_VALUE: strict {@code ^[^\u0000-\u0008\u000A-\u001F\u007F]*$}, non-strict no NUL, CR, LF. */
  static boolean isHeaderValue(String s, boolean strict) {
    if (!strict) {
      return noNulCrLf(s);
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x08 || (c >= 0x0A && c <= 0x1F) || c == 0x7F) {
        return false;
      }
    }
    return true;
  }

  private static boolean noNulCrLf(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0 || c == '\n' || c == '\r') {
        return false;
      }
    }
    return true;
  }

  /** RFC 1123 hostname as PGV checks it: at most 253 characters, labels of 1–63 [A-Za-z0-9-] not starting or ending with '-'. */
  static boolean isHostname(String s) {
    if (s.endsWith(".")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.isEmpty() || s.length() > 253) {
      return false;
    }
    for (String label : s.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean isEmail(String s) {
    int at = s.lastIndexOf('@');
    if (s.length() > 254 || at <= 0 || at > 64) {
      return false;
    }
    return isHostname(s.substring(at + 1));
  }

  private static boolean isUri(String s, boolean absolute) {
    try {
      URI uri = new URI(s);
      return !absolute || uri.isAbsolute();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  // --- bytes ---------------------------------------------------------------------------------------------------------

  private static Check bytes(BytesRules r) {
    com.google.re2j.Pattern pattern = r.hasPattern() ? com.google.re2j.Pattern.compile(r.getPattern()) : null;
    Set<ByteString> in = Set.copyOf(r.getInList());
    Set<ByteString> notIn = Set.copyOf(r.getNotInList());
    return (v, path, out) -> {
      ByteString b = (ByteString) v;
      if (r.getIgnoreEmpty() && b.isEmpty()) {
        return;
      }
      int n = b.size();
      check(r.hasConst() && !b.equals(r.getConst()), path, "bytes.const", "value must equal the constant", out);
      check(r.hasLen() && n != r.getLen(), path, "bytes.len", "value must be " + r.getLen() + " bytes, is " + n, out);
      check(r.hasMinLen() && n < r.getMinLen(), path, "bytes.min_len",
          "value must be at least " + r.getMinLen() + " bytes, is " + n, out);
      check(r.hasMaxLen() && n > r.getMaxLen(), path, "bytes.max_len",
          "value must be at most " + r.getMaxLen() + " bytes, is " + n, out);
      check(pattern != null && !pattern.matcher(b.toString(StandardCharsets.UTF_8)).find(), path, "bytes.pattern",
          "value does not match regex pattern '" + r.getPattern() + "'", out);
      check(r.hasPrefix() && !b.startsWith(r.getPrefix()), path, "bytes.prefix", "value has the wrong prefix", out);
      check(r.hasSuffix() && !b.endsWith(r.getSuffix()), path, "bytes.suffix", "value has the wrong suffix", out);
      check(r.hasContains() && indexOf(b, r.getContains()) < 0, path, "bytes.contains",
          "value must contain the given bytes", out);
      check(!in.isEmpty() && !in.contains(b), path, "bytes.in", "value must be one of the allowed values", out);
      check(notIn.contains(b), path, "bytes.not_in", "value must not be one of the forbidden values", out);
      check(r.getIp() && n != 4 && n != 16, path, "bytes.ip", "value must be an IP address (4 or 16 bytes)", out);
      check(r.getIpv4() && n != 4, path, "bytes.ipv4", "value must be an IPv4 address (4 bytes)", out);
      check(r.getIpv6() && n != 16, path, "bytes.ipv6", "value must be an IPv6 address (16 bytes)", out);
    };
  }

  private static int indexOf(ByteString haystack, ByteString needle) {
    outer:
    for (int i = 0; i + needle.size() <= haystack.size(); i++) {
      for (int j = 0; j < needle.size(); j++) {
        if (haystack.byteAt(i + j) != needle.byteAt(j)) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
