package io.gloo.plugin.upstream;

import io.gloo.core.translate.GoldenFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.TranslationJson;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.XdsResources;
import io.gloo.spi.GlooPlugin;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.PolicyKind;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Behaviour pinned by name: rejections name the field and fail the route closed; statuses have Gloo's shape. */
class UpstreamBehaviourTest {

  private static TranslationResult invalid;
  private static XdsResources invalidXds;
  private static TranslationResult ssl;

  @BeforeAll
  static void translate() {
    invalid = UpstreamHarness.translate(GoldenFiles.sourceDir("golden").resolve("invalid/input.yaml"));
    invalidXds = UpstreamHarness.onlyGateway(invalid);
    ssl = UpstreamHarness.translate(GoldenFiles.sourceDir("golden").resolve("ssl/input.yaml"));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> glooStatus(TranslationResult result, String name) {
    Object status = result.statuses().get(new ResourceKey("Upstream", "default", name));
    assertNotNull(status, "no status for Upstream default/" + name);
    Map<String, Object> statuses = (Map<String, Object>) ((Map<String, Object>) status).get("statuses");
    return (Map<String, Object>) statuses.get("gloo-system");
  }

  static String state(TranslationResult result, String name) {
    return (String) glooStatus(result, name).get("state");
  }

  static String reason(TranslationResult result, String name) {
    return String.valueOf(glooStatus(result, name).get("reason"));
  }

  private static Route route(String prefix) {
    return invalidXds.routes().get(0).getVirtualHosts(0).getRoutesList().stream()
        .filter(r -> r.getMatch().getPathSeparatedPrefix().equals(prefix)).findFirst().orElseThrow();
  }

  private static boolean hasCluster(String name) {
    return invalidXds.clusters().stream().anyMatch(c -> c.getName().equals(name));
  }

  /** The rule answers 500: a direct response, or a cluster Envoy does not have with a 500 not-found code. */
  private static void answers500(String prefix) {
    Route r = route(prefix);
    if (r.hasDirectResponse()) {
      assertEquals(500, r.getDirectResponse().getStatus(), prefix);
      return;
    }
    assertEquals(RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR,
        r.getRoute().getClusterNotFoundResponseCode(), prefix);
    assertFalse(hasCluster(r.getRoute().getCluster()), prefix + " must point at a cluster that is not served");
  }

  @Test
  void aStaticHostWithoutPortIsRejectedNamingTheField() {
    assertEquals("Rejected", state(invalid, "no-port"));
    assertTrue(reason(invalid, "no-port").contains("spec.static.hosts[0].port: is required"),
        reason(invalid, "no-port"));
    answers500("/no-port");
  }

  @Test
  void aMissingTlsSecretRejectsTheUpstreamAndItsRoutesAnswer500() {
    assertEquals("Rejected", state(invalid, "missing-secret"));
    String reason = reason(invalid, "missing-secret");
    assertTrue(reason.contains("spec.sslConfig.secretRef: Secret default/does-not-exist not found"), reason);
    answers500("/missing-secret");
    // in a weighted split the broken share answers 500, the healthy share is served
    RouteAction split = route("/split").getRoute();
    assertEquals(2, split.getWeightedClusters().getClustersCount());
    assertTrue(hasCluster("upstream_default_fine"));
    assertFalse(hasCluster("upstream_default_missing-secret"));
    assertEquals("Rejected", state(invalid, "missing-key"));
    answers500("/missing-key");
    assertTrue(reason(invalid, "san-without-ca").contains("spec.sslConfig.verifySubjectAltName"));
    answers500("/san-without-ca");
  }

  @Test
  void unsupportedUpstreamTypesAreRejectedAndAnswer500() {
    assertEquals("Rejected", state(invalid, "aws"));
    assertTrue(reason(invalid, "aws").contains("spec.aws: upstream type 'aws' is not supported"));
    answers500("/aws");
    assertEquals("Rejected", state(invalid, "sds"));
    assertTrue(reason(invalid, "sds").contains("spec.sslConfig.sds"));
    answers500("/sds");
    assertEquals("Rejected", state(invalid, "no-type"));
    assertEquals("Rejected", state(invalid, "two-types"));
    answers500("/two-types");
  }

  @Test
  void theRouteStatusNamesTheRejectedUpstreams() {
    HTTPRouteStatus status = (HTTPRouteStatus) invalid.statuses().get(new ResourceKey("HTTPRoute", "default", "r"));
    Condition refs = status.getParents().get(0).getConditions().stream()
        .filter(c -> c.getType().equals("ResolvedRefs")).findFirst().orElseThrow();
    assertEquals("False", refs.getStatus());
    assertTrue(refs.getMessage().contains("Upstream default/no-port is rejected"), refs.getMessage());
    assertTrue(refs.getMessage().contains("Upstream default/ghost"), refs.getMessage());
  }

  @Test
  void badDurationsAndIncompleteHealthChecksAreRejected() {
    String reason = reason(invalid, "bad-duration");
    assertTrue(reason.contains("spec.connectionConfig.connectTimeout: 'soon' is not a duration"), reason);
    assertTrue(reason.contains("spec.healthChecks[0].timeout: is required"), reason);
    assertTrue(reason.contains("spec.healthChecks[0].httpHealthCheck.path: is required"), reason);
    answers500("/bad-duration");
  }

  @Test
  void unknownFieldsAreReportedNotDropped() {
    assertEquals("Warning", state(invalid, "unknown-fields"));
    String reason = reason(invalid, "unknown-fields");
    for (String field : List.of("spec.static.hosts[0].healthCheckConfig", "spec.static.flavour",
        "spec.circuitBreakers.maxConections", "spec.maxConcurrentStreams")) {
      assertTrue(reason.contains(field), field + " in " + reason);
    }
    assertTrue(hasCluster("upstream_default_unknown-fields"), "a warning does not stop the Upstream");
  }

  @Test
  void statusesHaveGlooShape() {
    Map<String, Object> s = glooStatus(ssl, "mtls");
    assertEquals("Accepted", s.get("state"));
    assertEquals("gloo-kube-gateway", s.get("reportedBy"));
    assertTrue(s.containsKey("observedGeneration"));
    assertNull(s.get("reason"));
  }

  @Test
  void secretValuesNeverAppearInStatuses() {
    String statuses = TranslationJson.statuses(ssl.statuses().statuses()).toString()
        + TranslationJson.statuses(invalid.statuses().statuses()).toString();
    for (String value : List.of("TESTKEY", "TESTCERT", "TESTCA")) {
      assertFalse(statuses.contains(value), value);
      assertFalse(statuses.contains(Base64.getEncoder().encodeToString(value.getBytes())), value);
    }
    assertFalse(statuses.contains("LS0tLS1CRUdJTi"), "no base64 PEM in statuses");
  }

  @Test
  void clustersNameTheirSourceUpstream() {
    Cluster c = UpstreamHarness.onlyGateway(ssl).clusters().stream()
        .filter(x -> x.getName().equals("upstream_default_mtls")).findFirst().orElseThrow();
    var source = c.getMetadata().getFilterMetadataOrThrow("io.gloo.source");
    assertEquals("Upstream", source.getFieldsOrThrow("kind").getStringValue());
    assertEquals("default", source.getFieldsOrThrow("namespace").getStringValue());
    assertEquals("mtls", source.getFieldsOrThrow("name").getStringValue());
  }

  @Test
  void thePluginIsFoundByServiceLoaderAndServesUpstreams() {
    List<GlooPlugin> plugins = ServiceLoader.load(GlooPlugin.class, getClass().getClassLoader()).stream()
        .map(ServiceLoader.Provider::get).toList();
    assertEquals(1, plugins.size());
    PolicyKind<?> kind = plugins.get(0).policyKinds().get(0);
    assertEquals("gloo.solo.io/Upstream", kind.groupKind().toString());
    assertEquals("v1", kind.version());
    assertEquals(Set.of(Attachment.BACKEND_REF, Attachment.REFERENCED), kind.attachments());
    assertNull(kind.mergeField());
  }

  @Test
  void specBindingKeepsUnknownFieldsAndAcceptsGlooNumberStrings() {
    JsonMapper mapper = JsonMapper.builder().build();
    UpstreamSpec spec = mapper.readValue("""
        {"static": {"hosts": [{"addr": "a", "port": 1, "extra": 1}]},
         "loadBalancerConfig": {"ringHash": {"ringHashConfig": {"minimumRingSize": "10", "maximumRingSize": 20}}},
         "later": true}""", UpstreamSpec.class);
    assertEquals(10L, spec.loadBalancerConfig().ringHash().ringHashConfig().minimumRingSize());
    assertEquals(20L, spec.loadBalancerConfig().ringHash().ringHashConfig().maximumRingSize());
    assertEquals(List.of("static.hosts[0].extra", "later"), UnknownFields.of(spec));
  }

  @Test
  void validationNamesEachBadField() {
    JsonMapper mapper = JsonMapper.builder().build();
    UpstreamSpec spec = mapper.readValue("""
        {"kube": {"serviceName": "s", "servicePort": 70000},
         "healthChecks": [{"timeout": "1s", "interval": "1s", "unhealthyThreshold": 1, "healthyThreshold": 1,
                           "httpHealthCheck": {"path": "/", "method": "FETCH"}}],
         "loadBalancerConfig": {"random": {}, "maglev": {}, "leastRequest": {"choiceCount": 1}},
         "sslConfig": {"parameters": {"minimumProtocolVersion": "SSLv3"}},
         "protocolSelection": "FASTEST"}""", UpstreamSpec.class);
    List<String> fields = new UpstreamKind().validate(spec).stream().map(v -> v.field()).toList();
    assertEquals(List.of("kube.servicePort", "sslConfig.parameters.minimumProtocolVersion", "loadBalancerConfig",
        "loadBalancerConfig.leastRequest.choiceCount", "healthChecks[0].httpHealthCheck.method",
        "protocolSelection"), fields);
  }

  @Test
  void durationsAcceptProtobufAndGoForms() {
    assertEquals(5, Durations.parse("5s").getSeconds());
    assertEquals(100_000_000, Durations.parse("100ms").getNanos());
    assertEquals(250_000_000, Durations.parse("0.250s").getNanos());
    assertEquals(90, Durations.parse("1m30s").getSeconds());
    assertEquals(3600, Durations.parse("1h").getSeconds());
    assertNull(Durations.parse("5"));
    assertNull(Durations.parse("soon"));
    assertNull(Durations.parse("-5s"));
  }

  @Test
  void ipLiteralsAreToldApartFromHostnamesWithoutDns() {
    assertTrue(UpstreamTranslator.isIpLiteral("10.0.0.1"));
    assertTrue(UpstreamTranslator.isIpLiteral("fd00::1"));
    assertTrue(UpstreamTranslator.isIpLiteral("::1"));
    assertFalse(UpstreamTranslator.isIpLiteral("300.0.0.1"));
    assertFalse(UpstreamTranslator.isIpLiteral("api.example.com"));
    assertFalse(UpstreamTranslator.isIpLiteral("echo-server"));
  }

}
