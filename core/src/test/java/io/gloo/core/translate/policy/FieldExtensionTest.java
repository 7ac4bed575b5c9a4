package io.gloo.core.translate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
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
import io.gloo.spi.policy.Attachment;
import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.policy.PolicySink;
import io.gloo.spi.policy.StatusStyle;
import io.gloo.spi.policy.Violation;
import io.gloo.spi.translate.PolicyTranslator;
import io.gloo.spi.translate.ResourceLookup;
import io.gloo.spi.translate.RouteContext;
import io.gloo.spi.translate.VirtualHostContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Core's side of the SPI's {@link FieldExtension} (another plugin translates some fields of a kind, after that
 * kind's merge) and {@link PolicySink} (a plugin receives every valid policy of its kind, with a lookup scoped by
 * ReferenceGrants and a status of the kind's own shape).
 */
class FieldExtensionTest {

  private static final ResourceKey GATEWAY = new ResourceKey("Gateway", "default", "gw");

  /** The claimed field: {@code options.stamp = {value}}. */
  public record Stamp(StampValue stamp) {}

  public record StampValue(String value) {}

  /** Adds {@code x-stamp: <value>}; "bad" is invalid, "missing" reports on the route, "throw" throws. */
  static final class StampExtension implements FieldExtension<Stamp>, PolicyTranslator<Stamp> {
    private final GroupKind target;

    StampExtension(String targetKind) {
      this.target = new GroupKind(TestPolicyKinds.GROUP, targetKind);
    }

    @Override
    public GroupKind target() {
      return target;
    }

    @Override
    public Set<String> fields() {
      return Set.of("stamp");
    }

    @Override
    public Class<Stamp> type() {
      return Stamp.class;
    }

    @Override
    public List<Violation> validate(Stamp value) {
      return "bad".equals(value.stamp().value())
          ? List.of(new Violation("options.stamp.value", "'bad' is not a stamp")) : List.of();
    }

    @Override
    public PolicyTranslator<Stamp> translator() {
      return this;
    }

    @Override
    public void route(RouteContext context, Stamp policy, Route.Builder route) {
      if ("missing".equals(policy.stamp().value())) {
        context.diagnostics().error("options.stamp.value", "stamp source not found");
        context.reportOnRoute("stamp source not found; the rule answers 403");
        route.clearAction().setDirectResponse(
            io.envoyproxy.envoy.config.route.v3.DirectResponseAction.newBuilder().setStatus(403));
        return;
      }
      route.addResponseHeadersToAdd(header(policy));
    }

    @Override
    public void virtualHost(VirtualHostContext context, Stamp policy, VirtualHost.Builder virtualHost) {
      if ("throw".equals(policy.stamp().value())) {
        throw new IllegalStateException("cannot stamp this virtual host");
      }
      virtualHost.addResponseHeadersToAdd(header(policy));
    }

    private static HeaderValueOption header(Stamp policy) {
      return HeaderValueOption.newBuilder()
          .setHeader(HeaderValue.newBuilder().setKey("x-stamp").setValue(policy.stamp().value())).build();
    }
  }

  /** {@code spec: {limit, secretLabels}}; referenced only; status in RateLimitConfig's shape; has a sink. */
  public record RulesSpec(int limit, Map<String, String> secretLabels) {}

  /** What the sink saw: each policy with the Secrets its scoped lookup returned. */
  record Seen(String ref, long generation, int limit, List<String> secrets) {}

  static final List<List<Seen>> PUBLISHED = new CopyOnWriteArrayList<>();

  static final class Rules implements PolicyKind<RulesSpec> {
    @Override
    public GroupKind groupKind() {
      return new GroupKind(TestPolicyKinds.GROUP, "Rules");
    }

    @Override
    public String version() {
      return "v1";
    }

    @Override
    public Class<RulesSpec> specType() {
      return RulesSpec.class;
    }

    @Override
    public Set<Attachment> attachments() {
      return Set.of(Attachment.REFERENCED);
    }

    @Override
    public List<Violation> validate(RulesSpec spec) {
      return spec.limit() < 0 ? List.of(new Violation("limit", "must not be negative")) : List.of();
    }

    @Override
    public StatusStyle statusStyle() {
      return StatusStyle.STATE_MESSAGE;
    }

    @Override
    public PolicySink<RulesSpec> sink() {
      return policies -> {
        List<Seen> seen = new ArrayList<>();
        for (PolicySink.Published<RulesSpec> p : policies) {
          List<String> secrets = new ArrayList<>();
          for (ResourceLookup.SecretData s : p.lookup().secrets(p.spec().secretLabels())) {
            secrets.add(s.namespace() + "/" + s.name() + " " + s.type() + " "
                + new String(s.data().get("api-key"), java.nio.charset.StandardCharsets.UTF_8));
          }
          if (p.lookup().secret("private", "key-private").isPresent()) {
            secrets.add("private/key-private read by name");
          }
          if (p.spec().limit() > 8) {
            p.diagnostics().warning("limit", "more than 8 is generous");
          }
          seen.add(new Seen(p.ref().namespace() + "/" + p.ref().name(), p.generation(), p.spec().limit(), secrets));
        }
        PUBLISHED.add(seen);
      };
    }

    @Override
    public PolicyTranslator<RulesSpec> translator() {
      return new PolicyTranslator<>() {};
    }
  }

  /** RouteHeaders whose {@code options.stamp} and {@code options.other} are unsupported by the kind itself. */
  static final class StampableHeaders extends TestPolicyKinds.Headers {
    StampableHeaders(String kind) {
      super(kind, false);
    }

    @Override
    public Set<String> unsupportedFields() {
      return Set.of("options.stamp", "options.other", "options.guard");
    }

    @Override
    public Set<String> failClosedFields() {
      return Set.of("options.stamp", "options.guard");
    }
  }

  private static TranslationResult result;
  private static XdsResources xds;

  @BeforeAll
  static void translate() {
    KindRegistry kinds = KindRegistry.withBuiltins();
    for (String kind : List.of("RouteHeaders", "VhostHeaders", "Rules")) {
      kinds.register(TestPolicyKinds.GROUP + "/v1", kind, GenericKubernetesResource.class, true);
    }
    ResourceSnapshot snapshot = DirectorySource.load(
        List.of(Path.of("src/test/resources/policy/extensions.yaml")), new ManifestParser(kinds));
    assertTrue(snapshot.problems().isEmpty(), snapshot.problems().toString());
    ClassLoader cl = FieldExtensionTest.class.getClassLoader();
    PolicyCatalog catalog = new PolicyCatalog(
        List.of(new RegisteredKind("headers", new StampableHeaders("RouteHeaders"), cl),
            new RegisteredKind("headers", new StampableHeaders("VhostHeaders"), cl),
            new RegisteredKind("rules", new Rules(), cl)),
        List.of(new PolicyCatalog.RegisteredExtension("stamps", new StampExtension("RouteHeaders"), cl),
            new PolicyCatalog.RegisteredExtension("stamps", new StampExtension("VhostHeaders"), cl)));
    PUBLISHED.clear();
    try (Translator translator = new Translator(catalog, new PluginInvoker(), PolicyApplier.OutputCheck.NONE)) {
      result = translator.translate(snapshot);
    }
    xds = result.gateways().get(GATEWAY);
  }

  private static VirtualHost vhost(int port) {
    RouteConfiguration config = xds.routes().stream().filter(r -> r.getName().equals("http~" + port)).findFirst()
        .orElseThrow();
    return config.getVirtualHosts(0);
  }

  private static Route route(int port, String prefix) {
    return vhost(port).getRoutesList().stream()
        .filter(r -> r.getMatch().getPathSeparatedPrefix().equals(prefix)).findFirst().orElseThrow();
  }

  private static Map<String, String> headers(List<HeaderValueOption> options) {
    Map<String, String> result = new java.util.TreeMap<>();
    options.forEach(o -> result.put(o.getHeader().getKey(), o.getHeader().getValue()));
    return result;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> glooStatus(String kind, String name) {
    Map<String, Object> status = (Map<String, Object>) result.statuses().get(new ResourceKey(kind, "default", name));
    return (Map<String, Object>) ((Map<String, Object>) status.get("statuses"))
        .get(PolicyReports.CONTROLLER_NAMESPACE);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> rulesStatus(String namespace, String name) {
    return (Map<String, Object>) result.statuses().get(new ResourceKey("Rules", namespace, name));
  }

  private static Condition routeCondition(String route, String type) {
    HTTPRouteStatus status = (HTTPRouteStatus) result.statuses().get(new ResourceKey("HTTPRoute", "default", route));
    return status.getParents().get(0).getConditions().stream().filter(c -> c.getType().equals(type)).findFirst()
        .orElse(null);
  }

  @Test
  void theExtensionTranslatesTheMergedClaimedFieldWithTheTargetKindsPrecedence() {
    Map<String, String> h = headers(route(80, "/stamped").getResponseHeadersToAddList());
    assertEquals("a", h.get("x-stamp"), "the ExtensionRef policy's stamp wins over the targetRef one: " + h);
    assertEquals("whole-route", h.get("x-from"), "the target kind still applies its own fields: " + h);
    assertEquals("b", headers(route(80, "/plain").getResponseHeadersToAddList()).get("x-stamp"),
        "where only the targetRef policy applies, its stamp is used");
  }

  @Test
  void aClaimedFieldIsNoLongerUnsupportedButTheOthersStillAre() {
    String reason = String.valueOf(glooStatus("RouteHeaders", "stamp-a").get("reason"));
    assertTrue(reason.contains("spec.options.other is not supported"), reason);
    assertFalse(reason.contains("options.stamp"), reason);
  }

  @Test
  void invalidClaimedFieldsFailTheRouteClosedAndNameTheField() {
    assertEquals(500, route(80, "/invalid").getDirectResponse().getStatus());
    assertEquals("Rejected", glooStatus("RouteHeaders", "stamp-invalid").get("state"));
    assertTrue(String.valueOf(glooStatus("RouteHeaders", "stamp-invalid").get("reason"))
        .contains("spec.options.stamp.value: 'bad' is not a stamp"));
    assertEquals("a", headers(route(80, "/stamped").getResponseHeadersToAddList()).get("x-stamp"),
        "other rules are unaffected");
  }

  @Test
  void anExtensionReportsOnTheRouteAndOnTheOptionThatSetTheField() {
    assertEquals(403, route(80, "/missing").getDirectResponse().getStatus());
    Condition partial = routeCondition("r1", "PartiallyInvalid");
    assertNotNull(partial, "the HTTPRoute is told");
    assertTrue(partial.getMessage().contains("stamp source not found; the rule answers 403"), partial.getMessage());
    assertTrue(String.valueOf(glooStatus("RouteHeaders", "stamp-missing").get("reason"))
        .contains("spec.options.stamp.value: stamp source not found"));
  }

  @Test
  void anUnimplementedGuardFieldFailsItsRouteClosedWhileAnImplementedOneIsTranslated() {
    assertEquals(500, route(80, "/guarded").getDirectResponse().getStatus(), "never served without its guard");
    Map<String, Object> status = glooStatus("RouteHeaders", "guarded");
    assertEquals("Rejected", status.get("state"));
    String reason = String.valueOf(status.get("reason"));
    assertTrue(reason.contains("spec.options.guard: no loaded plugin implements it"), reason);
    assertTrue(reason.contains("UnsupportedValue: spec.options.guard is not supported by any loaded plugin; where it"
        + " applies, routes answer 500"), "still reported as unsupported: " + reason);
    assertFalse(route(80, "/stamped").hasDirectResponse(), "options.stamp is fail-closed too, but implemented");
  }

  @Test
  void aVirtualHostPolicyThatFailsClosesEveryRouteOfTheVirtualHost() {
    Route behind = route(8080, "/behind-closed");
    assertEquals(500, behind.getDirectResponse().getStatus());
    assertEquals("Rejected", glooStatus("VhostHeaders", "closed-listener").get("state"));
    assertFalse(route(80, "/plain").hasDirectResponse(), "the other listener's virtual host is unaffected");
  }

  @Test
  void theSinkGetsEveryValidPolicySortedWithSecretsItMayRead() {
    assertEquals(1, PUBLISHED.size(), "one publish per translation");
    List<Seen> seen = PUBLISHED.get(0);
    assertEquals(List.of("default/b-rules", "other/a-rules"), seen.stream().map(Seen::ref).toList(),
        "the rejected policy is left out; sorted by namespace then name");
    assertEquals(3, seen.get(0).generation());
    assertEquals(List.of("default/key-default extauth.solo.io/apikey s3cret-default",
        "shared/key-granted extauth.solo.io/apikey s3cret-granted"), seen.get(0).secrets(),
        "own namespace, and another only through a ReferenceGrant; never by name without one");
    assertEquals(List.of(), seen.get(1).secrets(), "the grant is for namespace default only");
  }

  @Test
  void aKindCanHaveRateLimitConfigsStatusShape() {
    Map<String, Object> accepted = rulesStatus("default", "b-rules");
    assertEquals("ACCEPTED", accepted.get("state"));
    assertEquals(3L, ((Number) accepted.get("observedGeneration")).longValue());
    assertEquals("spec.limit: more than 8 is generous", accepted.get("message"), "sink diagnostics land here");
    Map<String, Object> quiet = rulesStatus("other", "a-rules");
    assertEquals("ACCEPTED", quiet.get("state"));
    assertFalse(quiet.containsKey("message"), "a referenced-only kind is not 'unattached': " + quiet);
    Map<String, Object> rejected = rulesStatus("default", "broken");
    assertEquals("REJECTED", rejected.get("state"));
    assertEquals("spec.limit: must not be negative", rejected.get("message"));
    assertFalse(String.valueOf(result.statuses()).contains("s3cret"), "no secret value in any status");
  }
}
