package io.gloo.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.spi.policy.GroupKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginRbacTest {

  @Test
  void eachApiGroupGetsReadAndStatusRulesForItsKindsPlurals() {
    Map<String, List<GroupKind>> kinds = new LinkedHashMap<>();
    kinds.put("zeta", List.of(new GroupKind("policies.example.com", "ResponseHeaderPolicy")));
    kinds.put("alpha", List.of(new GroupKind("gateway.solo.io", "RouteOption"),
        new GroupKind("policies.example.com", "IpAccessPolicy")));
    kinds.put("broken", List.of());

    String yaml = PluginRbac.render(kinds);

    assertEquals("""
        # RBAC for the kinds of plugins alpha, broken, zeta
        # no kinds (not started, or field extensions only): broken
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: gloo-gateway-plugins
          labels:
            app.kubernetes.io/name: gloo-gateway
        rules:
          - apiGroups: [gateway.solo.io]
            resources: [routeoptions]
            verbs: [get, list, watch]
          - apiGroups: [gateway.solo.io]
            resources: [routeoptions/status]
            verbs: [update, patch]
          - apiGroups: [policies.example.com]
            resources: [ipaccesspolicies, responseheaderpolicies]
            verbs: [get, list, watch]
          - apiGroups: [policies.example.com]
            resources: [ipaccesspolicies/status, responseheaderpolicies/status]
            verbs: [update, patch]
        ---
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
            name: gloo-gateway
            namespace: gloo-system
        """, yaml);
  }

  @Test
  void theCoreGroupIsQuotedAndNoKindsMeansNoRules() {
    assertTrue(PluginRbac.render(Map.of("p", List.of(new GroupKind("", "Widget"))))
        .contains("  - apiGroups: [\"\"]\n    resources: [widgets]\n"));
    assertTrue(PluginRbac.render(Map.of()).contains("rules: []\n"));
  }
}
