package io.gloo.spi.translate;

import io.gloo.spi.policy.PolicyRef;
import java.util.List;

/** What every translator call gets: where it is, who asks, and where to report. */
public interface TranslationContext {

  /** The Gateway being translated, as {@code namespace/name}. */
  String gateway();

  /**
   * The policies whose fields make up the merged spec, highest priority first (one element when nothing was
   * merged).
   */
  List<PolicyRef> policies();

  /** Where warnings and errors go; they become the status of the policy that set the field. */
  Diagnostics diagnostics();

  /** Read-only access to other resources; every lookup is recorded as a dependency. */
  ResourceLookup lookup();

  /** Resources the policy needs besides what it edits, e.g. the cluster of an external service. */
  ExtraResources extra();
}
