package io.gloo.plugins.common;

import io.gloo.spi.policy.Violation;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Regex checks. Envoy uses RE2; this approximates with java.util.regex (RE2 is a near subset for what it accepts),
 * and additionally refuses the constructs RE2 does not have (backreferences, lookaround).
 */
public final class Regexes {
  private static final Pattern NOT_RE2 = Pattern.compile("\\\\[1-9]|\\(\\?[=!<]");

  private Regexes() {}

  public static void check(String regex, String field, List<Violation> out) {
    if (regex == null || regex.isEmpty()) {
      out.add(new Violation(field, "regex is required"));
      return;
    }
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      out.add(new Violation(field, "invalid regex: " + e.getDescription()));
      return;
    }
    if (NOT_RE2.matcher(regex).find()) {
      out.add(new Violation(field, "backreferences and lookaround are not supported by RE2"));
    }
  }
}
