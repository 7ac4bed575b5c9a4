package io.gloo.core.translate.policy;

import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.policy.Violation;
import io.gloo.spi.translate.ListenerContext;
import io.gloo.spi.translate.PolicyTranslator;
import io.gloo.spi.translate.RouteContext;
import io.gloo.spi.translate.StagedHttpFilter;
import io.gloo.spi.translate.VirtualHostContext;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.List;
import java.util.Set;

/**
 * A {@link FieldExtension} seen as a policy kind of its own, so that the applier treats the fields it claims like
 * any merged policy: same contexts, same fault containment, same fail-closed rule. Its group/kind is the target's
 * with the claimed fields appended (e.g. {@code gateway.solo.io/RouteOption[extauth]}), which names it in metrics
 * and messages.
 *
 * <p>The spec it hands the applier is either the extension's bound value or a {@link Rejected}, whose every
 * translator call fails, so a route whose claimed fields are invalid answers 500 instead of running without them.
 */
final class ExtensionKind<F> implements PolicyKind<Object> {

  /** Claimed fields that did not bind or validate; the message names each field. */
  record Rejected(String message) {}

  private final FieldExtension<F> extension;
  private final String mergeField;
  private final GroupKind groupKind;
  private final boolean unimplemented;

  ExtensionKind(FieldExtension<F> extension, String mergeField) {
    this(extension, mergeField, false);
  }

  /** @param unimplemented core's stand-in for fail-closed fields no plugin implements (see {@link #unimplemented}) */
  private ExtensionKind(FieldExtension<F> extension, String mergeField, boolean unimplemented) {
    this.extension = extension;
    this.mergeField = mergeField;
    this.unimplemented = unimplemented;
    this.groupKind = new GroupKind(extension.target().group(),
        extension.target().kind() + extension.fields().stream().sorted().toList().toString().replace(" ", ""));
  }

  FieldExtension<F> extension() {
    return extension;
  }

  /**
   * Core's stand-in for a kind's {@link PolicyKind#failClosedFields() fail-closed fields} that no loaded plugin
   * translates (e.g. {@code options.extauth} without the ext-auth plugin): it rejects them wherever they are set,
   * so the route answers 500 instead of serving without auth.
   */
  static ExtensionKind<Object> unimplemented(GroupKind target, String mergeField, Set<String> fields) {
    FieldExtension<Object> rejectAll = new FieldExtension<>() {
      @Override
      public GroupKind target() {
        return target;
      }

      @Override
      public Set<String> fields() {
        return fields;
      }

      @Override
      public Class<Object> type() {
        return Object.class;
      }

      @Override
      public List<Violation> validate(Object value) {
        return fields.stream().sorted().filter(f -> value instanceof java.util.Map<?, ?> m && m.containsKey(f))
            .map(f -> new Violation(mergeField + "." + f, "no loaded plugin implements it, and it guards traffic:"
                + " the route fails closed (500) rather than serving without it"))
            .toList();
      }

      @Override
      public PolicyTranslator<Object> translator() {
        return new PolicyTranslator<>() {};
      }
    };
    return new ExtensionKind<>(rejectAll, mergeField, true);
  }

  /** Whether this is core's stand-in for unimplemented fail-closed fields, not a plugin's extension. */
  boolean isUnimplemented() {
    return unimplemented;
  }

  /** The merge object of the target kind, e.g. {@code options}. */
  String targetMergeField() {
    return mergeField;
  }

  Set<String> fields() {
    return extension.fields();
  }

  @Override
  public GroupKind groupKind() {
    return groupKind;
  }

  @Override
  public String version() {
    return "";
  }

  @Override
  @SuppressWarnings("unchecked")
  public Class<Object> specType() {
    return (Class<Object>) extension.type();
  }

  @Override
  public Set<Attachment> attachments() {
    return Set.of();
  }

  @Override
  @SuppressWarnings("unchecked")
  public List<Violation> validate(Object value) {
    return extension.validate((F) value);
  }

  @Override
  public PolicyTranslator<Object> translator() {
    @SuppressWarnings("unchecked")
    PolicyTranslator<Object> inner = (PolicyTranslator<Object>) extension.translator();
    return new PolicyTranslator<>() {
      @Override
      public void route(RouteContext context, Object policy, Route.Builder route) {
        inner.route(context, valid(policy), route);
      }

      @Override
      public void virtualHost(VirtualHostContext context, Object policy, VirtualHost.Builder virtualHost) {
        inner.virtualHost(context, valid(policy), virtualHost);
      }

      @Override
      public List<StagedHttpFilter> httpFilters(ListenerContext context, Object policy) {
        return policy instanceof Rejected ? List.of() : inner.httpFilters(context, policy);
      }
    };
  }

  private static Object valid(Object policy) {
    if (policy instanceof Rejected rejected) {
      throw new IllegalArgumentException(rejected.message());
    }
    return policy;
  }
}
