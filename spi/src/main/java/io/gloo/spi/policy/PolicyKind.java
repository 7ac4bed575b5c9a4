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
   * closed: the affected route answers 500. Ignored for {@link #failClosed()} kinds, which never fail open.
   */
  default boolean failOpen() {
    return false;
  }

  /**
   * Whether a policy of this kind guards traffic as a whole (authentication, authorization, a WAF), so that the
   * routes it targets must not serve without it. When such a policy is rejected (its spec does not bind or
   * validate) or the plugin that served the kind is no longer loaded, the routes it targets by {@code targetRefs}
   * (an HTTPRoute or one of its rules: those rules; a Gateway or one of its listeners: every route of its virtual
   * hosts) answer 500, exactly as a rule whose ExtensionRef does not resolve, and the HTTPRoute's and the policy's
   * statuses say why. Core remembers the kinds a plugin served while the server runs, so removing the plugin's jar
   * closes the routes rather than opening them. False (the default): a rejected or orphaned policy is reported and
   * not applied. A kind that guards only some fields lists them in {@link #failClosedFields()} instead: a rejected
   * or orphaned policy then closes its routes only if it sets one of them.
   */
  default boolean failClosed() {
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
   * {@link #unsupportedFields}, top-level fields of the merge object (e.g. {@code options.extauth}). A rejected
   * policy, or one whose plugin is no longer loaded, that sets one of them closes the routes it targets as a
   * {@link #failClosed()} kind's would.
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
