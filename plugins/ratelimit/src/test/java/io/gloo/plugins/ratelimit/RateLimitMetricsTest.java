package io.gloo.plugins.ratelimit;

import static io.gloo.plugins.ratelimit.service.ServiceHarness.d;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.gloo.core.testing.Await;
import io.gloo.core.testing.PluginTranslation;
import io.gloo.core.testing.TestPluginContext;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.plugins.ratelimit.service.MutableClock;
import io.gloo.plugins.ratelimit.store.RedisServerProcess;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rate-limit service's metrics as core exports them (the plugin started on a context backed by core's plugin
 * meters, scraped as Prometheus text): decisions by outcome, decision and counter-store latency histograms, store
 * errors when Redis is down, and the version of the rules in use.
 */
class RateLimitMetricsTest {

  TestPluginContext context;
  ManagedChannel channel;
  RedisServerProcess redis;

  @TempDir
  Path dir;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (context != null) {
      context.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private RateLimitPlugin start(Map<String, String> extra) throws Exception {
    Path custom = dir.resolve("custom.yaml");
    Files.writeString(custom, "descriptors: [{key: generic_key, value: whole-host, rateLimit: {unit: MINUTE, "
        + "requestsPerUnit: 1}}]\n");
    int port = TestPluginContext.freePort();
    Map<String, String> config = new HashMap<>(extra);
    config.put("port", Integer.toString(port));
    config.put("configStreamPort", Integer.toString(TestPluginContext.freePort()));
    config.put("customRules", custom.toString());
    context = new TestPluginContext("ratelimit", config);
    RateLimitPlugin plugin = new RateLimitPlugin(new MutableClock(RateLimitPluginTest.T0),
        RateLimitGoldenTest.GRANTS);
    plugin.start(context);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    return plugin;
  }

  private Code call() {
    return RateLimitServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .shouldRateLimit(RateLimitRequest.newBuilder().setDomain("custom")
            .addDescriptors(d("generic_key", "whole-host")).build()).getOverallCode();
  }

  private double sample(String name, String... labels) {
    return context.sample(name, labels);
  }

  @Test
  void anOverLimitDecisionIsCountedByOutcomeAndEveryDecisionIsTimed() throws Exception {
    start(Map.of());
    // bound at start, empty until the first decision
    assertEquals(0.0, sample("gloo_plugin_ratelimit_decision_duration_seconds_count"));
    assertEquals(Code.OK, call());
    assertEquals(Code.OVER_LIMIT, call());

    // timed on the request path, recorded off it (drained every 100 ms)
    Await.until(Duration.ofSeconds(10), () -> sample("gloo_plugin_ratelimit_decision_duration_seconds_count",
        "plugin", "ratelimit") == 2.0, context::scrape);
    Await.until(Duration.ofSeconds(10), () -> sample("gloo_plugin_ratelimit_store_duration_seconds_count",
        "store", "memory", "result", "ok") == 2.0, context::scrape);
    assertTrue(sample("gloo_plugin_ratelimit_decision_duration_seconds_bucket", "le", "10.0") == 2.0,
        context.scrape());
    // counts are flushed every second
    Await.until(Duration.ofSeconds(10), () -> sample("gloo_plugin_ratelimit_decisions_total",
        "outcome", "limited", "domain", "custom") == 1.0, context::scrape);
    assertEquals(1.0, sample("gloo_plugin_ratelimit_decisions_total", "outcome", "allowed",
        "rule", "generic_key=whole-host"));
    assertEquals(-1.0, sample("gloo_plugin_ratelimit_store_errors_total"));
  }

  @Test
  void aStoppedRedisCountsStoreErrorsAndTheirLatency() throws Exception {
    redis = RedisServerProcess.start();
    start(Map.of("store", "redis", "redis.address", redis.address(), "redis.timeout", "200ms"));
    // the client connects in the background: once a call was counted in Redis, its round trip was timed as ok
    // (recorded off the request path: a call is made only while none has been recorded as ok yet)
    AtomicInteger calls = new AtomicInteger();
    Await.until(Duration.ofSeconds(20), () -> {
      if (sample("gloo_plugin_ratelimit_store_duration_seconds_count", "store", "redis", "result", "ok") >= 1.0) {
        return true;
      }
      calls.incrementAndGet();
      call();
      return false;
    }, context::scrape);
    // every call timed one store call, ok or error: once all are recorded, the errors so far are known
    Await.until(Duration.ofSeconds(10), () -> sample("gloo_plugin_ratelimit_store_duration_seconds_count", "store",
        "redis", "result", "ok") + Math.max(0, sample("gloo_plugin_ratelimit_store_duration_seconds_count", "store",
        "redis", "result", "error")) == calls.get(), context::scrape);
    double errorsBefore = sample("gloo_plugin_ratelimit_store_duration_seconds_count", "store", "redis",
        "result", "error");
    if (errorsBefore > 0) { // calls before the client had connected: wait until they are flushed
      Await.until(Duration.ofSeconds(10), () -> sample("gloo_plugin_ratelimit_store_errors_total",
          "fail_mode", "open") == errorsBefore, context::scrape);
    }

    redis.stop();
    assertEquals(Code.OK, call()); // fail open (the default)
    assertEquals(Code.OK, call());
    Await.until(Duration.ofSeconds(10), () -> sample("gloo_plugin_ratelimit_store_duration_seconds_count",
        "store", "redis", "result", "error") == errorsBefore + 2.0, context::scrape);
    Await.until(Duration.ofSeconds(10), () -> sample("gloo_plugin_ratelimit_store_errors_total",
        "fail_mode", "open") == errorsBefore + 2.0, context::scrape);
    assertTrue(sample("gloo_plugin_ratelimit_decisions_total", "outcome", "errors") >= 2.0, context.scrape());
  }

  @Test
  void theConfigVersionGaugeMovesWhenTheRulesChange() throws Exception {
    RateLimitPlugin plugin = start(Map.of());
    double first = sample("gloo_plugin_ratelimit_config_version", "plugin", "ratelimit");
    assertNotEquals(0.0, first); // the custom rules are served from the start
    assertEquals((double) plugin.configVersion(), first);

    PluginTranslation.translate(PluginTranslation.load(GoldenFiles.inputs("refs-and-inline")),
        Map.of("routeoption", new io.gloo.plugins.routeoption.RouteOptionPlugin(), "ratelimit", plugin));
    double second = sample("gloo_plugin_ratelimit_config_version", "plugin", "ratelimit");
    assertNotEquals(first, second);
    assertEquals((double) plugin.configVersion(), second);

    // the same rules again: the same version
    PluginTranslation.translate(PluginTranslation.load(GoldenFiles.inputs("refs-and-inline")),
        Map.of("routeoption", new io.gloo.plugins.routeoption.RouteOptionPlugin(), "ratelimit", plugin));
    assertEquals(second, sample("gloo_plugin_ratelimit_config_version", "plugin", "ratelimit"));
  }
}
