package io.gloo.spi.policy;

import io.gloo.spi.translate.PolicyTranslator;
import java.util.List;
import java.util.Set;

/**
 * A kind of policy resource a plugin serves: its type, how it attaches, how to validate it, and its translator.
 * Core watches resources of this kind, deserialises their {@code spec} into {@link #specType()} with Jackson,
 * resolves attachments, merges policies that apply to the same place, and calls the translator.
 *
 * @param <S> the spec type (a Jackson-bindable class or record; unknown fields should be kept or rejected by the
 *     plugin's {@link #validate}, never silently dropped)
 */
public interface PolicyKind<S> {

  GroupKind groupKind();

  /** The API version served, e.g. {@code v1}; {@code apiVersion} is {@code group/version}. */
  String version();

  Class<S> specType();

  Set<Attachment> attachments();

  /**
   * The object in {@code spec} whose top-level fields are shallow-merged when several policies of this kind apply
   * to the same route or virtual host (Gloo's {@code options}); the higher-priority policy keeps every field it
   * sets. Null means no merge: the single highest-priority policy applies.
   */
  default String mergeField() {
    return null;
  }

  /** Checks a spec; each violation names the field. A policy with violations is rejected and not applied. */
  default List<Violation> validate(S spec) {
    return List.of();
  }

  /**
   * Whether the traffic it governs may proceed without it when its translator fails. False (the default) fails
   * closed: the affected route answers 500.
   */
  default boolean failOpen() {
    return false;
  }

  /** Spec fields this kind recognises but does not implement; their use is reported as unsupported. */
  default Set<String> unsupportedFields() {
    return Set.of();
  }

  /**
   * Of the {@link #unsupportedFields}, those that guard traffic (authentication, authorization, a WAF): where one is
   * set and no loaded plugin's {@link FieldExtension} translates it, the route — or every route of the virtual host
   * — answers 500 rather than serving without the protection the policy asks for. Paths like
   * {@link #unsupportedFields}, top-level fields of the merge object (e.g. {@code options.extauth}).
   */
  default Set<String> failClosedFields() {
    return Set.of();
  }

  PolicyTranslator<S> translator();

  /** Receives every valid policy of this kind after each translation (e.g. to feed a service); null for none. */
  default PolicySink<S> sink() {
    return null;
  }

  /** The shape of this kind's status. */
  default StatusStyle statusStyle() {
    return StatusStyle.GLOO_NAMESPACED;
  }
}
