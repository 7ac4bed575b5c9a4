package io.gloo.plugins.ratelimit;

import static io.gloo.plugins.ratelimit.service.ServiceHarness.d;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.gloo.core.evaluate.RouteDecision;
import io.gloo.core.evaluate.RouteEvaluator;
import io.gloo.core.evaluate.TestRequest;
import io.gloo.core.testing.PluginTranslation;
import io.gloo.core.testing.TestPluginContext;
import io.gloo.core.translate.TranslationResult;
import io.gloo.plugins.ratelimit.service.MutableClock;
import io.gloo.plugins.routeoption.RouteOptionPlugin;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One namespace cannot drain another's rate limits: a RouteOption in namespace b that types namespace a's config
 * selector ({@code gloo.config=a.rlc}) into its own actions is rejected naming the field, and even a request that
 * carries such a descriptor (as Envoy would send it had the option been accepted, or with a's signature copied onto
 * b's name) consumes none of a's counters — over real gRPC {@code ShouldRateLimit} calls to the started plugin.
 */
class TenantIsolationTest {

  TestPluginContext context;
  ManagedChannel channel;
  RateLimitPlugin plugin;
  TranslationResult result;

  @BeforeEach
  void start() throws Exception {
    int port = TestPluginContext.freePort();
    context = new TestPluginContext("ratelimit", Map.of("port", Integer.toString(port), "configStreamPort",
        Integer.toString(TestPluginContext.freePort())));
    plugin = new RateLimitPlugin(new MutableClock(1_704_067_210_000L));
    plugin.start(context);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    result = PluginTranslation.translate(PluginTranslation.load(List.of(resource("tenants/tenants.yaml"))),
        Map.of("routeoption", new RouteOptionPlugin(), "ratelimit", plugin));
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    context.close();
  }

  static Path resource(String name) throws URISyntaxException {
    return Path.of(TenantIsolationTest.class.getClassLoader().getResource(name).toURI());
  }

  Code call(RateLimitDescriptor descriptor) {
    return RateLimitServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .shouldRateLimit(RateLimitRequest.newBuilder().setDomain("custom").addDescriptors(descriptor).build())
        .getOverallCode();
  }

  /** The descriptor Envoy sends for a request to {@code path}, from the translated routes. */
  RateLimitDescriptor descriptorOf(String path) {
    RouteDecision decision = RouteEvaluator.evaluate(result.gateways().values().iterator().next(),
        TestRequest.builder().port(8080).authority("example.com").path(path).build());
    RateLimitDescriptor.Builder b = RateLimitDescriptor.newBuilder();
    for (RouteDecision.Entry e : decision.rateLimits().get(0).descriptors().get(0)) {
      b.addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(e.key()).setValue(e.value()));
    }
    return b.build();
  }

  @Test
  void theReservedSelectorKeyIsRejectedNamingTheField() {
    Map<String, Object> status = PluginTranslation.status(result, "RouteOption", "b", "drain");
    assertEquals("Rejected", status.get("state"), String.valueOf(status));
    String reason = String.valueOf(status.get("reason"));
    assertTrue(reason.contains("options.ratelimit.rateLimits[0].actions[0].genericKey.descriptorKey: "
        + "\"gloo.config\" is reserved"), reason);
    assertEquals("Accepted", PluginTranslation.status(result, "RouteOption", "a", "limited").get("state"));
  }

  @Test
  void aForgedSelectorConsumesNoneOfAnotherNamespacesCounters() {
    RateLimitDescriptor a = descriptorOf("/a");
    String selector = a.getEntries(0).getValue();
    assertEquals("gloo.config", a.getEntries(0).getKey());
    assertTrue(selector.startsWith("a.rlc/a/limited/"), selector);

    // namespace b's attack as Envoy would send it, and a's signature copied onto b's option name
    RateLimitDescriptor typed = d("gloo.config", "a.rlc", "generic_key", "per-route");
    String mac = selector.substring(selector.lastIndexOf('/'));
    RateLimitDescriptor copied = d("gloo.config", "a.rlc/b/drain" + mac, "generic_key", "per-route");
    for (int i = 0; i < 5; i++) {
      assertEquals(Code.OK, call(typed), "forged request " + i);
      assertEquals(Code.OK, call(copied), "copied request " + i);
    }
    assertEquals(10, plugin.limiter().metrics().rejectedSelectors());

    // a's own route still has its whole budget: 2 per minute
    assertEquals(Code.OK, call(a));
    assertEquals(Code.OK, call(a));
    assertEquals(Code.OVER_LIMIT, call(a));
  }

  @Test
  void anotherControlPlaneKeySignsNothingHere() {
    RateLimitDescriptor a = descriptorOf("/a");
    String foreign = io.gloo.plugins.ratelimit.service.ConfigGrants.random().grant("a.rlc", "b", "drain");
    assertNotEquals(a.getEntries(0).getValue(), foreign);
    for (int i = 0; i < 3; i++) {
      assertEquals(Code.OK, call(d("gloo.config", foreign, "generic_key", "per-route")));
    }
    assertEquals(Code.OK, call(a));
  }
}
