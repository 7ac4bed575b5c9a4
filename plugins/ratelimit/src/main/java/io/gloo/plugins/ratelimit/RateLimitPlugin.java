package io.gloo.plugins.ratelimit;

import com.google.errorprone.annotations.ThreadSafe;
import io.gloo.plugins.common.ServiceTls;
import io.gloo.plugins.common.configstream.ConfigPublisher;
import io.gloo.plugins.common.configstream.ConfigSubscriber;
import io.gloo.plugins.common.configstream.ConfigVersion;
import io.gloo.plugins.ratelimit.config.RateLimitConfigSpec;
import io.gloo.plugins.ratelimit.service.ConfigGrants;
import io.gloo.plugins.ratelimit.service.RateLimitMetrics;
import io.gloo.plugins.ratelimit.service.RateLimitService;
import io.gloo.plugins.ratelimit.service.RateLimiter;
import io.gloo.plugins.ratelimit.service.RecentDecisions;
import io.gloo.plugins.ratelimit.service.RuleSet;
import io.gloo.plugins.ratelimit.store.CounterStore;
import io.gloo.plugins.ratelimit.store.MemoryCounterStore;
import io.gloo.plugins.ratelimit.store.RedisAccess;
import io.gloo.plugins.ratelimit.store.RedisCounterStore;
import io.gloo.spi.BackgroundService;
import io.gloo.spi.GlooPlugin;
import io.gloo.spi.PluginContext;
import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.spi.policy.PolicySink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The ratelimit plugin: RateLimitConfig, the rate-limit fields of RouteOption and VirtualHostOption, and the
 * rate-limit service.
 *
 * <ul>
 *   <li>Inside {@code gloo serve} (the default mode) it serves {@code envoy.service.ratelimit.v3.RateLimitService} on
 *       {@code port} (18081) with the rules of every valid RateLimitConfig (from its sink) and the {@code custom}
 *       domain's rules file, and publishes the compiled rules ({@value #RULES_SERVICE}) for standalone replicas on
 *       {@code configStreamPort} (18082), served by core with mutual TLS: only a certificate for
 *       {@value #SERVER_IDENTITY} (or the control plane's) from the control plane's CA may subscribe.
 *   <li>Standalone ({@code gloo ratelimit-server}, {@code mode=standalone}) it serves the same service with rules
 *       pulled from {@code controlPlane} (its {@code configStreamPort}) with the client certificate core hands it,
 *       and keeps serving its last rules while the control plane is away.
 *   <li>Offline ({@code gloo translate}, {@code PluginContext.Mode.OFFLINE}) it translates with the same settings
 *       and serves nothing: no counter store, no port, no thread.
 * </ul>
 */
@ThreadSafe
public final class RateLimitPlugin implements GlooPlugin {

  /** The gRPC service the rules are published on (plugins/common's config stream). */
  public static final String RULES_SERVICE = "gloo.ratelimit.RuleStream";
  /** The standalone server's name in its certificate's identity ({@code spiffe://gloo/service/ratelimit-server}). */
  public static final String SERVER_IDENTITY = "ratelimit-server";
  /** Setting: a file whose bytes (at least 16) sign config selectors, the same for every control-plane replica. */
  static final String DESCRIPTOR_KEY_FILE = "descriptorKeyFile";

  private final Clock clock;
  private volatile RateLimitSettings settings = RateLimitSettings.defaults();
  private volatile Runtime runtime;
  /** Rules from the last sink call (domain → raw), kept so that a restart of the service can start from them. */
  private volatile Map<String, RateLimitConfigSpec.Raw> published = Map.of();
  private volatile RateLimitConfigSpec.Raw customRules;
  /** Signs the config selectors of translated routes and checks them in the service (see {@link ConfigGrants}). */
  private volatile ConfigGrants grants;

  private final RateLimitConfigKind kind = new RateLimitConfigKind(this::publish);
  /** The rules served now ({@code gloo_plugin_ratelimit_config_version}). */
  private final ConfigVersion version = new ConfigVersion();

  public RateLimitPlugin() {
    this(Clock.systemUTC());
  }

  RateLimitPlugin(Clock clock) {
    this(clock, ConfigGrants.random());
  }

  /** With a fixed selector-signing key (deterministic translations in tests). */
  RateLimitPlugin(Clock clock, ConfigGrants grants) {
    this.clock = clock;
    this.grants = grants;
  }

  /** The key from {@code descriptorKeyFile} (shared by every control-plane replica), else this process's own. */
  private static ConfigGrants grantsFrom(Map<String, String> config, ConfigGrants fallback) {
    String file = config.get(DESCRIPTOR_KEY_FILE);
    if (file == null || file.isBlank()) {
      return fallback;
    }
    try {
      return ConfigGrants.of(Files.readAllBytes(Path.of(file.trim())));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("ratelimit." + DESCRIPTOR_KEY_FILE + ": cannot use " + file + ": "
          + e.getMessage(), e);
    }
  }

  /** What runs while the plugin is started. */
  private record Runtime(RateLimiter limiter, CounterStore store, ConfigPublisher publisher,
      ConfigSubscriber subscriber, ScheduledExecutorService scheduler) {}

  @Override
  public void start(PluginContext context) {
    RateLimitSettings s = RateLimitSettings.from(context.config());
    grants = grantsFrom(context.config(), grants);
    settings = s;
    if (s.customRules() != null) {
      try {
        customRules = RuleCodec.readRaw(Files.readString(Path.of(s.customRules())));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("ratelimit.customRules: cannot read " + s.customRules() + ": "
            + e.getMessage(), e);
      }
    }
    if (context.mode() == PluginContext.Mode.OFFLINE) {
      // gloo translate and friends: the kinds and field extensions translate with these settings; no store, no
      // service, no thread (the sink keeps the rules, which nothing serves)
      context.logger().debug("offline: rate-limit rules are compiled, not served");
      return;
    }
    RedisAccess redisAccess = s.store() == RateLimitSettings.Store.REDIS ? RedisAccess.from(context.config())
        : RedisAccess.NONE;
    CounterStore store = s.store() == RateLimitSettings.Store.REDIS
        ? new RedisCounterStore(s.redisAddress(), s.redisTimeout(), clock, redisAccess)
        : new MemoryCounterStore(s.maxCounters(), clock);
    RateLimiter limiter = new RateLimiter(store, clock, s.responseHeaders(), s.failMode(), new RateLimitMetrics(),
        new RecentDecisions(), context.logger());
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ratelimit-metrics");
      t.setDaemon(true);
      return t;
    });
    ConfigPublisher publisher = null;
    ConfigSubscriber subscriber = null;
    if (s.standalone()) {
      subscriber = new ConfigSubscriber(s.controlPlane(), RULES_SERVICE,
          context.controlPlaneCredentials().orElse(null), json -> {
            RuleCodec.Published rules = RuleCodec.decode(json);
            limiter.update(RuleSet.compile(withCustom(rules.domains()), ConfigGrants.decode(rules.descriptorKey())));
            version.applied(json);
          }, context.logger());
    } else {
      publisher = new ConfigPublisher(RULES_SERVICE);
    }
    Runtime r = new Runtime(limiter, store, publisher, subscriber, scheduler);
    try {
      limiter.update(compile(published));
      if (publisher != null) {
        String json = RuleCodec.encode(withCustom(published), grants);
        version.applied(json);
        publisher.publish(json);
      }
      if (s.tls()) { // only proxies (and the control plane) with a certificate from the CA
        context.registerPeerAuthenticatedGrpcService(s.port(), new RateLimitService(limiter), ServiceTls.CALLERS);
        context.registerPeerAuthenticatedGrpcService(s.port(), new DecisionsService(limiter.recent()),
            ServiceTls.CALLERS);
      } else {
        context.registerNonBlockingGrpcService(s.port(), new RateLimitService(limiter));
        context.registerGrpcService(s.port(), new DecisionsService(limiter.recent()));
      }
      if (publisher != null) {
        context.registerPeerAuthenticatedGrpcService(s.configStreamPort(), publisher,
            ConfigPublisher.allowedSubscribers(SERVER_IDENTITY));
      }
      context.registerAdminView("decisions", () -> DecisionsService.json(limiter.recent().recent()));
    } catch (RuntimeException e) {
      // e.g. the port is taken: release the store's connection and threads before failing the start
      scheduler.shutdownNow();
      store.close();
      throw e;
    }
    runtime = r;
    limiter.metrics().bind(context.metrics(), store.name());
    version.export(context.metrics(), "ratelimit");
    context.registerBackgroundService(new BackgroundService() {
      @Override
      public String name() {
        return "ratelimit-" + (s.standalone() ? "standalone" : "service") + "-" + store.name();
      }

      @Override
      public void start() {
        scheduler.scheduleAtFixedRate(() -> limiter.metrics().flush(context.metrics()), 1, 1, TimeUnit.SECONDS);
        scheduler.scheduleAtFixedRate(limiter.metrics()::drainLatencies, 100, 100, TimeUnit.MILLISECONDS);
        if (r.subscriber() != null) {
          r.subscriber().start();
        }
      }

      @Override
      public void stop() {
        scheduler.shutdownNow();
        if (r.subscriber() != null) {
          r.subscriber().close();
        }
        store.close();
      }
    });
    context.logger().info("rate-limit service on port {}{} ({} counters{}), {}", s.port(),
        s.tls() ? " (mutual TLS)" : "", store.name(),
        s.store() == RateLimitSettings.Store.REDIS
            ? " at " + s.redisAddress() + " (" + redisAccess.describe() + "), fail-" + s.failMode().label()
            : "", s.standalone() ? "rules from " + s.controlPlane()
            : "rules from this control plane, streamed to replicas on port " + s.configStreamPort());
  }

  @Override
  public void stop() {
    runtime = null;
  }

  @Override
  public List<PolicyKind<?>> policyKinds() {
    return List.of(kind);
  }

  @Override
  public List<FieldExtension<?>> fieldExtensions() {
    return RateLimitExtensions.all(this::settings, () -> grants);
  }

  RateLimitSettings settings() {
    return settings;
  }

  /** The version of the rules in use (0 before any). */
  long configVersion() {
    return version.current();
  }

  /** The running limiter, or null when stopped (for tests and the admin view). */
  RateLimiter limiter() {
    Runtime r = runtime;
    return r == null ? null : r.limiter();
  }

  /** The sink: every valid RateLimitConfig, compiled into one rule set and swapped in at once. */
  private void publish(List<PolicySink.Published<RateLimitConfigSpec>> configs) {
    Map<String, RateLimitConfigSpec.Raw> byDomain = new TreeMap<>();
    for (PolicySink.Published<RateLimitConfigSpec> c : configs) {
      if (c.spec().raw != null) {
        byDomain.put(RateLimitConfigKind.domain(c.ref().namespace(), c.ref().name()), c.spec().raw);
      }
    }
    published = Map.copyOf(byDomain);
    Runtime r = runtime;
    if (r != null && r.subscriber() == null) {
      r.limiter().update(compile(byDomain));
      String json = RuleCodec.encode(withCustom(byDomain), grants);
      version.applied(json);
      r.publisher().publish(json);
    }
  }

  private Map<String, RateLimitConfigSpec.Raw> withCustom(Map<String, RateLimitConfigSpec.Raw> byDomain) {
    Map<String, RateLimitConfigSpec.Raw> all = new TreeMap<>(byDomain);
    RateLimitConfigSpec.Raw custom = customRules;
    if (custom != null) {
      all.put(RuleSet.CUSTOM_DOMAIN, custom);
    }
    return all;
  }

  /** Compiles domains (the control plane's own rules, checked with its own key). */
  private RuleSet compile(Map<String, RateLimitConfigSpec.Raw> byDomain) {
    return RuleSet.compile(withCustom(byDomain), grants);
  }
}
