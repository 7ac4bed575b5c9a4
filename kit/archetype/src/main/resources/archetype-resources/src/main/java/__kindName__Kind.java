package ${package};

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
 * {@code ${kindGroup}/${kindVersion} ${kindName}}: what Gloo needs to know about the kind. Gloo watches its
 * resources, binds {@code spec} to {@link ${kindName}Spec}, rejects what {@link #validate} finds fault with,
 * attaches the rest (ExtensionRef filters, targetRefs), merges the {@code options} of several policies on one route
 * and hands the result to {@link #translator()}.
 */
public final class ${kindName}Kind implements PolicyKind<${kindName}Spec> {

  public static final GroupKind GROUP_KIND = new GroupKind("${kindGroup}", "${kindName}");

  private static final PolicyTranslator<${kindName}Spec> TRANSLATOR = new ${kindName}Translator();

  @Override
  public GroupKind groupKind() {
    return GROUP_KIND;
  }

  @Override
  public String version() {
    return "${kindVersion}";
  }

  @Override
  public Class<${kindName}Spec> specType() {
    return ${kindName}Spec.class;
  }

  @Override
  public Set<Attachment> attachments() {
    return EnumSet.of(Attachment.EXTENSION_REF, Attachment.TARGET_REF);
  }

  /** Several policies on one route: the higher-priority one keeps each field of {@code options} it sets. */
  @Override
  public String mergeField() {
    return "options";
  }

  @Override
  public List<Violation> validate(${kindName}Spec spec) {
    List<Violation> violations = new ArrayList<>();
    ${kindName}Spec.Options options = spec.options();
    if (options == null || options.set().isEmpty()) {
      violations.add(new Violation("options.set", "set at least one header"));
      return violations;
    }
    for (String field : options.unknown().keySet()) {
      violations.add(new Violation("options." + field, "unknown field"));
    }
    for (Map.Entry<String, String> header : options.set().entrySet()) {
      String field = "options.set[" + header.getKey() + "]";
      if (!isToken(header.getKey()) || header.getKey().toLowerCase(Locale.ROOT).equals("host")) {
        violations.add(new Violation(field, "'" + header.getKey() + "' is not a header name this policy may set"));
      }
      String value = header.getValue();
      if (value == null || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
        violations.add(new Violation(field, "needs a value without CR, LF or NUL"));
      }
    }
    return violations;
  }

  /** RFC 9110 token: one or more of {@code !#$%&'*+-.^_`|~}, digits and letters. */
  static boolean isToken(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (char c : name.toCharArray()) {
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  @Override
  public PolicyTranslator<${kindName}Spec> translator() {
    return TRANSLATOR;
  }
}
