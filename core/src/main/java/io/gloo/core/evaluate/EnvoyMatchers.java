package io.gloo.core.evaluate;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Envoy's string, header and query parameter matchers, and its RE2 regex use, evaluated on plain Java values. */
public final class EnvoyMatchers {

  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  private EnvoyMatchers() {}

  /** Compiles with RE2 semantics (Envoy's only regex engine); an invalid pattern is an invalid config. */
  static Pattern pattern(String regex) {
    return PATTERNS.computeIfAbsent(regex, r -> {
      try {
        return Pattern.compile(r);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("invalid RE2 regex '" + r + "': " + e.getMessage(), e);
      }
    });
  }

  /** Envoy's safe_regex matching is RE2::FullMatch: the whole value must match, not a substring. */
  public static boolean regexFullMatch(String regex, String value) {
    return pattern(regex).matcher(value).matches();
  }

  /**
   * Envoy's regex_rewrite is RE2::GlobalReplace: every non-overlapping match is replaced; in the substitution
   * {@code \N} is capture group N ({@code \0} the whole match) and {@code \\} a backslash.
   */
  public static String regexReplaceAll(RegexMatchAndSubstitute rewrite, String value) {
    Matcher m = pattern(rewrite.getPattern().getRegex()).matcher(value);
    StringBuilder out = new StringBuilder();
    int copied = 0;
    int searchFrom = 0;
    int lastEnd = -1;
    while (searchFrom <= value.length() && m.find(searchFrom)) {
      if (m.start() == m.end() && m.start() == lastEnd) {
        // RE2::GlobalReplace allows no empty match where the previous match ended: skip a character
        searchFrom = m.start() + 1;
        continue;
      }
      out.append(value, copied, m.start());
      appendSubstitution(out, rewrite.getSubstitution(), m);
      copied = m.end();
      lastEnd = m.end();
      searchFrom = m.end() == m.start() ? m.end() + 1 : m.end();
    }
    if (copied < value.length()) {
      out.append(value, copied, value.length());
    }
    return out.toString();
  }

  private static void appendSubstitution(StringBuilder out, String substitution, Matcher m) {
    for (int i = 0; i < substitution.length(); i++) {
      char c = substitution.charAt(i);
      if (c == '\\' && i + 1 < substitution.length()) {
        char next = substitution.charAt(i + 1);
        if (Character.isDigit(next)) {
          String g = m.group(next - '0');
          out.append(g == null ? "" : g);
          i++;
          continue;
        }
        if (next == '\\') {
          out.append('\\');
          i++;
          continue;
        }
      }
      out.append(c);
    }
  }

  /**
   * Envoy's StringMatcher: exact/prefix/suffix/contains compare literally, or ASCII case-insensitively with
   * ignore_case; safe_regex is a full match and ignores ignore_case.
   */
  public static boolean matches(StringMatcher m, String value) {
    boolean ic = m.getIgnoreCase();
    String v = ic ? value.toLowerCase(Locale.ROOT) : value;
    return switch (m.getMatchPatternCase()) {
      case EXACT -> v.equals(ic ? m.getExact().toLowerCase(Locale.ROOT) : m.getExact());
      case PREFIX -> v.startsWith(ic ? m.getPrefix().toLowerCase(Locale.ROOT) : m.getPrefix());
      case SUFFIX -> v.endsWith(ic ? m.getSuffix().toLowerCase(Locale.ROOT) : m.getSuffix());
      case CONTAINS -> v.contains(ic ? m.getContains().toLowerCase(Locale.ROOT) : m.getContains());
      case SAFE_REGEX -> regexFullMatch(m.getSafeRegex().getRegex(), value);
      // custom matchers are extensions we do not evaluate; Envoy would need the extension anyway
      case CUSTOM, MATCHPATTERN_NOT_SET -> throw new UnsupportedOperationException(
          "string matcher " + m.getMatchPatternCase() + " is not supported by the evaluator");
    };
  }

  /**
   * Envoy's HeaderMatcher over the request headers (pseudo headers included). The value matched is every value of
   * the header joined with ','. An absent header never matches, invert_match or not, unless
   * treat_missing_header_as_empty; present_match compares presence with its value, then invert_match flips it; a
   * matcher with no match specifier is a presence match.
   */
  public static boolean matches(HeaderMatcher m, HeaderMap headers) {
    String value = headers.getJoined(m.getName());
    if (m.getHeaderMatchSpecifierCase() == HeaderMatcher.HeaderMatchSpecifierCase.PRESENT_MATCH
        || m.getHeaderMatchSpecifierCase() == HeaderMatcher.HeaderMatchSpecifierCase.HEADERMATCHSPECIFIER_NOT_SET) {
      boolean want = m.getHeaderMatchSpecifierCase() != HeaderMatcher.HeaderMatchSpecifierCase.PRESENT_MATCH
          || m.getPresentMatch();
      return ((value != null) == want) != m.getInvertMatch();
    }
    if (value == null) {
      if (!m.getTreatMissingHeaderAsEmpty()) {
        return false;
      }
      value = "";
    }
    boolean matched = switch (m.getHeaderMatchSpecifierCase()) {
      case EXACT_MATCH -> value.equals(m.getExactMatch());
      case SAFE_REGEX_MATCH -> regexFullMatch(m.getSafeRegexMatch().getRegex(), value);
      // range_match: the value is a signed integer with start <= value < end
      case RANGE_MATCH -> {
        try {
          long n = Long.parseLong(value);
          yield n >= m.getRangeMatch().getStart() && n < m.getRangeMatch().getEnd();
        } catch (NumberFormatException e) {
          yield false;
        }
      }
      case PREFIX_MATCH -> value.startsWith(m.getPrefixMatch());
      case SUFFIX_MATCH -> value.endsWith(m.getSuffixMatch());
      case CONTAINS_MATCH -> value.contains(m.getContainsMatch());
      case STRING_MATCH -> matches(m.getStringMatch(), value);
      default -> throw new IllegalStateException();
    };
    return matched != m.getInvertMatch();
  }

  /** Every header matcher must match (Envoy ANDs them). */
  public static boolean allMatch(List<HeaderMatcher> matchers, HeaderMap headers) {
    for (HeaderMatcher m : matchers) {
      if (!matches(m, headers)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Envoy's QueryParameterMatcher: an absent parameter never matches; present_match matches any value; string_match
   * is applied to the first value of the parameter, percent-decoded.
   */
  public static boolean matches(QueryParameterMatcher m, Map<String, String> firstValues) {
    String value = firstValues.get(m.getName());
    if (value == null) {
      return false;
    }
    if (m.hasStringMatch()) {
      return matches(m.getStringMatch(), value);
    }
    return true;
  }

  /** Envoy's query string parsing: name=value pairs split on '&', percent-decoded, the first value of a name kept. */
  public static Map<String, String> queryParameters(String pathWithQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    int q = pathWithQuery.indexOf('?');
    if (q < 0) {
      return params;
    }
    String query = pathWithQuery.substring(q + 1);
    int hash = query.indexOf('#');
    if (hash >= 0) {
      query = query.substring(0, hash);
    }
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = percentDecode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : percentDecode(pair.substring(eq + 1));
      params.putIfAbsent(name, value);
    }
    return params;
  }

  /** %XX decoding; malformed escapes are kept as they are. */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
        out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
