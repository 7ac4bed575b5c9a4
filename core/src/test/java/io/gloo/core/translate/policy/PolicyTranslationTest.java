package io.gloo.core.translate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.translate.xds.PolicyApplier;
import io.gloo.core.watch.DirectorySource;
import io.gloo.core.watch.KindRegistry;
import io.gloo.core.watch.ManifestParser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Core's side of plugin policies, with kinds defined in test code: attachment by ExtensionRef, targetRef and
 * backendRef; Gloo's precedence and shallow merge; statuses that say what was lost to whom; and fault containment
 * for translators that throw, hang or emit invalid config.
 */
class PolicyTranslationTest {

  private static final ResourceKey GATEWAY = new ResourceKey("Gateway", "default", "gw");
  private static final ResourceKey ROUTE = new ResourceKey("HTTPRoute", "default", "r1");

  private static SimpleMeterRegistry metrics;
  private static TranslationResult result;
  private static XdsResources xds;
  private static int specsHashed;

  @BeforeAll
  static void translate() {
    KindRegistry kinds = KindRegistry.withBuiltins();
    for (String kind : List.of("RouteHeaders", "LenientHeaders", "VhostHeaders", "StaticBackend")) {
      kinds.register(TestPolicyKinds.GROUP + "/v1", kind, GenericKubernetesResource.class, true);
    }
    ResourceSnapshot snapshot = DirectorySource.load(
        List.of(Path.of("src/test/resources/policy/policies.yaml")), new ManifestParser(kinds));
    assertTrue(snapshot.problems().isEmpty(), snapshot.problems().toString());
    metrics = new SimpleMeterRegistry();
    PluginInvoker invoker = new PluginInvoker(Duration.ofMillis(300), metrics);
    int hashedBefore = TestPolicyKinds.HeaderSpec.HASHED.get();
    try (Translator translator = new Translator(TestPolicyKinds.catalog(), invoker, PolicyApplier.OutputCheck.NONE)) {
      result = translator.translate(snapshot);
    }
    specsHashed = TestPolicyKinds.HeaderSpec.HASHED.get() - hashedBefore;
    xds = result.gateways().get(GATEWAY);
  }

  @AfterAll
  static void done() {
    metrics.close();
  }

  private static VirtualHost vhost(int port) {
    RouteConfiguration config = xds.routes().stream().filter(r -> r.getName().equals("http~" + port)).findFirst()
        .orElseThrow();
    return config.getVirtualHosts(0);
  }

  private static Route route(String prefix) {
    return vhost(80).getRoutesList().stream()
        .filter(r -> r.getMatch().getPathSeparatedPrefix().equals(prefix)).findFirst().orElseThrow();
  }

  private static Map<String, String> responseHeaders(List<HeaderValueOption> options) {
    return options.stream().collect(Collectors.toMap(o -> o.getHeader().getKey(), o -> o.getHeader().getValue(),
        (a, b) -> a, TreeMap::new));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> policyStatus(String kind, String name) {
    Object status = result.statuses().get(new ResourceKey(kind, "default", name));
    Map<String, Object> statuses = (Map<String, Object>) ((Map<String, Object>) status).get("statuses");
    return (Map<String, Object>) statuses.get(PolicyReports.CONTROLLER_NAMESPACE);
  }

  private static String state(String kind, String name) {
    return (String) policyStatus(kind, name).get("state");
  }

  private static String reason(String kind, String name) {
    return String.valueOf(policyStatus(kind, name).get("reason"));
  }

  private static List<Condition> routeConditions() {
    return ((HTTPRouteStatus) result.statuses().get(ROUTE)).getParents().get(0).getConditions();
  }

  private static Condition routeCondition(String type) {
    return routeConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }

  /**
   * Core dedupes policies by identity, never by the plugin spec's hashCode: hashing a plugin record links its
   * ObjectMethods bootstrap, whose shared method handle (JDK 19+) softly caches the plugin's classes and so kept a
   * removed plugin's classloader reachable (ThirdPartyPluginTest on JDK 25).
   */
  @Test
  void translationNeverHashesPluginSpecs() {
    assertEquals(0, specsHashed);
  }

  @Test
  void extensionRefsWinOverTargetRefsAndEarlierFiltersWinOverLater() {
    // ext-a set headers first; ext-b only contributes "note"; tr-old contributes "extra"; tr-new only "onlynew"
    assertEquals(Map.of("x-ext", "a"), responseHeaders(route("/merge").getResponseHeadersToAddList()));
    assertEquals("Accepted", state("RouteHeaders", "ext-a"));
  }

  @SuppressWarnings("unchecked")
  @Test
  void theLosingPolicyStatusNamesTheFieldsItLostAndToWhom() {
    Map<String, Object> details = (Map<String, Object>) policyStatus("RouteHeaders", "ext-b").get("details");
    Map<String, String> lost = (Map<String, String>) details.get("lostFields");
    assertTrue(lost.get("options.headers").startsWith("test.gloo.io/RouteHeaders default/ext-a"), lost.toString());

    Map<String, String> lostByNew = (Map<String, String>) ((Map<String, Object>)
        policyStatus("RouteHeaders", "tr-new").get("details")).get("lostFields");
    assertTrue(lostByNew.get("options.extra").contains("default/tr-old"), lostByNew.toString());
    assertTrue(lostByNew.get("options.headers").contains("default/tr-old"), lostByNew.toString());
  }

  @Test
  void oldestTargetRefWinsPerFieldWhereNoExtensionRefApplies() {
    // rule "second": tr-rule (2023, targets this rule) is oldest, then tr-old (2024-01), then tr-new (2024-02)
    assertEquals(Map.of("x-rule", "second"), responseHeaders(route("/second").getResponseHeadersToAddList()));
  }

  @Test
  void aMissingExtensionRefAnswers500AndIsReportedOnTheRoute() {
    assertEquals(500, route("/ghost").getDirectResponse().getStatus());
    Condition refs = routeCondition("ResolvedRefs");
    assertEquals("False", refs.getStatus());
    assertTrue(refs.getMessage().contains("RouteHeaders default/ghost not found"), refs.getMessage());
  }

  @Test
  void aRejectedPolicyIsNotAppliedAndItsRuleAnswers500() {
    assertEquals(500, route("/rejected").getDirectResponse().getStatus());
    assertEquals("Rejected", state("RouteHeaders", "rejected-one"));
    assertTrue(reason("RouteHeaders", "rejected-one").contains("spec.options.mode: reject is not a valid mode"));
  }

  @Test
  void aThrowingTranslatorFailsItsRouteClosedAndTheRestIsServed() {
    assertEquals(500, route("/throw").getDirectResponse().getStatus());
    assertEquals("Rejected", state("RouteHeaders", "thrower"));
    assertTrue(reason("RouteHeaders", "thrower").contains("boom"), reason("RouteHeaders", "thrower"));
    assertTrue(route("/second").hasRoute(), "other rules are still forwarded");
    Condition partial = routeCondition("PartiallyInvalid");
    assertTrue(partial.getMessage().contains("rule 3"), partial.getMessage());
  }

  @Test
  void aFailOpenPolicyIsSkippedButReported() {
    Route lenient = route("/lenient");
    assertTrue(lenient.hasRoute(), "fail-open: the route still forwards");
    assertEquals("Rejected", state("LenientHeaders", "lenient-thrower"));
    assertTrue(routeCondition("PartiallyInvalid").getMessage().contains("skipped (fail-open)"));
  }

  @Test
  void aHangingTranslatorIsAbandonedAfterTheTimeout() {
    assertEquals(500, route("/hang").getDirectResponse().getStatus());
    assertTrue(reason("RouteHeaders", "hanger").contains("did not return within 300 ms"));
    assertEquals(1.0, metrics.get("gloo.plugin.failures").tag("reason", "timeout").counter().count());
  }

  @Test
  void aTranslatorThatRewritesWhatCoreOwnsIsInvalid() {
    assertEquals(500, route("/rename").getDirectResponse().getStatus());
    assertTrue(reason("RouteHeaders", "renamer").contains("invalid config"));
  }

  @Test
  void backendRefsOfAPluginKindBecomeItsClusters() {
    assertTrue(xds.clusters().stream().anyMatch(c -> c.getName().equals("staticbackend_default_static-ok")));
    assertEquals("staticbackend_default_static-ok", route("/static").getRoute().getCluster());
    // a backend whose cluster came back without the expected name is dropped: the route answers 500 for it
    assertFalse(xds.clusters().stream().anyMatch(c -> c.getName().contains("misnamed") || c.getName().isEmpty()));
    // pointed at a deliberately unresolved cluster, as an unresolved backendRef is: a cluster missing from the
    // snapshot would cost the Gateway its snapshot
    String misnamed = route("/misnamed").getRoute().getCluster();
    assertTrue(misnamed.startsWith(io.gloo.core.translate.xds.RouteBuilder.UNRESOLVED_CLUSTER_PREFIX), misnamed);
    assertEquals("Rejected", state("StaticBackend", "static-misnamed"));
    assertEquals("Accepted", state("StaticBackend", "static-ok"));
  }

  @Test
  void aBackendAPolicyReferencesIsBuiltEvenIfNoRouteForwardsToIt() {
    assertEquals("staticbackend_default_static-mirror-only",
        route("/mirror").getRoute().getRequestMirrorPolicies(0).getCluster());
    assertTrue(xds.clusters().stream().anyMatch(c -> c.getName().equals("staticbackend_default_static-mirror-only")));
    // across namespaces without a ReferenceGrant: not resolved, and the policy says so
    assertEquals(0, route("/mirror-elsewhere").getRoute().getRequestMirrorPoliciesCount());
    assertFalse(xds.clusters().stream().anyMatch(c -> c.getName().contains("static-far")));
    assertTrue(reason("RouteHeaders", "mirrorer-cross").contains("backend elsewhere/static-far not available"));
  }

  @Test
  void listenerSpecificVirtualHostOptionsWinOverGatewayWideOnes() {
    assertEquals(Map.of("x-vh", "listener"), responseHeaders(vhost(80).getResponseHeadersToAddList()));
    assertEquals(Map.of("x-vh", "wide"), responseHeaders(vhost(8080).getResponseHeadersToAddList()));
  }

  @Test
  void danglingTargetRefsAndUnsupportedFieldsAreReported() {
    assertEquals("Warning", state("RouteHeaders", "dangling"));
    String reason = reason("RouteHeaders", "dangling");
    assertTrue(reason.contains("HTTPRoute default/nope does not exist (dangling)"), reason);
    assertTrue(reason.contains("spec.options.transformations is not supported"), reason);
  }

  @Test
  void httpFiltersOfAppliedPoliciesAreAddedBeforeTheRouter() throws Exception {
    Listener listener = xds.listeners().stream().filter(l -> l.getName().equals("http~80")).findFirst().orElseThrow();
    HttpConnectionManager hcm = listener.getFilterChains(0).getFilters(0).getTypedConfig()
        .unpack(HttpConnectionManager.class);
    List<String> names = hcm.getHttpFiltersList().stream().map(HttpFilter::getName).toList();
    assertEquals("envoy.filters.http.router", names.get(names.size() - 1));
    assertTrue(names.contains("test.filter.routeheaders"), names.toString());
    assertTrue(names.contains("test.filter.vhostheaders"), names.toString());
    assertEquals(names.size(), names.stream().distinct().count(), "each filter once: " + names);
  }
}
