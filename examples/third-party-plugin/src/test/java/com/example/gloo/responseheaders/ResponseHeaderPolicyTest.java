package com.example.gloo.responseheaders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.spi.policy.Attachment;
import io.gloo.testkit.GoldenFile;
import io.gloo.testkit.ManifestTranslation;
import io.gloo.testkit.PluginTestKit;
import io.gloo.testkit.Translated;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The plugin on the test kit (io.gloo:gloo-plugin-testkit): found by ServiceLoader and started as gloo starts it,
 * specs bound and validated by core's binder, translator output checked against Envoy's constraints, and the
 * example's manifests translated by core against a golden file ({@code mvn test -Dgolden.update=true} rewrites it).
 */
class ResponseHeaderPolicyTest {

  private final PluginTestKit kit = PluginTestKit.load("response-header-policy");
  private final ResponseHeaderPolicyKind kind = kit.kind(ResponseHeaderPolicyKind.class);

  @AfterEach
  void stop() {
    kit.close();
  }

  @Test
  void thePluginServesTheKind() {
    assertEquals("policies.example.com/ResponseHeaderPolicy", kind.groupKind().toString());
    assertEquals("v1alpha1", kind.version());
    assertEquals(Set.of(Attachment.EXTENSION_REF, Attachment.TARGET_REF), kind.attachments());
    assertEquals("options", kind.mergeField());
  }

  @Test
  void aSpecBindsAsGlooBindsIt() {
    ResponseHeaderPolicySpec spec = kit.accepted(kind, """
        targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: web}]
        options: {add: {x-frame-options: DENY, x-version: 2}, remove: [server]}""");
    assertEquals(Map.of("x-frame-options", "DENY", "x-version", "2"), spec.options().add());
    assertEquals(List.of("server"), spec.options().remove());
    assertEquals("web", spec.targetRefs().get(0).name());
  }

  @Test
  void aSpecOfTheWrongShapeIsRejectedAtItsPath() {
    List<String> status = kit.rejected(kind, "options: {add: [x-a]}");
    assertEquals(1, status.size(), status.toString());
    assertTrue(status.get(0).startsWith("spec.options.add: "), status.toString());
  }

  @Test
  void unknownOptionsAreRejectedByName() {
    assertEquals(List.of("spec.options.set: unknown field"),
        kit.rejected(kind, "options: {add: {x-a: '1'}, set: {x-b: '2'}}"));
  }

  @Test
  void headerNamesMustBeTokens() {
    List<String> status = kit.rejected(kind, """
        options: {add: {'bad header': x, ':status': '200'}, remove: [server, 'x(y)']}""");
    assertEquals(3, status.size(), status.toString());
    assertTrue(status.get(0).startsWith("spec.options.add[bad header]: 'bad header' is not a valid header name"));
    assertTrue(status.get(1).startsWith("spec.options.add[:status]: "));
    assertTrue(status.get(2).startsWith("spec.options.remove[1]: "));
  }

  @Test
  void hostCannotBeModifiedAndValuesCannotBreakLines() {
    assertEquals(List.of("spec.options.add[x-a]: the value must not contain CR, LF or NUL",
        "spec.options.remove[0]: host cannot be modified"),
        kit.rejected(kind, "options: {add: {x-a: \"one\\r\\nx-injected: yes\"}, remove: [Host]}"));
  }

  @Test
  void aPolicyThatDoesNothingIsRejected() {
    assertEquals(List.of("spec.options: set add, remove or both"), kit.rejected(kind, "{}"));
  }

  @Test
  void theRouteGetsSortedAdditionsAndRemovalsThatEnvoyAccepts() {
    Translated<Route> route = kit.route(kind, kit.accepted(kind,
        "options: {add: {x-b: '2', x-a: 50%}, remove: [server, via, server]}"));

    assertEquals(List.of(header("x-a", "50%%"), header("x-b", "2")), route.output().getResponseHeadersToAddList());
    assertEquals(List.of("server", "via"), route.output().getResponseHeadersToRemoveList());
    assertEquals("kube_default_test_80", route.output().getRoute().getCluster(), "what core owns is left alone");
    assertEquals(List.of(), route.reports());
  }

  @Test
  void aHeaderTheRouteAlreadyAddsIsReportedAsAWarning() {
    Route.Builder existing = PluginTestKit.defaultRoute().addResponseHeadersToAdd(header("X-Frame-Options", "SAMEORIGIN"));
    Translated<Route> route = kit.route(kind, kit.accepted(kind, "options: {add: {x-frame-options: DENY}}"),
        kit.context(kind), existing);

    assertEquals(2, route.output().getResponseHeadersToAddCount());
    assertEquals(List.of("warning options.add[x-frame-options]: the route already adds this header"
        + " (e.g. a ResponseHeaderModifier filter); both values are sent"), route.reports());
  }

  @Test
  void theVirtualHostGetsTheSameEdits() {
    VirtualHost vhost = kit.virtualHost(kind, kit.accepted(kind,
        "options: {add: {strict-transport-security: max-age=600}, remove: [x-powered-by]}")).output();

    assertEquals(List.of(header("strict-transport-security", "max-age=600")), vhost.getResponseHeadersToAddList());
    assertEquals(List.of("x-powered-by"), vhost.getResponseHeadersToRemoveList());
  }

  /** example.yaml through core's whole translation: attachment by ExtensionRef and targetRefs, statuses. */
  @Test
  void theExampleTranslatesAsGolden() {
    var result = ManifestTranslation.translate(List.of(Path.of("example.yaml")),
        Map.of("response-header-policy", kit.plugin()));
    GoldenFile.assertMatches(Path.of("src/test/resources/golden/example.json"), ManifestTranslation.render(result));
  }

  private static HeaderValueOption header(String name, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD)
        .build();
  }
}
