package io.gloo.core.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.watch.DirectorySource;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTPRoute delegation end to end (golden case {@code delegation}): which child route serves each request, as Envoy
 * would route it, and the statuses on parents and children.
 */
class DelegationRoutesTest {

  private static TranslationResult result;
  private static RouteEvaluator ev;

  @BeforeAll
  static void translate() throws Exception {
    result = new Translator().translate(DirectorySource.load(GoldenFiles.inputs("delegation"), GoldenFiles.parser()));
    ev = new RouteEvaluator(result.gateways().get(new ResourceKey("Gateway", "default", "gw")));
  }

  private static String served(String method, String path, String... headers) {
    TestRequest.Builder b = TestRequest.builder().method(method).authority("example.com").path(path);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    RouteDecision d = ev.evaluate(b.build());
    if (d.source() == null) {
      return d.outcome().toString();
    }
    return d.source().namespace() + "/" + d.source().name() + " " + d.source().rule() + "/" + d.source().match() + " "
        + (d.cluster() == null ? d.outcome() : d.cluster());
  }

  @Test
  void childrenServeWithinTheParentsMatch() {
    assertEquals("team-a/api-v1 0/0 kube_team-a_svc-a_8080", served("GET", "/api/v1/x"));
    assertEquals("team-a/api-v1 2/0 kube_team-a_svc-a_8080", served("GET", "/api/exact"));
    // api-v1's /other rule lies outside the parent's /api: not served, the parent's catch-all answers
    assertEquals("default/root 5/0 kube_default_root-svc_80", served("GET", "/other"));
    // a child with hostnames of its own is rejected
    assertEquals("default/root 5/0 kube_default_root-svc_80", served("GET", "/api/hosts"));
  }

  @Test
  void headersMethodsAndInheritedMatchers() {
    assertEquals("team-b/shop 0/0 kube_team-b_svc-b_80", served("GET", "/shop/cart", "x-env", "prod"));
    assertEquals("default/root 5/0 kube_default_root-svc_80", served("GET", "/shop/cart"));
    // /shop/admin lacks the parent's header match
    assertEquals("default/root 5/0 kube_default_root-svc_80", served("GET", "/shop/admin", "x-env", "prod"));
    // inherit-parent-matcher: /inherit + /v1, and the parent's GET
    assertEquals("team-c/inherit 0/0 kube_team-c_svc-c_80", served("GET", "/inherit/v1/x"));
    assertEquals("team-c/inherit 1/0 kube_team-c_svc-c2_80", served("GET", "/inherit/other"));
    assertEquals("default/root 5/0 kube_default_root-svc_80", served("POST", "/inherit/v1/x"));
  }

  @Test
  void multiLevelLabelsAndMixedRules() {
    assertEquals("team-a2/deep 0/0 kube_team-a2_svc-a2_80", served("GET", "/api/v2/deep/1"));
    assertEquals("team-d/blue 0/0 kube_team-d_svc-d_80", served("GET", "/label/x"));
    assertEquals("default/root 6/0 kube_default_mixed-svc_80", served("GET", "/mixed"));
    assertEquals("team-a/mixed 0/0 kube_team-a_svc-a_8080", served("GET", "/mixed/child"));
    // no child for /missing, and the cycle's route serves nothing: the catch-all answers
    assertEquals("default/root 5/0 kube_default_root-svc_80", served("GET", "/missing/x"));
    assertEquals("default/root 5/0 kube_default_root-svc_80", served("GET", "/api/cycle"));
  }

  @Test
  void parentRuleFiltersApplyToChildren() {
    RouteDecision edits = ev.evaluate(TestRequest.builder().method("GET").authority("example.com").path("/edits/a")
        .build());
    assertEquals("kube_team-f_svc-f_80", edits.cluster());
    assertEquals(List.of("parent"), edits.upstream().headers().stream()
        .filter(h -> h.name().equals("x-from")).map(h -> h.value()).toList());
    // URLRewrite on a delegating rule is not carried to the children: they answer 500, and the parent says so
    RouteDecision rewrite = ev.evaluate(TestRequest.builder().method("GET").authority("example.com")
        .path("/rewrite/a").build());
    assertEquals(500, rewrite.status());
    assertEquals("team-f/rewritten", rewrite.source().namespace() + "/" + rewrite.source().name());
    Condition partial = condition("default", "root", "Gateway", "gw", "PartiallyInvalid");
    assertTrue(partial.getMessage().contains("rule 8 filters[0]: filter type URLRewrite on a rule that delegates"),
        partial.getMessage());
    assertFalse(partial.getMessage().contains("timeouts"),
        "the rule's timeouts pass to the children, they are not reported: " + partial.getMessage());
  }

  @Test
  void statusesOnParentsAndChildren() {
    Condition rootRefs = condition("default", "root", "Gateway", "gw", "ResolvedRefs");
    assertEquals("False", rootRefs.getStatus());
    assertEquals("BackendNotFound", rootRefs.getReason());
    assertTrue(rootRefs.getMessage().contains("rule 3: unresolved reference HTTPRoute team-x/nothing"),
        rootRefs.getMessage());
    assertEquals("True", condition("default", "root", "Gateway", "gw", "Accepted").getStatus());

    Condition deep = condition("team-a2", "deep", "HTTPRoute", "api-v2", "Accepted");
    assertEquals("True", deep.getStatus());
    assertEquals("delegated from HTTPRoute team-a/api-v2", deep.getMessage());

    Condition cycle = condition("team-a", "cycle", "HTTPRoute", "root", "ResolvedRefs");
    assertEquals("RefNotPermitted", cycle.getReason());
    assertTrue(cycle.getMessage().contains("cyclic reference detected while evaluating delegated routes for parent: "
        + "team-a/cycle; child route default/root will be ignored"), cycle.getMessage());

    Condition hosts = condition("team-a", "with-hosts", "HTTPRoute", "root", "Accepted");
    assertEquals("False", hosts.getStatus());
    assertEquals("UnsupportedValue", hosts.getReason());

    Condition orphan = condition("team-e", "orphan", "HTTPRoute", "nobody", "Accepted");
    assertEquals("False", orphan.getStatus());
    assertEquals("NoMatchingParent", orphan.getReason());

    // selected by "*" but with no match under the parent's: meant for another parent, nothing to report
    assertEquals(null, result.statuses().get(new ResourceKey("HTTPRoute", "team-a", "elsewhere")));
    assertEquals("default/root 5/0 kube_default_root-svc_80", served("GET", "/elsewhere"));

    // api-v2 names its parent route: one parent status, for that route (not "parentRef kind not supported")
    HTTPRouteStatus apiV2 = (HTTPRouteStatus) result.statuses().get(new ResourceKey("HTTPRoute", "team-a", "api-v2"));
    assertEquals(1, apiV2.getParents().size());
    assertEquals("True", condition("team-a", "api-v2", "HTTPRoute", "root", "Accepted").getStatus());
  }

  private static Condition condition(String ns, String name, String parentKind, String parentName, String type) {
    HTTPRouteStatus status = (HTTPRouteStatus) result.statuses().get(new ResourceKey("HTTPRoute", ns, name));
    for (RouteParentStatus p : status.getParents()) {
      if (p.getParentRef().getKind().equals(parentKind) && p.getParentRef().getName().equals(parentName)) {
        for (Condition c : p.getConditions()) {
          if (c.getType().equals(type)) {
            return c;
          }
        }
      }
    }
    throw new AssertionError("no " + type + " for " + ns + "/" + name + " parent " + parentName + ": " + status);
  }
}
