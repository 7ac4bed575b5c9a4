package io.gloo.plugins.routeoption;

import io.gloo.plugins.common.GuardOptions;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.policy.Violation;
import io.gloo.spi.translate.PolicyTranslator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code gateway.solo.io/v1} RouteOption: attached by an HTTPRoute rule's ExtensionRef filter or by targetRefs to
 * an HTTPRoute, shallow-merged over {@code options}. Fails closed: a route whose RouteOption cannot be translated
 * answers 500.
 */
public final class RouteOptionKind implements PolicyKind<RouteOptionSpec> {

  public static final GroupKind GROUP_KIND = new GroupKind("gateway.solo.io", "RouteOption");

  private static final Set<String> UNSUPPORTED;

  static {
    Set<String> fields = new TreeSet<>();
    RouteOptions.UNSUPPORTED.forEach(f -> fields.add("options." + f));
    UNSUPPORTED = java.util.Collections.unmodifiableSet(fields);
  }

  private final RouteOptionTranslator translator = new RouteOptionTranslator();

  @Override
  public GroupKind groupKind() {
    return GROUP_KIND;
  }

  @Override
  public String version() {
    return "v1";
  }

  @Override
  public Class<RouteOptionSpec> specType() {
    return RouteOptionSpec.class;
  }

  @Override
  public Set<Attachment> attachments() {
    return Set.of(Attachment.EXTENSION_REF, Attachment.TARGET_REF);
  }

  @Override
  public String mergeField() {
    return "options";
  }

  @Override
  public Set<String> unsupportedFields() {
    return UNSUPPORTED;
  }

  /** Unimplemented auth, WAF and DLP options fail the route closed unless another plugin implements them. */
  @Override
  public Set<String> failClosedFields() {
    return GuardOptions.failClosed(RouteOptions.UNSUPPORTED);
  }

  @Override
  public List<Violation> validate(RouteOptionSpec spec) {
    List<Violation> out = new ArrayList<>();
    spec.validate("", out);
    return out;
  }

  @Override
  public PolicyTranslator<RouteOptionSpec> translator() {
    return translator;
  }
}
