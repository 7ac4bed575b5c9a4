package io.gloo.core.translate.policy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.policy.Violation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every policy resource of a kind some plugin serves, parsed, bound to its spec type, validated, and indexed by name
 * and by target. Built once per translation.
 */
public final class PolicyIndex {

  /** Oldest first (creation time, then namespace/name): the Gateway API's tie-break, and Gloo's merge order. */
  public static final Comparator<PolicyResource> OLDEST_FIRST = Comparator
      .comparing((PolicyResource p) -> p.creationTimestamp() == null ? "" : p.creationTimestamp())
      .thenComparing(p -> p.ref().namespace())
      .thenComparing(p -> p.ref().name());

  private final ObjectMapper mapper;
  private final PluginInvoker invoker;
  private final PolicyReports reports;
  private final PolicyCatalog catalog;

  private final Map<PolicyRef, PolicyResource> byRef = new HashMap<>();
  private final Map<String, List<PolicyResource>> byTarget = new HashMap<>();

  public PolicyIndex(ResourceSnapshot snapshot, PolicyCatalog catalog, PluginInvoker invoker,
      PolicyReports reports) {
    this.mapper = catalog.mapper();
    this.invoker = invoker;
    this.reports = reports;
    this.catalog = catalog;
    if (catalog.isEmpty()) {
      return;
    }
    for (GenericKubernetesResource r : snapshot.list(GenericKubernetesResource.class)) {
      String apiVersion = r.getApiVersion() == null ? "" : r.getApiVersion();
      String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
      Optional<RegisteredKind> kind = catalog.kind(group, r.getKind());
      PolicyResource policy;
      if (kind.isPresent()) {
        policy = parse(kind.get(), r, invoker, reports, mapper, catalog.claimedPaths(kind.get().groupKind()));
      } else if (catalog.absentKind(group, r.getKind()).isPresent()) {
        kind = catalog.absentKind(group, r.getKind());
        policy = orphan(kind.get(), r, reports, mapper);
      } else {
        continue;
      }
      byRef.put(policy.ref(), policy);
      if (kind.get().attaches(Attachment.TARGET_REF)) {
        for (PolicyResource.TargetRef t : policy.targetRefs()) {
          String ns = t.namespace() == null || t.namespace().isEmpty() ? policy.ref().namespace() : t.namespace();
          if (!ns.equals(policy.ref().namespace())) {
            reports.warning(policy.ref(), "targetRef " + t.kind() + " " + ns + "/" + t.name()
                + ": must be in the policy's namespace " + policy.ref().namespace() + "; ignored");
            continue;
          }
          byTarget.computeIfAbsent(targetKey(t.kind(), ns, t.name()), k -> new ArrayList<>()).add(policy);
        }
      }
    }
    byTarget.values().forEach(list -> list.sort(OLDEST_FIRST));
  }

  /**
   * A policy written inside another resource (a Gloo Edge route's or virtual host's {@code options}), bound and
   * validated as a policy resource of {@code kind} with this spec; its problems are reported on {@code ref}.
   */
  public PolicyResource inline(RegisteredKind kind, PolicyRef ref, long generation, JsonNode spec) {
    return parse(kind, ref, generation, null, spec, invoker, reports, mapper,
        catalog.claimedPaths(kind.groupKind()));
  }

  /** @param claimed spec paths of the kind that field extensions translate: not unsupported after all */
  private static PolicyResource parse(RegisteredKind kind, GenericKubernetesResource r, PluginInvoker invoker,
      PolicyReports reports, ObjectMapper mapper, java.util.Set<String> claimed) {
    PolicyRef ref = new PolicyRef(kind.groupKind(), r.getMetadata().getNamespace(), r.getMetadata().getName());
    long generation = r.getMetadata().getGeneration() == null ? 0 : r.getMetadata().getGeneration();
    Object rawSpec = r.getAdditionalProperties().get("spec");
    JsonNode spec = rawSpec == null ? mapper.createObjectNode() : mapper.valueToTree(rawSpec);
    return parse(kind, ref, generation, r.getMetadata().getCreationTimestamp(), spec, invoker, reports, mapper,
        claimed);
  }

  private static PolicyResource parse(RegisteredKind kind, PolicyRef ref, long generation, String creationTimestamp,
      JsonNode spec, PluginInvoker invoker, PolicyReports reports, ObjectMapper mapper, java.util.Set<String> claimed) {
    reports.seen(ref, generation, kind.kind().statusStyle(),
        !kind.kind().attachments().equals(java.util.Set.of(Attachment.REFERENCED)));
    List<Violation> violations = new ArrayList<>();
    Object typed = null;
    // The plugin, not the policy, failed (hung, or its circuit is open): the policy could not be checked.
    String pluginFailed = null;
    try {
      typed = invoker.call(kind, "binding spec", () -> mapper.treeToValue(spec, kind.kind().specType()));
    } catch (PluginInvoker.PluginFailure e) {
      pluginFailed = e.reason().equals("exception") ? null : e.getMessage();
      // the field that failed, as the author wrote it (spec.allow), not the binder's view of it
      violations.add(pluginFailed != null ? new Violation("", "could not be checked: " + pluginFailed)
          : e.getCause() != null ? BindingErrors.describe(e.getCause(), spec)
          : new Violation("", "does not bind: " + e.getMessage()));
    }
    if (typed != null) {
      Object bound = typed;
      try {
        @SuppressWarnings("unchecked")
        io.gloo.spi.policy.PolicyKind<Object> k = (io.gloo.spi.policy.PolicyKind<Object>) kind.kind();
        violations.addAll(invoker.call(kind, "validate", () -> k.validate(bound)));
      } catch (PluginInvoker.PluginFailure e) {
        pluginFailed = e.reason().equals("exception") ? null : e.getMessage();
        violations.add(new Violation("", "validation failed: " + e.getMessage()));
      }
    }
    for (Violation v : violations) {
      reports.rejected(ref, (v.field().isEmpty() ? "spec" : "spec." + v.field()) + ": " + v.message());
    }
    for (String field : kind.kind().unsupportedFields()) {
      if (!claimed.contains(field) && present(spec, field)) {
        reports.warning(ref, "UnsupportedValue: spec." + field + (kind.kind().failClosedFields().contains(field)
            ? " is not supported by any loaded plugin; where it applies, routes answer 500 (it guards traffic)"
            : " is not supported and is ignored"));
      }
    }
    String closure = violations.isEmpty() ? null : closure(kind.kind(), spec, ref + " is rejected: "
        + violations.stream().map(v -> (v.field().isEmpty() ? "spec" : "spec." + v.field()) + ": " + v.message())
            .toList());
    if (closure == null && pluginFailed != null && !(kind.kind().failOpen() && !kind.kind().failClosed())) {
      // as when its translator fails: a policy the plugin could not check fails closed unless its kind is fail-open
      closure = ref + " could not be checked: " + pluginFailed;
    }
    List<PolicyResource.TargetRef> targetRefs = targetRefs(spec);
    if (closure != null && !targetRefs.isEmpty()) { // referenced only: what references it fails closed as it is
      reports.rejected(ref, pluginFailed != null ? "the routes it targets answer 500 (its plugin failed)"
          : "it guards traffic (fail-closed kind or field), so the routes it targets answer 500");
    }
    return new PolicyResource(kind, ref, creationTimestamp, generation, spec,
        violations.isEmpty() ? typed : null, List.copyOf(violations), targetRefs, closure);
  }

  /**
   * A policy of a guarding kind whose plugin is gone: never applied; if it guards (see {@link #closure}), the routes
   * it targets answer 500, else it is only reported.
   */
  private static PolicyResource orphan(RegisteredKind kind, GenericKubernetesResource r, PolicyReports reports,
      ObjectMapper mapper) {
    AbsentKind absent = (AbsentKind) kind.kind();
    PolicyRef ref = new PolicyRef(kind.groupKind(), r.getMetadata().getNamespace(), r.getMetadata().getName());
    long generation = r.getMetadata().getGeneration() == null ? 0 : r.getMetadata().getGeneration();
    reports.seen(ref, generation, io.gloo.spi.policy.StatusStyle.GLOO_NAMESPACED, false); // never applied
    Object rawSpec = r.getAdditionalProperties().get("spec");
    JsonNode spec = rawSpec == null ? mapper.createObjectNode() : mapper.valueToTree(rawSpec);
    String closure = closure(absent, spec, absent.problem(ref));
    if (closure != null) {
      reports.rejected(ref, absent.problem() + "; it guards traffic, so the routes it targets answer 500");
    } else {
      reports.warning(ref, absent.problem() + "; not applied");
    }
    return new PolicyResource(kind, ref, r.getMetadata().getCreationTimestamp(), generation, spec, null,
        List.of(new Violation("", absent.problem())), targetRefs(spec), closure);
  }

  /**
   * {@code why} if a policy of {@code kind} with this spec that cannot be applied must close the routes it targets
   * (its kind is fail-closed, or the spec sets one of the kind's fail-closed fields), else null.
   */
  private static String closure(io.gloo.spi.policy.PolicyKind<?> kind, JsonNode spec, String why) {
    if (kind.failClosed()) {
      return why;
    }
    List<String> guarded = kind.failClosedFields().stream().filter(f -> present(spec, f)).sorted().toList();
    return guarded.isEmpty() ? null : why + " (it sets spec." + String.join(", spec.", guarded) + ")";
  }

  private static boolean present(JsonNode spec, String dottedPath) {
    JsonNode node = spec;
    for (String part : dottedPath.split("\\.")) {
      node = node.path(part);
    }
    return !node.isMissingNode() && !node.isNull();
  }

  /** {@code spec.targetRefs} (Gloo 1.18) or the older single {@code spec.targetRef} (Gloo 1.17). */
  private static List<PolicyResource.TargetRef> targetRefs(JsonNode spec) {
    List<PolicyResource.TargetRef> refs = new ArrayList<>();
    List<JsonNode> nodes = new ArrayList<>();
    spec.path("targetRefs").forEach(nodes::add);
    if (spec.has("targetRef")) {
      nodes.add(spec.get("targetRef"));
    }
    for (JsonNode t : nodes) {
      refs.add(new PolicyResource.TargetRef(text(t, "group"), text(t, "kind"), text(t, "name"),
          text(t, "namespace"), text(t, "sectionName")));
    }
    return refs;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asString();
  }

  static String targetKey(String kind, String namespace, String name) {
    return kind + "/" + namespace + "/" + name;
  }

  public Optional<PolicyResource> get(GroupKind kind, String namespace, String name) {
    return Optional.ofNullable(byRef.get(new PolicyRef(kind, namespace, name)));
  }

  /** Valid or not, the policies whose targetRefs name this resource, oldest first. */
  public List<PolicyResource> targeting(String kind, String namespace, String name) {
    return byTarget.getOrDefault(targetKey(kind, namespace, name), List.of());
  }

  public java.util.Collection<PolicyResource> all() {
    return byRef.values();
  }

  /** The mapper that binds specs of this catalog's kinds. */
  public ObjectMapper mapper() {
    return mapper;
  }

  /** A copy of a spec with the merge object replaced. */
  ObjectNode withMergeObject(JsonNode spec, String mergeField, ObjectNode merged) {
    ObjectNode copy = spec.isObject() ? ((ObjectNode) spec).deepCopy() : mapper.createObjectNode();
    copy.set(mergeField, merged);
    return copy;
  }
}
