package io.gloo.core.cli;

import io.fabric8.kubernetes.api.Pluralize;
import io.gloo.core.plugin.LoadedPlugin;
import io.gloo.core.plugin.LoadedPlugins;
import io.gloo.core.plugin.PluginCalls;
import io.gloo.spi.policy.GroupKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code gloo plugins --rbac}: the RBAC that the control plane's service account needs for the kinds plugins serve,
 * as a ClusterRole and its ClusterRoleBinding (YAML for {@code kubectl apply -f -}). Per API group: read and watch
 * the kinds' resources (plural as {@code gloo serve} derives it: the lower-cased kind, pluralized) and update or
 * patch their {@code status} subresource (policy statuses), the same verbs the install manifest grants the built-in
 * kinds. Reads plugins do through {@code ResourceLookup} (Secrets, Services, EndpointSlices) are the install's
 * already. Stateless.
 */
final class PluginRbac {

  /** The install's service account ({@code dist/src/install/gloo-gateway.yaml}). */
  static final String SERVICE_ACCOUNT = "gloo-gateway";
  static final String NAMESPACE = "gloo-system";

  private PluginRbac() {}

  /** For the plugins of a directory as the manager loaded them (kinds are known once a plugin started). */
  static String render(LoadedPlugins plugins) {
    Map<String, List<GroupKind>> kinds = new LinkedHashMap<>();
    for (LoadedPlugin plugin : plugins.plugins()) {
      kinds.put(plugin.id(), plugin.kinds().stream().map(k -> PluginCalls.callOn(k, k::groupKind)).toList());
    }
    return render(kinds);
  }

  /**
   * @param kindsByPlugin the kinds each plugin serves, by plugin id; plugins without kinds (failed, disabled, or
   *     extensions only) need no rules and are named in a comment
   */
  static String render(Map<String, List<GroupKind>> kindsByPlugin) {
    Map<String, TreeSet<String>> pluralsByGroup = new TreeMap<>();
    List<String> without = new ArrayList<>();
    new TreeMap<>(kindsByPlugin).forEach((plugin, kinds) -> {
      if (kinds.isEmpty()) {
        without.add(plugin);
      }
      for (GroupKind kind : kinds) {
        pluralsByGroup.computeIfAbsent(kind.group(), g -> new TreeSet<>())
            .add(Pluralize.toPlural(kind.kind().toLowerCase(Locale.ROOT)));
      }
    });
    StringBuilder yaml = new StringBuilder();
    yaml.append("# RBAC for the kinds of plugins ").append(String.join(", ", new TreeMap<>(kindsByPlugin).keySet()))
        .append('\n');
    if (!without.isEmpty()) {
      yaml.append("# no kinds (not started, or field extensions only): ").append(String.join(", ", without))
          .append('\n');
    }
    yaml.append("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: gloo-gateway-plugins
          labels:
            app.kubernetes.io/name: gloo-gateway
        """);
    if (pluralsByGroup.isEmpty()) {
      yaml.append("rules: []\n");
    } else {
      yaml.append("rules:\n");
      pluralsByGroup.forEach((group, plurals) -> {
        String apiGroup = group.isEmpty() ? "\"\"" : group;
        yaml.append("  - apiGroups: [").append(apiGroup).append("]\n")
            .append("    resources: [").append(String.join(", ", plurals)).append("]\n")
            .append("    verbs: [get, list, watch]\n");
        yaml.append("  - apiGroups: [").append(apiGroup).append("]\n")
            .append("    resources: [").append(String.join(", ", plurals.stream().map(p -> p + "/status").toList()))
            .append("]\n")
            .append("    verbs: [update, patch]\n");
      });
    }
    yaml.append("---\n").append("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: gloo-gateway-plugins
          labels:
            app.kubernetes.io/name: gloo-gateway
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: gloo-gateway-plugins
        subjects:
          - kind: ServiceAccount
            name: %s
            namespace: %s
        """.formatted(SERVICE_ACCOUNT, NAMESPACE));
    return yaml.toString();
  }
}
