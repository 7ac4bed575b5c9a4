package io.gloo.core.translate.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Which policy sets each top-level field of a merge object (e.g. RouteOption {@code options}) on a delegated route,
 * following Gloo's delegation merge: the child rule's own policies merge first (the first to set a field keeps it),
 * then each ancestor, nearest first, is merged over the result: a field the ancestor sets replaces the child's value
 * unless the ancestor lets its children override that field; fields the ancestor does not set keep the child's value.
 * Losing fields are reported on the policy that lost them. Stateless apart from the reports it writes.
 */
final class DelegatedFields {

  /** The owners of the merged fields and the policies that contributed, child level first. */
  record Result(Map<String, PolicyResource> owners, List<PolicyResource> contributors) {}

  private DelegatedFields() {}

  /** {@code levels}: one kind's policies per level, child first (see {@link DelegationLevel}). */
  static Result merge(List<DelegationLevel> levels, String mergeField, PolicyReports reports, String where) {
    Map<String, PolicyResource> owners = new LinkedHashMap<>();
    for (int i = 0; i < levels.size(); i++) {
      Map<String, PolicyResource> own = firstWins(levels.get(i).ordered(), mergeField, reports, where);
      if (i == 0) {
        owners.putAll(own);
        continue;
      }
      DelegationLevel level = levels.get(i);
      for (Map.Entry<String, PolicyResource> e : own.entrySet()) {
        String field = e.getKey();
        PolicyResource child = owners.get(field);
        if (child == null) {
          owners.put(field, e.getValue());
        } else if (level.childMayOverride(field)) {
          reports.lost(e.getValue().ref(), mergeField + "." + field, child.ref(), where);
        } else {
          owners.put(field, e.getValue());
          reports.lost(child.ref(), mergeField + "." + field, e.getValue().ref(), where);
        }
      }
    }
    // identity, never equals: see PolicyResolver#identitySet
    java.util.Set<PolicyResource> owning = PolicyResolver.identitySet();
    owning.addAll(owners.values());
    java.util.Set<PolicyResource> contributors = PolicyResolver.identitySet();
    for (DelegationLevel level : levels) {
      for (PolicyResource p : level.ordered()) {
        if (owning.contains(p)) {
          contributors.add(p);
        }
        reports.attached(p.ref(), where, owning.contains(p));
      }
    }
    return new Result(owners, new ArrayList<>(contributors));
  }

  /**
   * For a kind without a merge object: the whole policy of the nearest level that has one, unless an ancestor lets
   * its children override everything ({@code *}) and the child has one.
   */
  static PolicyResource winner(List<DelegationLevel> levels, PolicyReports reports, String where) {
    PolicyResource winner = null;
    for (DelegationLevel level : levels) {
      if (level.ordered().isEmpty()) {
        continue;
      }
      PolicyResource own = level.ordered().get(0);
      if (winner == null || !level.childMayOverride(DelegationLevel.ALL_FIELDS)) {
        if (winner != null) {
          reports.lost(winner.ref(), "spec", own.ref(), where);
        }
        winner = own;
      } else {
        reports.lost(own.ref(), "spec", winner.ref(), where);
      }
    }
    for (DelegationLevel level : levels) {
      for (PolicyResource p : level.ordered()) {
        reports.attached(p.ref(), where, p == winner);
      }
    }
    return winner;
  }

  private static Map<String, PolicyResource> firstWins(List<PolicyResource> ordered, String mergeField,
      PolicyReports reports, String where) {
    Map<String, PolicyResource> owners = new LinkedHashMap<>();
    for (PolicyResource p : ordered) {
      for (Map.Entry<String, JsonNode> field : p.spec().path(mergeField).properties()) {
        PolicyResource owner = owners.putIfAbsent(field.getKey(), p);
        if (owner != null) {
          reports.lost(p.ref(), mergeField + "." + field.getKey(), owner.ref(), where);
        }
      }
    }
    return owners;
  }
}
