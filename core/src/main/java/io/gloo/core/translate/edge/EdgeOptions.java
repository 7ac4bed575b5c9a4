package io.gloo.core.translate.edge;

import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.policy.AppliedPolicy;
import io.gloo.core.translate.policy.PolicyResolver;
import io.gloo.core.translate.policy.PolicyResource;
import io.gloo.core.translate.policy.RegisteredKind;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyRef;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Route and virtual-host {@code options} of Edge resources, translated by the same plugins as RouteOption and
 * VirtualHostOption: each {@code options} object becomes an inline policy of that kind (spec {@code {options}}),
 * bound and validated by the plugin, and a delegated route's options are merged with its parents' by the policy
 * merger (the child's own fields first, each parent filling what is still unset: Gloo's shallow merge). Inline
 * policies are named {@code <resource>#routes[i]} (or {@code #virtualHost}); their reports are folded into the
 * Edge resource's status. Without a plugin for the kind, options are reported and ignored, except fields that guard
 * traffic (auth, WAF): then the route answers 500 (fail closed, as for the Gateway API).
 */
final class EdgeOptions {

  static final GroupKind ROUTE_OPTION = new GroupKind(EdgeApi.GATEWAY_GROUP, "RouteOption");
  static final GroupKind VIRTUAL_HOST_OPTION = new GroupKind(EdgeApi.GATEWAY_GROUP, "VirtualHostOption");
  /** Option fields that guard traffic: without a plugin, routes they apply to answer 500. */
  static final Set<String> GUARDS = Set.of("extauth", "jwt", "jwtStaged", "jwtProvidersStaged", "rbac", "waf", "dlp",
      "opa");

  /** The RouteOption or VirtualHostOption resources a resource delegates options to, and what to report. */
  record Delegated(List<PolicyResource> policies, List<String> warnings, String error, boolean failClosed) {
    static final Delegated NONE = new Delegated(List.of(), List.of(), null, false);
  }

  private final PolicyResolver policies;
  private final String pass;
  private final Optional<RegisteredKind> routeKind;
  private final Optional<RegisteredKind> hostKind;

  /** @param pass tells apart the inline policies of a second pass (last accepted specs): the merger caches by name */
  EdgeOptions(PolicyResolver policies, String pass) {
    this.policies = policies;
    this.pass = pass;
    this.routeKind = policies.kind(ROUTE_OPTION.group(), ROUTE_OPTION.kind(), Attachment.EXTENSION_REF)
        .or(() -> policies.kind(ROUTE_OPTION.group(), ROUTE_OPTION.kind(), Attachment.TARGET_REF));
    this.hostKind = policies.kind(VIRTUAL_HOST_OPTION.group(), VIRTUAL_HOST_OPTION.kind(), Attachment.TARGET_REF);
  }

  /** The inline RouteOption of a route's {@code options}, or null when it has none or no plugin serves the kind. */
  PolicyResource route(ResourceKey owner, int index, JsonNode options) {
    return inline(routeKind, owner, "#routes[" + index + "]", options);
  }

  /** The inline VirtualHostOption of {@code virtualHost.options}, or null. */
  PolicyResource virtualHost(ResourceKey vs, JsonNode options) {
    return inline(hostKind, vs, "#virtualHost", options);
  }

  private PolicyResource inline(Optional<RegisteredKind> kind, ResourceKey owner, String suffix, JsonNode options) {
    if (options == null || !options.isObject() || options.isEmpty() || kind.isEmpty()) {
      return null;
    }
    ObjectNode spec = EdgeApi.mapper().createObjectNode();
    spec.set("options", options);
    PolicyRef ref = new PolicyRef(new GroupKind(EdgeApi.GATEWAY_GROUP, owner.kind()), owner.namespace(),
        owner.name() + suffix + pass);
    return policies.inline(kind.get(), ref, 0, spec);
  }

  /**
   * {@code optionsConfigRefs.delegateOptions} (Gloo 1.13+): the referenced RouteOption (route) or VirtualHostOption
   * (virtual host) resources in order, to be merged after the resource's own {@code options} (Gloo: inline options
   * win, then the first reference setting a field). A reference that is not found is a warning, as in Gloo (so
   * resources may be applied in any order); one whose options are rejected is an error. Without a plugin for the
   * kind the routes answer 500, as for an ExtensionRef to such a kind: what the options enforce is unknown.
   *
   * @param optionsConfigRefs the {@code optionsConfigRefs} node (may be missing)
   * @param namespace the referencing resource's namespace: a reference without one names this namespace
   */
  Delegated delegated(JsonNode optionsConfigRefs, String namespace, boolean host) {
    JsonNode refs = optionsConfigRefs == null ? null : optionsConfigRefs.path("delegateOptions");
    if (refs == null || refs.isEmpty()) {
      return Delegated.NONE;
    }
    GroupKind groupKind = host ? VIRTUAL_HOST_OPTION : ROUTE_OPTION;
    Optional<RegisteredKind> kind = host ? hostKind : routeKind;
    String lower = Character.toLowerCase(groupKind.kind().charAt(0)) + groupKind.kind().substring(1);
    if (kind.isEmpty()) {
      // as an ExtensionRef to a kind no plugin serves: what the options would enforce is unknown, so fail closed
      return new Delegated(List.of(), List.of("optionsConfigRefs cannot be applied: no loaded plugin serves "
          + groupKind + "; the route answers 500"), null, true);
    }
    List<PolicyResource> found = new java.util.ArrayList<>();
    List<String> warnings = new java.util.ArrayList<>();
    String error = null;
    for (JsonNode r : refs) {
      ResourceKey ref = EdgeApi.ref(groupKind.kind(), r, namespace);
      if (ref == null) {
        error = error != null ? error : "optionsConfigRefs.delegateOptions: a reference has no name";
        continue;
      }
      PolicyResolver.Resolution resolution = policies.resolve(kind.get(), ref.namespace(), ref.name());
      if (resolution.resolved()) {
        found.add(resolution.policy());
      } else if (resolution.rejected()) {
        error = error != null ? error : "optionsConfigRefs.delegateOptions: " + resolution.problem();
      } else {
        warnings.add("optionsConfigRefs: list did not find " + lower + " " + EdgeApi.gloo(ref));
      }
    }
    return new Delegated(found, warnings, error, false);
  }

  /** Why options are not applied when no plugin serves them; null when a plugin does or there are none. */
  String unserved(JsonNode options, boolean host) {
    if (options == null || !options.isObject() || options.isEmpty() || (host ? hostKind : routeKind).isPresent()) {
      return null;
    }
    return "options are ignored: no loaded plugin serves " + (host ? VIRTUAL_HOST_OPTION : ROUTE_OPTION)
        + (guards(options) ? "; the route answers 500 (options that guard traffic are set)" : "");
  }

  static boolean guards(JsonNode options) {
    for (String g : GUARDS) {
      if (EdgeApi.present(options, g)) {
        return true;
      }
    }
    return false;
  }

  /** The violations of an inline policy, as the resource's problems ({@code options.x: why}). */
  static String violations(PolicyResource p) {
    StringBuilder sb = new StringBuilder();
    p.violations().forEach(v -> sb.append(sb.length() == 0 ? "" : "; ").append(v.field()).append(": ")
        .append(v.message()));
    return sb.length() == 0 ? "options do not bind to " + p.kind().groupKind() : sb.toString();
  }

  /** Merges {@code chain} (own options first, then each parent's): the policies a route gets. */
  List<AppliedPolicy> merge(List<PolicyResource> chain, String where) {
    return chain.isEmpty() ? List.of() : policies.mergeInline(chain, where);
  }
}
