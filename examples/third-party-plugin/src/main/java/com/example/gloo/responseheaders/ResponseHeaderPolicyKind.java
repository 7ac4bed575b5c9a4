package com.example.gloo.responseheaders;

import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.policy.Violation;
import io.gloo.spi.translate.PolicyTranslator;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code policies.example.com/v1alpha1 ResponseHeaderPolicy}: what Gloo needs to know about the kind. Gloo watches
 * resources of this kind, binds their {@code spec} to {@link ResponseHeaderPolicySpec}, rejects those
 * {@link #validate} finds fault with, attaches the rest (ExtensionRef filters, targetRefs), merges the
 * {@code options} of several policies on the same route, and hands the result to {@link #translator()}.
 */
public final class ResponseHeaderPolicyKind implements PolicyKind<ResponseHeaderPolicySpec> {

  public static final GroupKind GROUP_KIND = new GroupKind("policies.example.com", "ResponseHeaderPolicy");

  private static final PolicyTranslator<ResponseHeaderPolicySpec> TRANSLATOR = new ResponseHeaderTranslator();

  @Override
  public GroupKind groupKind() {
    return GROUP_KIND;
  }

  @Override
  public String version() {
    return "v1alpha1";
  }

  @Override
  public Class<ResponseHeaderPolicySpec> specType() {
    return ResponseHeaderPolicySpec.class;
  }

  @Override
  public Set<Attachment> attachments() {
    return EnumSet.of(Attachment.EXTENSION_REF, Attachment.TARGET_REF);
  }

  /** Several policies on one route: the higher-priority one keeps each of add/remove it sets. */
  @Override
  public String mergeField() {
    return "options";
  }

  /** Security headers are often why this policy exists: if it cannot be applied, the route answers 500. */
  @Override
  public boolean failOpen() {
    return false;
  }

  @Override
  public List<Violation> validate(ResponseHeaderPolicySpec spec) {
    List<Violation> violations = new ArrayList<>();
    ResponseHeaderPolicySpec.Options options = spec.options();
    if (options == null || (options.add().isEmpty() && options.remove().isEmpty())) {
      violations.add(new Violation("options", "set add, remove or both"));
      return violations;
    }
    for (String field : options.unknown().keySet()) {
      violations.add(new Violation("options." + field, "unknown field"));
    }
    for (Map.Entry<String, String> header : options.add().entrySet()) {
      String field = "options.add[" + header.getKey() + "]";
      checkName(field, header.getKey(), violations);
      String value = header.getValue();
      if (value == null) {
        violations.add(new Violation(field, "needs a value"));
      } else if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
        violations.add(new Violation(field, "the value must not contain CR, LF or NUL"));
      }
    }
    for (int i = 0; i < options.remove().size(); i++) {
      checkName("options.remove[" + i + "]", options.remove().get(i), violations);
    }
    return violations;
  }

  private static void checkName(String field, String name, List<Violation> violations) {
    if (!isToken(name)) {
      violations.add(new Violation(field, "'" + name + "' is not a valid header name (an RFC 9110 token)"));
    } else if (name.toLowerCase(Locale.ROOT).equals("host")) {
      violations.add(new Violation(field, "host cannot be modified"));
    }
  }

  /** RFC 9110 token: one or more of {@code !#$%&'*+-.^_`|~}, digits and letters. */
  static boolean isToken(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  @Override
  public PolicyTranslator<ResponseHeaderPolicySpec> translator() {
    return TRANSLATOR;
  }
}
