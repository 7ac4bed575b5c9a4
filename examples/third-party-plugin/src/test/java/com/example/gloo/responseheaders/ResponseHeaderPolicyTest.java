package com.example.gloo.responseheaders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.spi.GlooPlugin;
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.policy.Violation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The plugin on its own: discovery, spec binding, validation and both translator hooks, on Envoy's builders. */
class ResponseHeaderPolicyTest {

  private final ResponseHeaderPolicyKind kind = new ResponseHeaderPolicyKind();

  private static ResponseHeaderPolicySpec spec(Map<String, String> add, List<String> remove) {
    return new ResponseHeaderPolicySpec(new ResponseHeaderPolicySpec.Options(add, remove), List.of());
  }

  /** Binds a spec as Gloo does: a plain Jackson mapper, JSON tree of {@code spec} to {@link PolicyKind#specType()}. */
  private ResponseHeaderPolicySpec bind(String json) {
    JsonMapper mapper = JsonMapper.builder().build();
    return mapper.treeToValue(mapper.readTree(json), kind.specType());
  }

  @Test
  void thePluginIsFoundByServiceLoaderAndServesTheKind() {
    List<GlooPlugin> plugins = ServiceLoader.load(GlooPlugin.class).stream().map(ServiceLoader.Provider::get)
        .toList();
    assertEquals(1, plugins.size());
    List<PolicyKind<?>> kinds = plugins.get(0).policyKinds();
    assertEquals(1, kinds.size());
    PolicyKind<?> served = kinds.get(0);
    assertEquals("policies.example.com/ResponseHeaderPolicy", served.groupKind().toString());
    assertEquals("v1alpha1", served.version());
    assertEquals(Set.of(Attachment.EXTENSION_REF, Attachment.TARGET_REF), served.attachments());
    assertEquals("options", served.mergeField());
  }

  @Test
  void aSpecBindsFromJsonAsGlooBindsIt() {
    ResponseHeaderPolicySpec spec = bind("""
        {"targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": "web"}],
         "options": {"add": {"x-frame-options": "DENY", "x-version": 2}, "remove": ["server"]}}""");
    assertEquals(Map.of("x-frame-options", "DENY", "x-version", "2"), spec.options().add());
    assertEquals(List.of("server"), spec.options().remove());
    assertEquals("web", spec.targetRefs().get(0).name());
    assertEquals(List.of(), kind.validate(spec));
  }

  @Test
  void unknownOptionsAreRejectedByName() {
    ResponseHeaderPolicySpec spec = bind("""
        {"options": {"add": {"x-a": "1"}, "set": {"x-b": "2"}}}""");
    assertEquals(List.of(new Violation("options.set", "unknown field")), kind.validate(spec));
  }

  @Test
  void headerNamesMustBeTokens() {
    Map<String, String> add = new LinkedHashMap<>();
    add.put("x-ok", "1");
    add.put("bad header", "2");
    add.put(":status", "200");
    List<Violation> violations = kind.validate(spec(add, List.of("server", "x(y)")));
    assertEquals(List.of("options.add[bad header]", "options.add[:status]", "options.remove[1]"),
        violations.stream().map(Violation::field).toList());
    assertTrue(violations.get(0).message().contains("not a valid header name"), violations.toString());
  }

  @Test
  void hostCannotBeModifiedAndValuesCannotBreakLines() {
    List<Violation> violations = kind.validate(spec(Map.of("x-a", "one\r\nx-injected: yes"), List.of("Host")));
    assertEquals(List.of(
        new Violation("options.add[x-a]", "the value must not contain CR, LF or NUL"),
        new Violation("options.remove[0]", "host cannot be modified")), violations);
  }

  @Test
  void aPolicyThatDoesNothingIsRejected() {
    assertEquals(List.of(new Violation("options", "set add, remove or both")), kind.validate(spec(null, null)));
    assertEquals("options", kind.validate(bind("{}")).get(0).field());
  }

  @Test
  void theRouteGetsSortedAdditionsAndRemovals() {
    FakeRouteContext context = new FakeRouteContext();
    Route.Builder route = Route.newBuilder().setName("httproute/default/web/0/0");
    kind.translator().route(context, spec(Map.of("x-b", "2", "x-a", "50%"), List.of("server", "via", "server")),
        route);

    assertEquals(List.of(header("x-a", "50%%"), header("x-b", "2")), route.getResponseHeadersToAddList());
    assertEquals(List.of("server", "via"), route.getResponseHeadersToRemoveList());
    assertEquals("httproute/default/web/0/0", route.getName(), "what core owns is left alone");
    assertEquals(List.of(), context.reports);
  }

  @Test
  void aHeaderTheRouteAlreadyAddsIsReportedAsAWarning() {
    FakeRouteContext context = new FakeRouteContext();
    Route.Builder route = Route.newBuilder().addResponseHeadersToAdd(header("X-Frame-Options", "SAMEORIGIN"));
    kind.translator().route(context, spec(Map.of("x-frame-options", "DENY"), List.of()), route);

    assertEquals(2, route.getResponseHeadersToAddCount());
    assertEquals(List.of("warning options.add[x-frame-options]: the route already adds this header"
        + " (e.g. a ResponseHeaderModifier filter); both values are sent"), context.reports);
  }

  @Test
  void theVirtualHostGetsTheSameEdits() {
    VirtualHost.Builder vhost = VirtualHost.newBuilder().setName("http~8080~*").addDomains("*");
    kind.translator().virtualHost(new FakeRouteContext(), spec(Map.of("strict-transport-security", "max-age=600"),
        List.of("x-powered-by")), vhost);

    assertEquals(List.of(header("strict-transport-security", "max-age=600")), vhost.getResponseHeadersToAddList());
    assertEquals(List.of("x-powered-by"), vhost.getResponseHeadersToRemoveList());
  }

  private static HeaderValueOption header(String name, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD)
        .build();
  }
}
