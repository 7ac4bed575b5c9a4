package io.gloo.plugins.routeoption;

import io.gloo.plugins.common.GlooKind;
import io.gloo.plugins.common.GuardOptions;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.translate.PolicyTranslator;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code gateway.solo.io/v1} RouteOption: attached by an HTTPRoute rule's ExtensionRef filter or by targetRefs to
 * an HTTPRoute, shallow-merged over {@code options}. Fails closed: a route whose RouteOption cannot be translated
 * answers 500.
 */
public final class RouteOptionKind extends GlooKind<RouteOptionSpec> {

  public static final GroupKind GROUP_KIND = new GroupKind("gateway.solo.io", "RouteOption");

  private static final Set<String> UNSUPPORTED;

  static {
    Set<String> fields = new TreeSet<>();
    RouteOptions.UNSUPPORTED.forEach(f -> fields.add("options." + f));
    UNSUPPORTED = java.util.Collections.unmodifiableSet(fields);
  }

  private final RouteOptionTranslator translator = new RouteOptionTranslator();

  public RouteOptionKind() {
    super(GROUP_KIND, "v1", RouteOptionSpec.class, Attachment.EXTENSION_REF, Attachment.TARGET_REF);
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
  public PolicyTranslator<RouteOptionSpec> translator() {
    return translator;
  }
}
