package io.gloo.core.translate.policy;

import com.google.errorprone.annotations.Immutable;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.translate.PolicyTranslator;
import java.util.Set;

/**
 * Core's stand-in for a policy kind that a plugin served earlier in this run and that no loaded plugin serves now
 * (its jar was removed, or a replacement failed to load), remembered because it guards traffic
 * ({@link PolicyKind#failClosed()} or {@link PolicyKind#failClosedFields()}). Its policies are indexed as rejected,
 * so that those that guard close the routes they target instead of leaving them open. It translates nothing.
 *
 * @param pluginId the plugin that last served the kind
 * @param guardsAll the kind's {@link PolicyKind#failClosed()}
 * @param guardedFields the kind's {@link PolicyKind#failClosedFields()} (spec paths, e.g. {@code options.extauth})
 */
@Immutable
public record AbsentKind(GroupKind groupKind, String pluginId, boolean guardsAll, Set<String> guardedFields)
    implements PolicyKind<Object> {

  public AbsentKind {
    guardedFields = Set.copyOf(guardedFields);
  }

  /** Why its policies are not applied, for statuses. */
  public String problem() {
    return groupKind + " is no longer served: plugin " + pluginId + ", which served it, is not loaded";
  }

  /** Why this policy of the kind is not applied, naming it. */
  public String problem(io.gloo.spi.policy.PolicyRef policy) {
    return policy + " is no longer served: plugin " + pluginId + ", which served it, is not loaded";
  }

  @Override
  public String version() {
    return "";
  }

  @Override
  public Class<Object> specType() {
    return Object.class;
  }

  @Override
  public Set<Attachment> attachments() {
    return Set.of(Attachment.TARGET_REF);
  }

  @Override
  public boolean failClosed() {
    return guardsAll;
  }

  @Override
  public Set<String> failClosedFields() {
    return guardedFields;
  }

  @Override
  public PolicyTranslator<Object> translator() {
    return new PolicyTranslator<>() {};
  }
}
