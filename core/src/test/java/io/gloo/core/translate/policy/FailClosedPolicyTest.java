package io.gloo.core.translate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
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
import io.gloo.spi.policy.GroupKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fail-closed kinds ({@code PolicyKind.failClosed()}, and kinds with fail-closed fields): a guarding policy that is
 * rejected, or whose plugin is gone, closes what it targets (an HTTPRoute, one rule, a Gateway or a listener) with
 * a 500 instead of leaving it open, and both the HTTPRoute's and the policy's statuses say why. A kind that does not
 * guard is only reported, as before. (The unload path through the plugin manager: FailClosedPluginUnloadTest.)
 */
class FailClosedPolicyTest {

  private static TranslationResult result;

  /** A guard kind: the test headers kind, declared fail-closed ({@code mode: reject} makes a policy invalid). */
  static final class Guard extends TestPolicyKinds.Headers {
    Guard() {
      super("Guard", true); // fail-open is ignored for a fail-closed kind
    }

    @Override
    public boolean failClosed() {
      return true;
    }
  }

  @BeforeAll
  static void translate() {
    KindRegistry kinds = KindRegistry.withBuiltins();
    for (String kind : List.of("RouteHeaders", "Guard", "GoneGuard", "GoneOptions")) {
      kinds.register(TestPolicyKinds.GROUP + "/v1", kind, GenericKubernetesResource.class, true);
    }
    ResourceSnapshot snapshot = DirectorySource.load(
        List.of(Path.of("src/test/resources/policy/fail-closed.yaml")), new ManifestParser(kinds));
    assertTrue(snapshot.problems().isEmpty(), snapshot.problems().toString());
    ClassLoader cl = FailClosedPolicyTest.class.getClassLoader();
    PolicyCatalog catalog = new PolicyCatalog(List.of(
        new RegisteredKind("test-headers", new TestPolicyKinds.Headers("RouteHeaders", false), cl),
        new RegisteredKind("test-guard", new Guard(), cl)), List.of(), List.of(
        // what core remembers of kinds whose plugins went: one guards as a whole, one only by a field
        new AbsentKind(new GroupKind(TestPolicyKinds.GROUP, "GoneGuard"), "gone-guard", true, Set.of()),
        new AbsentKind(new GroupKind(TestPolicyKinds.GROUP, "GoneOptions"), "gone-options", false,
            Set.of("options.extauth"))));
    try (Translator translator = new Translator(catalog,
        // the default limit: a cold first binding on a loaded machine can take over 500 ms (then "not checked")
        new PluginInvoker(PluginInvoker.DEFAULT_TIMEOUT, new SimpleMeterRegistry()), PolicyApplier.OutputCheck.NONE)) {
      result = translator.translate(snapshot);
    }
  }

  private static Route route(String gateway, int port, String prefix) {
    RouteConfiguration config = result.gateways().get(new ResourceKey("Gateway", "default", gateway)).routes()
        .stream().filter(r -> r.getName().equals("http~" + port)).findFirst().orElseThrow();
    return config.getVirtualHosts(0).getRoutesList().stream()
        .filter(r -> r.getMatch().getPathSeparatedPrefix().equals(prefix)).findFirst().orElseThrow();
  }

  private static Route route(String prefix) {
    return route("gw", 80, prefix);
  }

  private static boolean answers500(Route route) {
    return route.hasDirectResponse() && route.getDirectResponse().getStatus() == 500;
  }

  private static Condition condition(String route, String type) {
    HTTPRouteStatus status = (HTTPRouteStatus) result.statuses().get(new ResourceKey("HTTPRoute", "default", route));
    return status.getParents().get(0).getConditions().stream().filter(c -> c.getType().equals(type)).findFirst()
        .orElse(null);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> policyStatus(String kind, String name) {
    Object status = result.statuses().get(new ResourceKey(kind, "default", name));
    Map<String, Object> statuses = (Map<String, Object>) ((Map<String, Object>) status).get("statuses");
    return (Map<String, Object>) statuses.get(PolicyReports.CONTROLLER_NAMESPACE);
  }

  @Test
  void aValidGuardApplies() {
    Route valid = route("/valid");
    assertTrue(valid.hasRoute());
    assertEquals("yes", valid.getResponseHeadersToAdd(0).getHeader().getValue());
    assertEquals("True", condition("r-valid", "ResolvedRefs").getStatus());
  }

  @Test
  void aRejectedGuardTargetingARouteClosesItAndBothStatusesSayWhy() {
    assertTrue(answers500(route("/rejected")), route("/rejected").toString());
    Condition refs = condition("r-rejected", "ResolvedRefs");
    assertEquals("False", refs.getStatus());
    assertTrue(refs.getMessage().contains("test.gloo.io/Guard default/bad is rejected: [spec.options.mode: reject"
        + " is not a valid mode]; the rule answers 500 (fail-closed)"), refs.getMessage());

    Map<String, Object> status = policyStatus("Guard", "bad");
    assertEquals("Rejected", status.get("state"));
    assertTrue(String.valueOf(status.get("reason")).contains("the routes it targets answer 500"), status.toString());
    assertEquals(List.of("HTTPRoute default/r-rejected rule 0"),
        ((Map<?, ?>) status.get("details")).get("failClosed"));
  }

  @Test
  void aRejectedGuardNamingOneRuleClosesOnlyThatRule() {
    assertTrue(answers500(route("/secure")));
    assertTrue(route("/open").hasRoute(), "the other rule of the route is served");
  }

  @Test
  void aRejectedGuardNamedByAnExtensionRefClosesItsRuleAsBefore() {
    assertTrue(answers500(route("/ext")));
    assertEquals("False", condition("r-ext", "ResolvedRefs").getStatus());
  }

  @Test
  void aRejectedPolicyOfAKindThatDoesNotGuardIsOnlyReported() {
    assertTrue(route("/lenient").hasRoute(), "served, as before: the kind is not fail-closed");
    assertEquals("True", condition("r-lenient", "ResolvedRefs").getStatus());
    assertEquals("Rejected", policyStatus("RouteHeaders", "bad-plain").get("state"));
    assertFalse(((Map<?, ?>) policyStatus("RouteHeaders", "bad-plain").get("details")).containsKey("failClosed"));
  }

  @Test
  void aGuardWhosePluginIsGoneClosesTheRoutesItTargets() {
    assertTrue(answers500(route("/gone")));
    Condition refs = condition("r-gone", "ResolvedRefs");
    assertEquals("False", refs.getStatus());
    assertEquals("InvalidKind", refs.getReason());
    assertTrue(refs.getMessage().contains("test.gloo.io/GoneGuard default/gone is no longer served: plugin gone-guard,"
        + " which served it, is not loaded"), refs.getMessage());
    Map<String, Object> status = policyStatus("GoneGuard", "gone");
    assertEquals("Rejected", status.get("state"));
    assertTrue(String.valueOf(status.get("reason")).contains("plugin gone-guard, which served it, is not loaded"),
        status.toString());
  }

  @Test
  void anExtensionRefToAKindWhosePluginIsGoneAnswers500AsBefore() {
    assertTrue(answers500(route("/gone-ext")));
    assertEquals("InvalidKind", condition("r-gone-ext", "ResolvedRefs").getReason());
  }

  @Test
  void anOrphanedPolicyClosesItsRoutesOnlyIfItSetsAFailClosedField() {
    assertTrue(answers500(route("/gone-fields")));
    assertTrue(condition("r-gone-fields", "ResolvedRefs").getMessage().contains("(it sets spec.options.extauth)"));

    assertTrue(route("/gone-harmless").hasRoute(), "retries alone do not guard: served without them");
    Map<String, Object> status = policyStatus("GoneOptions", "gone-retries");
    assertEquals("Warning", status.get("state"));
    assertTrue(String.valueOf(status.get("reason")).contains("not loaded; not applied"), status.toString());
  }

  @Test
  void aRejectedGuardTargetingAGatewayClosesEveryRouteOfItsVirtualHost() {
    assertTrue(answers500(route("gw2", 81, "/gw2")));
    Condition partially = condition("r-gw2", "PartiallyInvalid");
    assertTrue(partially != null && partially.getMessage().contains("Guard default/bad-gw is rejected"),
        String.valueOf(partially));
    assertEquals(List.of("Gateway default/gw2 listener http"),
        ((Map<?, ?>) policyStatus("Guard", "bad-gw").get("details")).get("failClosed"));
    assertTrue(route("/valid").hasRoute(), "the other Gateway is not affected");
  }

  @Test
  void aGuardWhosePluginIsGoneTargetingAListenerClosesItsRoutes() {
    assertTrue(answers500(route("gw3", 82, "/gw3")));
    assertTrue(condition("r-gw3", "PartiallyInvalid").getMessage().contains("GoneGuard default/gone-gw is no longer"
        + " served"));
  }
}
