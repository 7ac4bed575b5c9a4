package io.gloo.plugins.ratelimit.service;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.gloo.plugins.ratelimit.config.RateLimitConfigSpec;
import io.gloo.plugins.ratelimit.store.CounterStore;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The rate-limit service on a real socket (Netty on 127.0.0.1, a free port) and a real gRPC client with Envoy's
 * generated stub.
 */
public final class ServiceHarness implements AutoCloseable {

  static final ObjectMapper YAML = YAMLMapper.builder().build();
  /** The control plane's selector-signing key in these tests. */
  public static final ConfigGrants GRANTS = ConfigGrants.of(new byte[32]);

  public final RateLimiter limiter;
  public final Server server;
  public final ManagedChannel channel;
  public final RateLimitServiceGrpc.RateLimitServiceBlockingStub stub;

  public ServiceHarness(CounterStore store, Clock clock, boolean headers, FailMode failMode) throws IOException {
    limiter = new RateLimiter(store, clock, headers, failMode, new RateLimitMetrics(), new RecentDecisions(),
        LoggerFactory.getLogger("ratelimit-test"));
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new RateLimitService(limiter)).build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    stub = RateLimitServiceGrpc.newBlockingStub(channel);
  }

  /** Parses a {@code raw} spec in YAML. */
  public static RateLimitConfigSpec.Raw raw(String yaml) {
    return YAML.readValue(yaml, RateLimitConfigSpec.Raw.class);
  }

  /** Domains and their {@code raw} YAML, alternating. */
  public void rules(String... domainAndYaml) {
    Map<String, RateLimitConfigSpec.Raw> byDomain = new LinkedHashMap<>();
    for (int i = 0; i < domainAndYaml.length; i += 2) {
      byDomain.put(domainAndYaml[i], raw(domainAndYaml[i + 1]));
    }
    limiter.update(RuleSet.compile(byDomain, GRANTS));
  }

  /** The config selector value the control plane signs for {@code domain} (see {@link ConfigGrants}). */
  public static String selector(String domain) {
    return GRANTS.grant(domain, "default", "test");
  }

  /** A descriptor from alternating keys and values. */
  public static RateLimitDescriptor d(String... kv) {
    RateLimitDescriptor.Builder b = RateLimitDescriptor.newBuilder();
    for (int i = 0; i < kv.length; i += 2) {
      b.addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(kv[i]).setValue(kv[i + 1]));
    }
    return b.build();
  }

  public RateLimitResponse call(String domain, RateLimitDescriptor... descriptors) {
    return call(domain, 0, descriptors);
  }

  public RateLimitResponse call(String domain, int hitsAddend, RateLimitDescriptor... descriptors) {
    RateLimitRequest.Builder r = RateLimitRequest.newBuilder().setDomain(domain).setHitsAddend(hitsAddend);
    for (RateLimitDescriptor d : descriptors) {
      r.addDescriptors(d);
    }
    return stub.withDeadlineAfter(10, TimeUnit.SECONDS).shouldRateLimit(r.build());
  }

  @Override
  public void close() {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
