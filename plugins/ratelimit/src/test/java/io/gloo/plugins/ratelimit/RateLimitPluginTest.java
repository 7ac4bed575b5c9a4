package io.gloo.plugins.ratelimit;

import io.gloo.core.testing.TestPluginContext;
import static io.gloo.plugins.ratelimit.service.ServiceHarness.d;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.StringValue;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.gloo.core.testing.PluginTranslation;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.plugins.ratelimit.service.MutableClock;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin started as core starts it: its sink compiles every valid RateLimitConfig that a translation hands it
 * into the service on its port, which then enforces them for descriptors shaped the way the generated Envoy actions
 * produce them; inline actions use the custom domain's rules file.
 */
class RateLimitPluginTest {

  static final long T0 = 1_704_067_210_000L;

  TestPluginContext context;
  ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (context != null) {
      context.close();
    }
  }

  RateLimitPlugin start(Map<String, String> extra) throws Exception {
    int port = TestPluginContext.freePort();
    Map<String, String> config = new HashMap<>(extra);
    config.put("port", Integer.toString(port));
    config.putIfAbsent("configStreamPort", Integer.toString(TestPluginContext.freePort()));
    context = new TestPluginContext("ratelimit", config);
    RateLimitPlugin plugin = new RateLimitPlugin(new MutableClock(T0), RateLimitGoldenTest.GRANTS);
    plugin.start(context);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    return plugin;
  }

  RateLimitResponse call(RateLimitRequest request) {
    return RateLimitServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .shouldRateLimit(request);
  }

  @Test
  void theSinkFeedsEveryValidConfigToTheServiceOneDomainEach(@TempDir Path dir) throws Exception {
    Path custom = dir.resolve("custom.yaml");
    Files.writeString(custom, "descriptors: [{key: generic_key, value: whole-host, rateLimit: {unit: MINUTE, "
        + "requestsPerUnit: 1}}]\n");
    RateLimitPlugin plugin = start(Map.of("customRules", custom.toString(), "responseHeaders", "true"));
    // the translation of the golden case hands the sink per-user, per-ip (valid) — invalid is rejected
    PluginTranslation.translate(PluginTranslation.load(GoldenFiles.inputs("refs-and-inline")),
        Map.of("routeoption", new io.gloo.plugins.routeoption.RouteOptionPlugin(), "ratelimit", plugin));
    assertEquals(java.util.Set.of("default.per-user", "default.per-ip", "custom"),
        plugin.limiter().rules().domainNames());

    // as Envoy sends a request to /config with x-user: alice (the route's actions, config selector first)
    RateLimitRequest request = RateLimitRequest.newBuilder().setDomain("custom")
        .addDescriptors(d("gloo.config", RateLimitGoldenTest.selector("default.per-user", "config"), "user", "alice"))
        .addDescriptors(d("gloo.config", RateLimitGoldenTest.selector("default.per-ip", "config"), "remote_address",
            "10.1.2.3"))
        .build();
    for (int i = 0; i < 5; i++) {
      assertEquals(Code.OK, call(request).getOverallCode(), "request " + i);
    }
    RateLimitResponse sixth = call(request);
    assertEquals(Code.OVER_LIMIT, sixth.getOverallCode()); // per-ip: 5 per second
    assertEquals(Code.OVER_LIMIT, sixth.getStatuses(1).getCode());
    assertEquals(Code.OK, sixth.getStatuses(0).getCode()); // per-user: 10 per minute
    assertTrue(sixth.getResponseHeadersToAddCount() == 3);

    // inline actions: no selector, the filter's domain (custom) and its rules file
    RateLimitRequest inline = RateLimitRequest.newBuilder().setDomain("custom")
        .addDescriptors(d("generic_key", "whole-host")).build();
    assertEquals(Code.OK, call(inline).getOverallCode());
    assertEquals(Code.OVER_LIMIT, call(inline).getOverallCode());

    // the admin view names the rules that limited
    String json = ClientCalls.blockingUnaryCall(channel, DecisionsService.LAST_LIMITED,
        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), StringValue.of("")).getValue();
    assertTrue(json.contains("\"domain\":\"custom\",\"rule\":\"generic_key=whole-host\""), json);
    assertTrue(json.contains("\"domain\":\"default.per-ip\",\"rule\":\"remote_address\""), json);
    assertTrue(!json.contains("10.1.2.3"), "request values are not kept: " + json);

    // metrics reach PluginMetrics within a flush (every second)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && context.counters.keySet().stream()
        .noneMatch(k -> k.startsWith("ratelimit.decisions") && k.contains("outcome,limited"))) {
      Thread.sleep(50);
    }
    assertTrue(context.counters.containsKey(
        "ratelimit.decisionsdomain,default.per-ip,rule,remote_address,outcome,limited"), context.counters.toString());
  }

  @Test
  void aBadSettingFailsTheStartNamingTheKey() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RateLimitSettings.from(Map.of("redis.failMode", "sometimes")));
    assertTrue(e.getMessage().contains("ratelimit.redis.failMode"), e.getMessage());
  }
}
