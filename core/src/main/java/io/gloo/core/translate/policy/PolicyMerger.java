package io.gloo.core.translate.policy;

import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.policy.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gloo's shallow merge: policies of one kind that apply to the same place are combined field by field over the
 * top-level fields of the kind's merge object (e.g. {@code options}); the first policy, in priority order, to set a
 * field keeps it. Each losing field is reported on the policy that lost it, naming the winner. One instance per
 * translation (it caches the merged specs of each distinct combination).
 */
public final class PolicyMerger {

  private final PluginInvoker invoker;
  private final PolicyReports reports;
  private final PolicyIndex index;
  private final Map<List<PolicyRef>, AppliedPolicy> cache = new HashMap<>();
  /** Keyed by the target's applied policy, which the cache above makes one object per combination. */
  private final Map<AppliedPolicy, List<AppliedPolicy>> extensionCache = new IdentityHashMap<>();
  private final PolicyCatalog catalog;
  /** Delegated merges by field owners (the same contributors may own different fields through delegation). */
  private final Map<Map<String, PolicyRef>, AppliedPolicy> delegatedCache = new HashMap<>();

  public PolicyMerger(PluginInvoker invoker, PolicyReports reports, PolicyIndex index, PolicyCatalog catalog) {
    this.invoker = invoker;
    this.catalog = catalog;
    this.reports = reports;
    this.index = index;
  }

  /**
   * Merges {@code ordered} (one kind, highest priority first, valid policies only) for the place {@code where}.
   * Returns null when the list is empty.
   */
  public AppliedPolicy merge(List<PolicyResource> ordered, String where) {
    return mergeTarget(ordered, where);
  }

  /**
   * Like {@link #merge}, followed by one applied policy per field extension on the kind whose claimed fields the
   * merged spec sets (see {@link io.gloo.spi.policy.FieldExtension}).
   */
  public List<AppliedPolicy> mergeWithExtensions(List<PolicyResource> ordered, String where) {
    AppliedPolicy target = mergeTarget(ordered, where);
    if (target == null) {
      return List.of();
    }
    List<RegisteredKind> extensions = catalog.extensions(target.kind().groupKind());
    if (extensions.isEmpty()) {
      return List.of(target);
    }
    List<AppliedPolicy> result = new ArrayList<>();
    result.add(target);
    result.addAll(extensionCache.computeIfAbsent(target, t -> extend(t, ordered, extensions)));
    return result;
  }

  /** The extensions' applied policies for a merged target: claimed fields bound, validated, owners kept. */
  private List<AppliedPolicy> extend(AppliedPolicy target, List<PolicyResource> ordered,
      List<RegisteredKind> extensions) {
    String mergeField = target.kind().kind().mergeField();
    Map<String, PolicyRef> owners = new LinkedHashMap<>();
    ObjectNode merged = index.mapper().createObjectNode();
    for (PolicyResource p : ordered) {
      if (!target.contributors().contains(p.ref())) {
        continue;
      }
      for (Map.Entry<String, JsonNode> field : p.spec().path(mergeField).properties()) {
        if (owners.putIfAbsent(field.getKey(), p.ref()) == null) {
          merged.set(field.getKey(), field.getValue());
        }
      }
    }
    return extend(mergeField, owners, merged, extensions);
  }

  /** The extensions' applied policies, given the merged fields of their target kind and who set each. */
  private List<AppliedPolicy> extend(String mergeField, Map<String, PolicyRef> owners, ObjectNode merged,
      List<RegisteredKind> extensions) {
    List<AppliedPolicy> result = new ArrayList<>();
    for (RegisteredKind kind : extensions) {
      ExtensionKind<?> extension = (ExtensionKind<?>) kind.kind();
      ObjectNode claimed = index.mapper().createObjectNode();
      Map<String, PolicyRef> claimedOwners = new LinkedHashMap<>();
      for (String field : extension.fields()) {
        JsonNode value = merged.get(field);
        if (value != null && !value.isNull()) {
          claimed.set(field, value);
          claimedOwners.put(field, owners.get(field));
        }
      }
      if (claimed.isEmpty()) {
        continue;
      }
      List<PolicyRef> contributors = claimedOwners.values().stream().distinct().toList();
      Object spec;
      try {
        Object bound = invoker.call(kind, "binding " + claimedOwners.keySet(),
            () -> index.mapper().treeToValue(claimed, extension.specType()));
        List<Violation> violations = invoker.call(kind, "validate", () -> extension.validate(bound));
        spec = violations.isEmpty() ? bound : new ExtensionKind.Rejected(violations.stream()
            .map(v -> "spec." + v.field() + ": " + v.message()).collect(Collectors.joining("; ")));
      } catch (PluginInvoker.PluginFailure e) {
        spec = new ExtensionKind.Rejected(mergeField + "." + String.join(", " + mergeField + ".",
            claimedOwners.keySet()) + " invalid: " + (e.getCause() != null ? e.getCause().getMessage()
            : e.getMessage()));
      }
      result.add(new AppliedPolicy(kind, contributors, claimedOwners, spec));
    }
    return result;
  }

  private AppliedPolicy mergeTarget(List<PolicyResource> ordered, String where) {
    if (ordered.isEmpty()) {
      return null;
    }
    RegisteredKind kind = ordered.get(0).kind();
    String mergeField = kind.kind().mergeField();
    if (mergeField == null || ordered.size() == 1) {
      PolicyResource winner = ordered.get(0);
      reports.attached(winner.ref(), where, true);
      for (PolicyResource loser : ordered.subList(1, ordered.size())) {
        reports.attached(loser.ref(), where, false);
        reports.lost(loser.ref(), "spec", winner.ref(), where);
      }
      return cache.computeIfAbsent(List.of(winner.ref()),
          k -> new AppliedPolicy(kind, k, Map.of(), winner.typedSpec()));
    }
    Map<String, PolicyRef> owners = new LinkedHashMap<>();
    ObjectNode merged = index.mapper().createObjectNode();
    List<PolicyRef> contributors = new ArrayList<>();
    for (PolicyResource p : ordered) {
      JsonNode object = p.spec().path(mergeField);
      boolean contributed = false;
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        PolicyRef owner = owners.get(field.getKey());
        if (owner == null) {
          owners.put(field.getKey(), p.ref());
          merged.set(field.getKey(), field.getValue());
          contributed = true;
        } else {
          reports.lost(p.ref(), mergeField + "." + field.getKey(), owner, where);
        }
      }
      reports.attached(p.ref(), where, contributed);
      if (contributed) {
        contributors.add(p.ref());
      }
    }
    if (contributors.size() == 1) {
      PolicyResource only = ordered.stream().filter(p -> p.ref().equals(contributors.get(0))).findFirst().get();
      return cache.computeIfAbsent(List.copyOf(contributors),
          k -> new AppliedPolicy(kind, k, owners, only.typedSpec()));
    }
    AppliedPolicy cached = cache.get(contributors);
    if (cached != null) {
      return cached;
    }
    ObjectNode spec = index.withMergeObject(ordered.get(0).spec(), mergeField, merged);
    Object typed;
    try {
      typed = invoker.call(kind, "binding merged spec",
          () -> index.mapper().treeToValue(spec, kind.kind().specType()));
    } catch (PluginInvoker.PluginFailure e) {
      for (PolicyRef ref : contributors) {
        reports.error(ref, "merged with " + contributors + " at " + where + ", the result does not bind: "
            + e.getMessage());
      }
      return null;
    }
    AppliedPolicy applied = new AppliedPolicy(kind, contributors, owners, typed);
    cache.put(List.copyOf(contributors), applied);
    return applied;
  }

  /**
   * Merges one kind's policies for a route rule reached through HTTPRoute delegation ({@code levels}: the child
   * rule's policies first, then each ancestor rule's, nearest first; see {@link DelegatedFields}), followed by the
   * kind's field extensions as in {@link #mergeWithExtensions}. Empty when no level has a policy of the kind.
   */
  public List<AppliedPolicy> mergeDelegated(List<DelegationLevel> levels, String where) {
    RegisteredKind kind = levels.stream().flatMap(l -> l.ordered().stream()).map(PolicyResource::kind)
        .findFirst().orElse(null);
    if (kind == null) {
      return List.of();
    }
    String mergeField = kind.kind().mergeField();
    if (mergeField == null) {
      PolicyResource winner = DelegatedFields.winner(levels, reports, where);
      return List.of(cache.computeIfAbsent(List.of(winner.ref()),
          k -> new AppliedPolicy(kind, k, Map.of(), winner.typedSpec())));
    }
    DelegatedFields.Result fields = DelegatedFields.merge(levels, mergeField, reports, where);
    Map<String, PolicyRef> owners = new LinkedHashMap<>();
    ObjectNode merged = index.mapper().createObjectNode();
    fields.owners().forEach((field, owner) -> {
      owners.put(field, owner.ref());
      merged.set(field, owner.spec().path(mergeField).get(field));
    });
    List<PolicyRef> contributors = fields.contributors().stream().map(PolicyResource::ref).toList();
    if (contributors.isEmpty()) {
      return List.of(); // the policies set no field: nothing applies
    }
    AppliedPolicy target = delegatedCache.get(owners);
    if (target == null) {
      Object typed;
      if (contributors.size() == 1) {
        typed = fields.contributors().get(0).typedSpec();
      } else {
        ObjectNode spec = index.withMergeObject(fields.contributors().get(0).spec(), mergeField, merged);
        try {
          typed = invoker.call(kind, "binding merged spec",
              () -> index.mapper().treeToValue(spec, kind.kind().specType()));
        } catch (PluginInvoker.PluginFailure e) {
          for (PolicyRef ref : contributors) {
            reports.error(ref, "merged with " + contributors + " at " + where + ", the result does not bind: "
                + e.getMessage());
          }
          return List.of();
        }
      }
      target = new AppliedPolicy(kind, contributors, owners, typed);
      delegatedCache.put(Map.copyOf(owners), target);
    }
    List<AppliedPolicy> result = new ArrayList<>();
    result.add(target);
    List<RegisteredKind> extensions = catalog.extensions(kind.groupKind());
    if (!extensions.isEmpty()) {
      result.addAll(extend(mergeField, owners, merged, extensions));
    }
    return result;
  }

  /** Splits policies by kind, keeping priority order within each kind. */
  public static Map<RegisteredKind, List<PolicyResource>> byKind(List<PolicyResource> ordered) {
    Map<RegisteredKind, List<PolicyResource>> result = new LinkedHashMap<>();
    for (PolicyResource p : ordered) {
      result.computeIfAbsent(p.kind(), k -> new ArrayList<>()).add(p);
    }
    return result;
  }
}
