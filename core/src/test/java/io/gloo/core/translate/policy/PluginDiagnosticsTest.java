package io.gloo.core.translate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.xds.PolicyApplier;
import io.gloo.core.watch.DirectorySource;
import io.gloo.core.watch.KindRegistry;
import io.gloo.core.watch.ManifestParser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Diagnostics of plugin policies: a translator exception is logged once per plugin, policy and cause however many
 * routes use the policy; a spec that does not bind names the field the author wrote; a route naming a rejected
 * policy says Rejected, not BackendNotFound.
 */
class PluginDiagnosticsTest {

  private static final int ROUTES = 300;

  @TempDir
  Path temp;

  private TranslationResult translate(String yaml) throws Exception {
    KindRegistry kinds = KindRegistry.withBuiltins();
    for (String kind : List.of("RouteHeaders", "LenientHeaders", "VhostHeaders", "StaticBackend")) {
      kinds.register(TestPolicyKinds.GROUP + "/v1", kind, GenericKubernetesResource.class, true);
    }
    Path file = Files.writeString(temp.resolve("in.yaml"), yaml);
    ResourceSnapshot snapshot = DirectorySource.load(List.of(file), new ManifestParser(kinds,
        new io.fabric8.kubernetes.client.utils.KubernetesSerialization(), io.gloo.core.admission.Admission.servedVersionsOnly()));
    assertTrue(snapshot.problems().isEmpty(), snapshot.problems().toString());
    try (PluginInvoker invoker = new PluginInvoker(Duration.ofSeconds(2), new SimpleMeterRegistry());
        Translator translator = new Translator(TestPolicyKinds.catalog(), invoker, PolicyApplier.OutputCheck.NONE)) {
      return translator.translate(snapshot);
    }
  }

  private static final String GATEWAY = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata: {name: gloo-gateway}
      spec: {controllerName: solo.io/gloo-gateway}
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: default}
      spec:
        gatewayClassName: gloo-gateway
        listeners: [{name: http, protocol: HTTP, port: 80}]
      """;

  private static String route(String name, String policy) {
    return "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: " + name
        + ", namespace: default}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n"
        + "    - matches: [{path: {type: PathPrefix, value: /" + name + "}}]\n"
        + "      filters:\n        - {type: ExtensionRef, extensionRef: {group: test.gloo.io, kind: RouteHeaders,"
        + " name: " + policy + "}}\n      backendRefs: [{name: svc, port: 80}]\n";
  }

  @Test
  void aThrowingPolicyOnManyRoutesIsLoggedOnce() throws Exception {
    StringBuilder yaml = new StringBuilder(GATEWAY);
    yaml.append("---\napiVersion: test.gloo.io/v1\nkind: RouteHeaders\n"
        + "metadata: {name: thrower-everywhere, namespace: default}\nspec: {options: {mode: throw}}\n");
    for (int i = 0; i < ROUTES; i++) {
      yaml.append(route("r" + i, "thrower-everywhere"));
    }
    long before = PluginFailureLog.logged();
    TranslationResult first = translate(yaml.toString());
    assertEquals(1, PluginFailureLog.logged() - before, "one entry for " + ROUTES + " routes");
    translate(yaml.toString());
    assertEquals(1, PluginFailureLog.logged() - before, "and none for the same failure in the next translation");
    HTTPRouteStatus status = (HTTPRouteStatus) first.statuses().get(new ResourceKey("HTTPRoute", "default", "r7"));
    assertTrue(status.getParents().get(0).getConditions().stream()
        .anyMatch(c -> c.getType().equals("PartiallyInvalid") && c.getMessage().contains("boom")),
        "still reported on every route");
  }

  @Test
  void aSpecThatDoesNotBindNamesTheFieldAndARouteNamingItSaysRejected() throws Exception {
    String yaml = GATEWAY + "---\napiVersion: test.gloo.io/v1\nkind: RouteHeaders\n"
        + "metadata: {name: badly-typed, namespace: default}\nspec: {options: {}, targetRefs: not-a-list}\n"
        + route("bad", "badly-typed") + route("missing", "not-there");
    TranslationResult result = translate(yaml);

    @SuppressWarnings("unchecked")
    Map<String, Object> policy = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) result
        .statuses().get(new ResourceKey("RouteHeaders", "default", "badly-typed"))).get("statuses"))
        .get(PolicyReports.CONTROLLER_NAMESPACE);
    assertEquals("Rejected", policy.get("state"));
    String reason = String.valueOf(policy.get("reason"));
    assertTrue(reason.contains("spec.targetRefs: expected a list, got \"not-a-list\""), reason);
    assertFalse(reason.contains("spec.spec") || reason.contains("ArrayList"), reason);

    Condition rejected = resolvedRefs(result, "bad");
    assertEquals("False", rejected.getStatus());
    assertEquals("Rejected", rejected.getReason(), rejected.getMessage());
    Condition missing = resolvedRefs(result, "missing");
    assertEquals("BackendNotFound", missing.getReason(), "a policy that does not exist is still not found");
  }

  private static Condition resolvedRefs(TranslationResult result, String route) {
    HTTPRouteStatus status = (HTTPRouteStatus) result.statuses().get(new ResourceKey("HTTPRoute", "default", route));
    return status.getParents().get(0).getConditions().stream().filter(c -> c.getType().equals("ResolvedRefs"))
        .findFirst().orElseThrow();
  }
}
