package io.gloo.spi.policy;

import io.gloo.spi.translate.PolicyTranslator;
import java.util.List;
import java.util.Set;

/**
 * Fields of another plugin's kind that this plugin translates (e.g. RouteOption {@code options.extauth}).
 *
 * @param <F> bound from an object holding just the claimed fields
 */
public interface FieldExtension<F> {

  /** The kind whose merge object carries the fields. */
  GroupKind target();

  /** Top-level fields of the target's merge object. */
  Set<String> fields();

  Class<F> type();

  /** Violations with field paths relative to spec, e.g. {@code options.extauth.configRef.name}. */
  default List<Violation> validate(F value) {
    return List.of();
  }

  PolicyTranslator<F> translator();
}
