package io.gloo.core.translate.policy;

import io.gloo.core.ir.BackendIR;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.translate.ResourceLookup;
import java.util.Optional;

/** Core's side of {@link ResourceLookup}: resolves backends that policies reference, on behalf of a policy. */
public interface BackendLookup extends ResourceLookup {

  /**
   * A backend of a plugin's kind referenced by policy {@code from}, obeying ReferenceGrants; empty when it does not
   * resolve.
   */
  Optional<BackendIR> backend(PolicyRef from, GroupKind kind, String namespace, String name);

  /**
   * The lookup a policy gets: Secrets outside its namespace only through a ReferenceGrant from the policy's kind;
   * everything else as this lookup answers it.
   */
  ResourceLookup forPolicy(PolicyRef from);
}
