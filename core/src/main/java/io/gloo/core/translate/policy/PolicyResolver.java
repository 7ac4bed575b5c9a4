package io.gloo.core.translate.policy;

import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.PolicyRef;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Resolves which plugin policies apply where, in Gloo's precedence, and merges them: for a route rule,
 * {@code ExtensionRef} filters in filter order, then policies whose targetRefs name the HTTPRoute (whole or this rule
 * by {@code sectionName}) oldest first; for a virtual host, policies naming the listener, oldest first, then
 * Gateway-wide ones, oldest first. One instance per translation.
 */
public final class PolicyResolver {

  private final PolicyCatalog catalog;
  private final PolicyIndex index;
  private final PolicyMerger merger;
  private final PolicyReports reports;

  /** Indexes the policies of {@code snapshot} for one translation. */
  public static PolicyResolver of(ResourceSnapshot snapshot, PolicyCatalog catalog, PluginInvoker invoker,
      PolicyReports reports) {
    PolicyIndex index = new PolicyIndex(snapshot, catalog, invoker, reports);
    return new PolicyResolver(catalog, index, new PolicyMerger(invoker, reports, index, catalog), reports);
  }

  public PolicyResolver(PolicyCatalog catalog, PolicyIndex index, PolicyMerger merger, PolicyReports reports) {
    this.catalog = catalog;
    this.index = index;
    this.merger = merger;
    this.reports = reports;
  }

  /** The outcome of resolving an ExtensionRef filter or a backendRef of a plugin's kind. */
  public record Resolution(PolicyResource policy, String problem, boolean rejected) {
    public Resolution(PolicyResource policy, String problem) {
      this(policy, problem, false);
    }

    public boolean resolved() {
      return policy != null;
    }
  }

  /** Whether some plugin serves this kind with this attachment. */
  public Optional<RegisteredKind> kind(String group, String kind, Attachment attachment) {
    return catalog.kind(group, kind).filter(k -> k.attaches(attachment));
  }

  /** Resolves a policy named by an ExtensionRef or backendRef; the problem says why it cannot be used. */
  public Resolution resolve(RegisteredKind kind, String namespace, String name) {
    Optional<PolicyResource> policy = index.get(kind.groupKind(), namespace, name);
    if (policy.isEmpty()) {
      return new Resolution(null, kind.groupKind() + " " + namespace + "/" + name + " not found");
    }
    if (!policy.get().valid()) {
      return new Resolution(null, kind.groupKind() + " " + namespace + "/" + name + " is rejected: "
          + policy.get().violations(), true);
    }
    return new Resolution(policy.get(), null);
  }

  /** The merged policies of a route rule, given the ExtensionRef policies its filters named (in filter order). */
  public List<AppliedPolicy> forRule(ResourceKey route, int rule, String ruleName, List<PolicyResource> extensionRefs) {
    return merge(orderedForRule(route, ruleName, extensionRefs),
        route.kind() + " " + route.namespacedName() + " rule " + rule);
  }

  /**
   * The merged policies of a rule reached through HTTPRoute delegation: {@code levels} holds the rule's own policies
   * ({@link #orderedForRule}) and then each delegating ancestor rule's, nearest first (Gloo's delegation merge, see
   * {@link DelegationLevel}).
   */
  public List<AppliedPolicy> forDelegatedRule(List<DelegationLevel> levels, String where) {
    Map<RegisteredKind, List<DelegationLevel>> byKind = new java.util.LinkedHashMap<>();
    for (DelegationLevel level : levels) {
      for (RegisteredKind kind : PolicyMerger.byKind(level.ordered()).keySet()) {
        byKind.putIfAbsent(kind, new ArrayList<>());
      }
    }
    List<AppliedPolicy> result = new ArrayList<>();
    for (Map.Entry<RegisteredKind, List<DelegationLevel>> e : byKind.entrySet()) {
      for (DelegationLevel level : levels) {
        e.getValue().add(new DelegationLevel(
            level.ordered().stream().filter(p -> p.kind().equals(e.getKey())).toList(), level.overridable()));
      }
      result.addAll(merger.mergeDelegated(e.getValue(), where));
    }
    return result;
  }

  /**
   * The valid policies of a route rule, unmerged, highest priority first: ExtensionRef policies in filter order, then
   * those whose targetRefs name the route (whole, or this rule by sectionName).
   */
  public List<PolicyResource> orderedForRule(ResourceKey route, String ruleName, List<PolicyResource> extensionRefs) {
    Set<PolicyResource> ordered = identitySet();
    ordered.addAll(extensionRefs);
    for (PolicyResource p : index.targeting(route.kind(), route.namespace(), route.name())) {
      if (!p.valid()) {
        continue;
      }
      for (PolicyResource.TargetRef t : p.targetRefs()) {
        if (t.kind() != null && t.kind().equals(route.kind()) && Objects.equals(t.name(), route.name())
            && (t.sectionName() == null || t.sectionName().equals(ruleName))) {
          ordered.add(p);
        }
      }
    }
    return new ArrayList<>(ordered);
  }

  /**
   * The guarding policies that target a route rule (the whole route, or this rule by {@code sectionName}) but
   * cannot be applied: rejected, or their plugin is gone (see {@link io.gloo.spi.policy.PolicyKind#failClosed()}).
   * The rule must answer 500; each is reported as closing it.
   */
  public List<PolicyResource> closing(ResourceKey route, int rule, String ruleName) {
    List<PolicyResource> closing = new ArrayList<>();
    for (PolicyResource p : index.targeting(route.kind(), route.namespace(), route.name())) {
      if (p.closure() == null) {
        continue;
      }
      for (PolicyResource.TargetRef t : p.targetRefs()) {
        if (t.kind() != null && t.kind().equals(route.kind()) && Objects.equals(t.name(), route.name())
            && (t.sectionName() == null || t.sectionName().equals(ruleName))) {
          closing.add(p);
          reports.closed(p.ref(), route.kind() + " " + route.namespacedName() + " rule " + rule);
          break;
        }
      }
    }
    return closing;
  }

  /**
   * The merged policies of a virtual host that serves routes of these Gateway listeners. Guarding policies that
   * target the Gateway (or these listeners) but cannot be applied come first, as {@link FailClosed} policies: every
   * route of the virtual host then answers 500.
   */
  public List<AppliedPolicy> forVirtualHost(ResourceKey gateway, List<String> listeners) {
    List<PolicyResource> targeting = index.targeting(gateway.kind(), gateway.namespace(), gateway.name());
    if (targeting.isEmpty()) {
      return List.of();
    }
    String where = gateway.kind() + " " + gateway.namespacedName() + " listener " + String.join(",", listeners);
    List<AppliedPolicy> closing = new ArrayList<>();
    Set<PolicyResource> ordered = identitySet();
    for (String listener : listeners) {
      for (PolicyResource p : targeting) {
        if (targets(p, gateway, listener)) {
          ordered.add(p);
        }
      }
    }
    for (PolicyResource p : targeting) {
      if (targets(p, gateway, null)) {
        ordered.add(p);
      }
    }
    List<PolicyResource> valid = new ArrayList<>();
    for (PolicyResource p : ordered) {
      if (p.valid()) {
        valid.add(p);
      } else if (p.closure() != null) {
        reports.closed(p.ref(), where);
        closing.add(new AppliedPolicy(p.kind(), List.of(p.ref()), Map.of(), new FailClosed(p.closure())));
      }
    }
    List<AppliedPolicy> merged = merge(valid, where);
    if (closing.isEmpty()) {
      return merged;
    }
    closing.addAll(merged);
    return closing;
  }

  private static boolean targets(PolicyResource p, ResourceKey gateway, String sectionName) {
    for (PolicyResource.TargetRef t : p.targetRefs()) {
      if (gateway.kind().equals(t.kind()) && gateway.name().equals(t.name())
          && Objects.equals(t.sectionName(), sectionName)) {
        return true;
      }
    }
    return false;
  }

  /**
   * An insertion-ordered set of policy objects, distinct by identity. Policies are deduplicated this way, never
   * with {@code equals}/{@code hashCode}: {@link PolicyResource} and {@link AppliedPolicy} are records whose
   * hash code is that of the plugin-typed spec, so hashing them runs plugin code (possibly slow or unstable, e.g.
   * over a mutable map) and, for a record spec, links its {@code hashCode} through
   * {@code java.lang.runtime.ObjectMethods}, whose shared {@code Objects.hashCode} method handle caches its last
   * {@code asType} (on JDK 19+ in a SoftReference): that cache kept a removed plugin's classloader reachable until
   * the heap ran low. The index holds one {@code PolicyResource} per policy and the merger one
   * {@code AppliedPolicy} per combination, so identity is the intended equality.
   */
  public static <T> Set<T> identitySet() {
    return new IdentityOrderedSet<>();
  }

  private static final class IdentityOrderedSet<T> extends AbstractSet<T> {
    private final Map<T, Boolean> seen = new IdentityHashMap<>();
    private final List<T> order = new ArrayList<>();

    @Override
    public boolean add(T t) {
      if (seen.put(t, Boolean.TRUE) != null) {
        return false;
      }
      order.add(t);
      return true;
    }

    @Override
    public boolean contains(Object o) {
      return seen.containsKey(o);
    }

    @Override
    public Iterator<T> iterator() {
      return Collections.unmodifiableList(order).iterator();
    }

    @Override
    public int size() {
      return order.size();
    }
  }

  /**
   * Options written inside another resource (Gloo Edge's route and virtual-host {@code options}) as a policy of
   * {@code kind}: bound and validated like a resource of that kind (see {@link PolicyIndex#inline}).
   */
  public PolicyResource inline(RegisteredKind kind, PolicyRef ref, long generation, JsonNode spec) {
    return index.inline(kind, ref, generation, spec);
  }

  /**
   * Merges inline policies (highest priority first, any kinds) as policies applying to one place are merged, with
   * field extensions: what a Gloo Edge route gets from its own options and its delegating parents'.
   */
  public List<AppliedPolicy> mergeInline(List<PolicyResource> ordered, String where) {
    return merge(ordered.stream().filter(PolicyResource::valid).toList(), where);
  }

  /** The mapper that binds plugin specs. */
  public tools.jackson.databind.ObjectMapper mapper() {
    return index.mapper();
  }

  /** The applied form of a single policy (a backend). */
  public AppliedPolicy single(PolicyResource policy, String where) {
    return merger.merge(List.of(policy), where);
  }

  private List<AppliedPolicy> merge(List<PolicyResource> ordered, String where) {
    if (ordered.isEmpty()) {
      return List.of();
    }
    List<AppliedPolicy> result = new ArrayList<>();
    for (Map.Entry<RegisteredKind, List<PolicyResource>> e : PolicyMerger.byKind(ordered).entrySet()) {
      result.addAll(merger.mergeWithExtensions(e.getValue(), where));
    }
    return result;
  }

  /** Another policy's spec for a plugin's lookup: the valid policy bound to {@code specType}, if there is one. */
  public <T> Optional<T> lookup(io.gloo.spi.policy.GroupKind kind, Class<T> specType, String namespace, String name) {
    Optional<PolicyResource> policy = index.get(kind, namespace, name).filter(PolicyResource::valid);
    if (policy.isEmpty()) {
      return Optional.empty();
    }
    Object typed = policy.get().typedSpec();
    if (specType.isInstance(typed)) {
      return Optional.of(specType.cast(typed));
    }
    try {
      return Optional.of(index.mapper().treeToValue(policy.get().spec(), specType));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Hands every valid policy to its kind's sink, if it has one (call once, after the translation). */
  public void publishToSinks(BackendLookup lookup, PluginInvoker invoker) {
    PolicySinks.publish(catalog, index.all(), lookup, reports, invoker);
  }

  public PolicyReports reports() {
    return reports;
  }

  /** Reports policies whose targetRefs name resources that do not exist. */
  public void reportDangling(java.util.function.BiPredicate<PolicyResource, PolicyResource.TargetRef> exists) {
    for (PolicyResource p : index.all()) {
      for (PolicyResource.TargetRef t : p.targetRefs()) {
        if (!exists.test(p, t)) {
          reports.warning(p.ref(), "targetRef " + t.kind() + " " + p.ref().namespace() + "/" + t.name()
              + (t.sectionName() != null ? " sectionName " + t.sectionName() : "") + " does not exist (dangling)");
        }
      }
    }
  }

  /** A policy's reference, for callers that report on it. */
  public static PolicyRef ref(PolicyResource p) {
    return p.ref();
  }
}
