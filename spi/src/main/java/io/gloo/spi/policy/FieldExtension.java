package io.gloo.spi.policy;

import io.gloo.spi.translate.PolicyTranslator;
import java.util.List;
import java.util.Set;

/**
 * Fields of another plugin's policy kind that this plugin translates. Gloo's rate-limit and ext-auth features are
 * configured on RouteOption and VirtualHostOption ({@code options.rateLimitConfigs}, {@code options.extauth}) but
 * belong with the services that enforce them; an extension lets the plugin that owns the service translate them
 * without the option plugins knowing about it.
 *
 * <p>Core first merges the target kind at a route or virtual host (Gloo's shallow merge over its merge object), then
 * binds the claimed fields that are set into {@link #type()}, validates them, and calls {@link #translator()} exactly
 * like a policy kind's translator. Reports name fields relative to {@code spec} (e.g.
 * {@code options.extauth.configRef}) and go to the policy that set the field. A field claimed by a loaded extension
 * is not reported as unsupported by the target kind.
 *
 * @param <F> an object whose properties are the claimed fields (Jackson-bound from an object holding only them)
 */
public interface FieldExtension<F> {

  /** The kind whose fields are claimed, e.g. {@code gateway.solo.io/RouteOption}. */
  GroupKind target();

  /** The claimed top-level fields of the target kind's merge object (e.g. {@code extauth} under {@code options}). */
  Set<String> fields();

  Class<F> type();

  /**
   * Checks the claimed fields; field paths are relative to {@code spec}. With violations the extension is not
   * applied and the route answers 500 (fail closed); the violations become the owning policy's status.
   */
  default List<Violation> validate(F value) {
    return List.of();
  }

  PolicyTranslator<F> translator();
}
