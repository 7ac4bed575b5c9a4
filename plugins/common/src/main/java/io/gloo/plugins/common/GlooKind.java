package io.gloo.plugins.common;

import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.policy.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A Gloo policy kind whose identity is fixed at construction (group/kind, version, spec type, attachments) and whose
 * spec, a {@link GlooObject}, validates itself ({@link GlooObject#validate(String, List)}): what every Gloo kind shares, so each kind class
 * states only what is its own (merge field, unsupported fields, translator, sink, status style).
 *
 * @param <S> the spec type
 */
public abstract class GlooKind<S> implements PolicyKind<S> {

  private final GroupKind groupKind;
  private final String version;
  private final Class<S> specType;
  private final Set<Attachment> attachments;

  protected GlooKind(GroupKind groupKind, String version, Class<S> specType, Attachment... attachments) {
    this.groupKind = groupKind;
    this.version = version;
    this.specType = specType;
    this.attachments = Set.of(attachments);
  }

  @Override
  public final GroupKind groupKind() {
    return groupKind;
  }

  @Override
  public final String version() {
    return version;
  }

  @Override
  public final Class<S> specType() {
    return specType;
  }

  @Override
  public final Set<Attachment> attachments() {
    return attachments;
  }

  /** The spec's own checks, field paths relative to {@code spec}. */
  @Override
  public List<Violation> validate(S spec) {
    List<Violation> out = new ArrayList<>();
    if (spec instanceof GlooObject object) {
      object.validate("", out);
    }
    return out;
  }
}
