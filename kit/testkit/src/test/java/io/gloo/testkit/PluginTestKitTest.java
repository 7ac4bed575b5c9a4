package io.gloo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class PluginTestKitTest {

  private final TestPolicy plugin = new TestPolicy();
  private final PluginTestKit kit = PluginTestKit.start("test-policy", plugin, Map.of("mode", "strict"));
  private final TestPolicy.Kind kind = kit.kind(TestPolicy.Kind.class);

  @Test
  void thePluginIsStartedWithAFakeContext() {
    assertEquals("test-policy", plugin.started.pluginId());
    assertEquals(Map.of("mode", "strict"), plugin.started.config());
    assertEquals(1.0, kit.context().counter("starts", "plugin", "test-policy"));
    assertEquals(kind, kit.kind(TestPolicy.GROUP_KIND));
    assertThrows(AssertionFailedError.class, () -> kit.kind(new io.gloo.spi.policy.GroupKind("x", "Y")));
  }

  @Test
  void bindingErrorsNameTheJsonPathRelativeToSpec() {
    SpecBinder.Bound<TestPolicy.Spec> bound = kit.bind(kind, """
        headers:
          - {name: x-a, value: "1"}
          - {name: {nested: object}, value: "2"}""");
    assertNull(bound.spec());
    assertEquals(1, bound.violations().size(), bound.violations().toString());
    assertEquals("headers[1].name", bound.violations().get(0).field());
    assertTrue(bound.statusMessages().get(0).startsWith("spec.headers[1].name: "), bound.statusMessages().toString());
  }

  @Test
  void validationViolationsAreStatusMessages() {
    assertEquals(List.of("spec.headers: at least one"), kit.rejected(kind, "headers: []"));
    assertThrows(AssertionFailedError.class, () -> kit.rejected(kind, "headers: [{name: x-a, value: b}]"));
    AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> kit.accepted(kind, "{}"));
    assertTrue(e.getMessage().contains("spec.headers: at least one"), e.getMessage());
    assertEquals(1, kit.rejected(kind, "headers: [unclosed").size(), "not YAML is a violation, not an exception");
  }

  @Test
  void outputEnvoyWouldRejectFailsTheTestNamingTheField() {
    TestPolicy.Spec spec = kit.accepted(kind, "headers: [{name: '', value: v}]");
    AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> kit.route(kind, spec));
    assertTrue(e.getMessage().contains("request_headers_to_add[0].header.key"), e.getMessage());
    assertEquals(1, kit.envoyViolations(kind, spec, route -> {}).size());

    Route ok = kit.route(kind, kit.accepted(kind, "headers: [{name: x-a, value: v}]")).output();
    assertEquals("x-a", ok.getRequestHeadersToAdd(0).getHeader().getKey());
  }

  @Test
  void lookupsAndReportsAreRecorded() {
    FakeResourceLookup lookup = new FakeResourceLookup();
    TestPolicy.Spec spec = kit.accepted(kind, "{headers: [{name: x-a, value: v}], secret: true}");

    Translated<Route> missing = kit.route(kind, spec, kit.context(kind).lookup(lookup), PluginTestKit.defaultRoute());
    assertEquals(List.of("error secret: Secret default/creds not found"), missing.reports());
    assertEquals(List.of("secret default/creds"), lookup.lookups());

    lookup.secret("default", "creds", Map.of("token", "t"));
    assertEquals(List.of(), kit.route(kind, spec, kit.context(kind).lookup(lookup), PluginTestKit.defaultRoute())
        .reports());
  }

  @Test
  void loadFailsUnlessExactlyOnePluginIsListed() {
    AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> PluginTestKit.load("none"));
    assertTrue(e.getMessage().contains("expected one io.gloo.spi.GlooPlugin"), e.getMessage());
  }
}
