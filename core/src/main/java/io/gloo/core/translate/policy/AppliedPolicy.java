package io.gloo.core.translate.policy;

import io.gloo.spi.policy.PolicyRef;
import java.util.List;
import java.util.Map;

/**
 * The policy of one kind that applies to one route, virtual host or backend, after merging: its typed spec and
 * which resource set which field.
 *
 * @param contributors the policies whose fields make up {@code spec}, highest priority first
 * @param fieldOwners for merged kinds, each top-level field of the merge object and the policy that set it
 * @param spec the merged spec, bound to the kind's spec type
 */
public record AppliedPolicy(RegisteredKind kind, List<PolicyRef> contributors, Map<String, PolicyRef> fieldOwners,
    Object spec) {

  public AppliedPolicy {
    contributors = List.copyOf(contributors);
    fieldOwners = Map.copyOf(fieldOwners);
  }

  /** The policy a spec field (e.g. {@code options.retries.numRetries}) came from. */
  public PolicyRef ownerOf(String field) {
    String mergeField = kind.kind().mergeField();
    if (mergeField != null && field != null && field.startsWith(mergeField + ".")) {
      String top = field.substring(mergeField.length() + 1);
      int dot = top.indexOf('.');
      PolicyRef owner = fieldOwners.get(dot < 0 ? top : top.substring(0, dot));
      if (owner != null) {
        return owner;
      }
    }
    return contributors.get(0);
  }
}
