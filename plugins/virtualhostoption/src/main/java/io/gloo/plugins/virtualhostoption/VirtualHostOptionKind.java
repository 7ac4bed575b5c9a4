package io.gloo.plugins.virtualhostoption;

import io.gloo.plugins.common.GlooKind;
import io.gloo.plugins.common.GuardOptions;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.translate.PolicyTranslator;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code gateway.solo.io/v1} VirtualHostOption: attached by targetRefs to a Gateway (optionally one listener by
 * {@code sectionName}); listener-specific options first, then Gateway-wide ones, shallow-merged over
 * {@code options}.
 */
public final class VirtualHostOptionKind extends GlooKind<VirtualHostOptionSpec> {

  public static final GroupKind GROUP_KIND = new GroupKind("gateway.solo.io", "VirtualHostOption");

  private static final Set<String> UNSUPPORTED;

  static {
    Set<String> fields = new TreeSet<>();
    VirtualHostOptions.UNSUPPORTED.forEach(f -> fields.add("options." + f));
    UNSUPPORTED = Collections.unmodifiableSet(fields);
  }

  private final VirtualHostOptionTranslator translator = new VirtualHostOptionTranslator();

  public VirtualHostOptionKind() {
    super(GROUP_KIND, "v1", VirtualHostOptionSpec.class, Attachment.TARGET_REF);
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
    return GuardOptions.failClosed(VirtualHostOptions.UNSUPPORTED);
  }

  @Override
  public PolicyTranslator<VirtualHostOptionSpec> translator() {
    return translator;
  }
}
