package io.gloo.core.translate.policy;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The policies of one route rule in a delegation chain (HTTPRoute delegation), unmerged, highest priority first, and
 * which of their fields the routes this rule delegates to may override (the parent HTTPRoute's
 * {@code delegation.gateway.solo.io/enable-policy-overrides} annotation). Level 0 is the delegated (child) rule; its
 * {@code overridable} is not read.
 *
 * @param overridable top-level field names of the merge object in lower case, or {@code *} for all; empty: the parent
 *     keeps every field it sets (Gloo's default)
 */
public record DelegationLevel(List<PolicyResource> ordered, Set<String> overridable) {

  public static final String ALL_FIELDS = "*";

  public DelegationLevel {
    ordered = List.copyOf(ordered);
    overridable = Set.copyOf(overridable);
  }

  /** Whether a child's value of {@code field} wins over this level's (Gloo compares field names in lower case). */
  public boolean childMayOverride(String field) {
    return overridable.contains(ALL_FIELDS) || overridable.contains(field.toLowerCase(Locale.ROOT));
  }
}
