package io.gloo.plugins.extauth;

import io.gloo.plugins.common.ServiceTls;
import io.gloo.plugins.common.configstream.ConfigPublisher;
import io.gloo.plugins.common.configstream.ConfigSubscriber;
import io.gloo.plugins.common.configstream.ConfigVersion;
import io.gloo.plugins.extauth.compile.AuthConfigCompiler;
import io.gloo.plugins.extauth.compile.AuthConfigSet;
import io.gloo.plugins.extauth.service.AuthRuntime;
import io.gloo.plugins.extauth.service.OutboundPolicy;
import io.gloo.plugins.extauth.service.AuthorizationService;
import io.gloo.plugins.extauth.translate.ExtAuthExtension;
import io.gloo.plugins.extauth.translate.ExtAuthSettings;
import io.gloo.spi.GlooPlugin;
import io.gloo.spi.PluginContext;
import io.gloo.spi.PluginMetrics;
import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.PolicyKind;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The extauth plugin: serves {@code enterprise.gloo.solo.io/v1} AuthConfig, translates {@code options.extauth} of
 * RouteOption and VirtualHostOption into Envoy's ext_authz filter, and runs the ext-auth service
 * ({@code envoy.service.auth.v3.Authorization}) on plugin config {@code port} (default 8083).
 *
 * <p>Two modes. Inside {@code gloo serve} (the default): every translation's compiled AuthConfigs are served
 * in-process and published with a {@link ConfigPublisher} on {@code configStreamPort} (default 8084), which core
 * serves with mutual TLS: the configs carry client secrets, session keys and API-key digests, so only a certificate
 * for {@value #SERVER_IDENTITY} (or the control plane's) from the control plane's CA may subscribe.
 * {@code mode=standalone} ({@code gloo extauth-server}, with {@code controlPlane=host:port} naming that port):
 * configs come from the control plane through a {@link ConfigSubscriber} with the client certificate core hands
 * the plugin; the last ones keep being served while it is away.
 *
 * <p>The Authorization service is registered as non-blocking (its calls run on the event loop): it never waits on
 * I/O (remote JWKS, introspection, token endpoints and pass-through services are called asynchronously) and the one
 * slow computation, an APR1-MD5 hash that is not in the verified-credentials cache, runs on the common fork-join
 * pool.
 *
 * <p>Plugin config: {@code port}; {@code configStreamPort}; {@code tls} and {@code tls.certDir} (see
 * {@link ExtAuthSettings}); {@code sessionSecret}, or better {@code sessionSecretFile} or {@code sessionSecretRef}
 * ({@link SessionSecrets}; keys OIDC session cookies when an AuthConfig has no {@code session.cipherConfig}; when absent, each config's client secret keys them, so every control-plane replica
 * derives the same keys — the derived keys travel with the configs, so standalone replicas agree too);
 * {@code serviceAddress} (where Envoy reaches the service, default 127.0.0.1:8083);
 * {@code customAuthServers.<name>=host:port}.
 *
 * <p>Offline ({@code gloo translate}, {@code PluginContext.Mode.OFFLINE}) it compiles AuthConfigs with the same
 * settings and serves nothing: no port, no config stream, no outbound client.
 */
public final class ExtAuthPlugin implements GlooPlugin {

  public static final int DEFAULT_PORT = 8083;
  /** The gRPC service name the compiled configs are streamed under. */
  public static final String CONFIG_STREAM = "gloo.extauth.v1.AuthConfigs";
  /** Where the compiled configs are streamed to standalone servers (mutual TLS). */
  public static final int DEFAULT_CONFIG_STREAM_PORT = 8084;
  /** The standalone server's name in its certificate's identity ({@code spiffe://gloo/service/extauth-server}). */
  public static final String SERVER_IDENTITY = "extauth-server";

  private final List<FieldExtension<?>> extensions = List.of(
      new ExtAuthExtension(ExtAuthExtension.ROUTE_OPTION, () -> this.settings),
      new ExtAuthExtension(ExtAuthExtension.VIRTUAL_HOST_OPTION, () -> this.settings));
  private volatile ExtAuthSettings settings = ExtAuthSettings.DEFAULTS;
  private volatile AuthConfigKind kind;
  private volatile AuthRuntime runtime;
  private volatile ConfigPublisher publisher;
  private volatile ConfigSubscriber subscriber;
  /** The auth configs served now ({@code gloo_plugin_extauth_config_version}). */
  private final ConfigVersion version = new ConfigVersion();

  public ExtAuthPlugin() {
    // translation without a started service (tests, gloo translate): the sink compiles and feeds nothing
    this.kind = new AuthConfigKind(new AuthConfigCompiler(null), this::publish);
  }

  /** A plugin configured without starting its service. */
  public ExtAuthPlugin(Map<String, String> config) {
    this();
    this.settings = ExtAuthSettings.from(config);
  }

  @Override
  public void start(PluginContext context) {
    Logger log = context.logger();
    this.settings = ExtAuthSettings.from(context.config());
    AuthConfigCompiler compiler = SessionSecrets.compiler(context.config(), log);
    if (context.mode() == PluginContext.Mode.OFFLINE) {
      // gloo translate and friends: AuthConfigs are compiled (and rejected) as when serving; nothing is served
      this.kind = new AuthConfigKind(compiler, this::publish);
      log.debug("offline: auth configs are compiled, not served");
      return;
    }
    int port = context.config("port").map(Integer::parseInt).orElse(DEFAULT_PORT);
    AuthRuntime rt = new AuthRuntime(OutboundPolicy.from(context.config()));
    this.runtime = rt;
    AuthorizationService service = new AuthorizationService(rt, metrics(context.metrics()), log);
    rt.reportRedisCalls(redisMetrics(context.metrics()));
    version.export(context.metrics(), "extauth");
    if ("standalone".equals(context.config("mode").orElse(""))) {
      String controlPlane = context.config("controlPlane")
          .orElseThrow(() -> new IllegalArgumentException("mode=standalone needs controlPlane=HOST:PORT"));
      ConfigSubscriber sub = new ConfigSubscriber(controlPlane, CONFIG_STREAM,
          context.controlPlaneCredentials().orElse(null), json -> receive(rt, json, log, version), log);
      this.subscriber = sub;
      if (settings.tls()) { // with the replica's certificate (gloo extauth-server --cert-dir), to proxies only
        context.registerPeerAuthenticatedGrpcService(port, service, ServiceTls.CALLERS);
      } else {
        context.registerNonBlockingGrpcService(port, service);
      }
      sub.start();
      log.info("ext-auth service on port {}{}, auth configs from {}", port, settings.tls() ? " (mutual TLS)" : "",
          controlPlane);
      return;
    }
    int streamPort = context.config("configStreamPort").map(Integer::parseInt).orElse(DEFAULT_CONFIG_STREAM_PORT);
    if (streamPort == port) {
      throw new IllegalArgumentException("extauth.configStreamPort must differ from extauth.port (" + port
          + "): the auth config stream is served with mutual TLS, the ext-auth service in plaintext");
    }
    ConfigPublisher pub = new ConfigPublisher(CONFIG_STREAM);
    this.publisher = pub;
    this.kind = new AuthConfigKind(compiler, this::publish);
    try {
      if (settings.tls()) { // only proxies (and the control plane) with a certificate from the CA
        context.registerPeerAuthenticatedGrpcService(port, service, ServiceTls.CALLERS);
      } else {
        context.registerNonBlockingGrpcService(port, service);
      }
      log.info("ext-auth service on port {}{}", port, settings.tls() ? " (mutual TLS)" : "");
    } catch (RuntimeException e) {
      // Keep translating: a route that needs auth must still get its ext_authz config, which then fails closed
      // (403 on error) instead of the plugin being unloaded and options.extauth being ignored (open).
      log.error("the ext-auth service cannot serve on port {} ({}); requests that need auth are denied until it "
          + "can (set plugin config extauth.port, or run gloo extauth-server)", port, e.getMessage());
    }
    try {
      context.registerPeerAuthenticatedGrpcService(streamPort, pub,
          ConfigPublisher.allowedSubscribers(SERVER_IDENTITY));
      log.info("auth configs streamed to standalone servers on port {}", streamPort);
    } catch (RuntimeException e) {
      log.error("cannot stream auth configs to standalone servers on port {} ({}); set plugin config"
          + " extauth.configStreamPort", streamPort, e.getMessage());
    }
  }

  /** A config set from the control plane; a bad one is ignored and the last good set keeps serving. */
  static void receive(AuthRuntime runtime, String json, Logger log, ConfigVersion version) {
    AuthConfigSet set;
    try {
      set = AuthConfigSet.fromJson(json);
    } catch (RuntimeException e) {
      // the content may hold secrets: say only what kind of problem it was
      log.warn("ignoring an unreadable auth config set from the control plane ({}); serving the last one",
          e.getClass().getSimpleName());
      return;
    }
    runtime.update(set);
    version.applied(json);
  }

  private void publish(AuthConfigSet set) {
    AuthRuntime rt = runtime;
    ConfigPublisher pub = publisher;
    String json = rt != null || pub != null ? set.toJson() : null;
    if (rt != null) {
      rt.update(set);
      version.applied(json);
    }
    if (pub != null) {
      pub.publish(json);
    }
  }

  /** The version of the auth configs in use (0 before any). */
  long configVersion() {
    return version.current();
  }

  @Override
  public List<PolicyKind<?>> policyKinds() {
    return List.of(kind);
  }

  @Override
  public List<FieldExtension<?>> fieldExtensions() {
    return extensions;
  }

  @Override
  public void stop() {
    ConfigSubscriber sub = subscriber;
    if (sub != null) {
      sub.close();
    }
    AuthRuntime rt = runtime;
    if (rt != null) {
      rt.close();
    }
  }

  /**
   * {@code gloo_plugin_extauth_checks_total{decision, reason}} and the histogram
   * {@code gloo_plugin_extauth_check_duration_seconds{decision}} (recorders bound once, not looked up per check).
   */
  /**
   * OIDC sessions' shared revocation set in Redis: {@code gloo_plugin_extauth_redis_duration_seconds{op, result}}
   * (histogram, {@code op} revoke or is_revoked, {@code result} ok or error) and
   * {@code gloo_plugin_extauth_redis_errors_total{op}} (a failed {@code is_revoked} refuses the session).
   */
  static io.gloo.plugins.extauth.service.RedisRevocations.Calls redisMetrics(PluginMetrics metrics) {
    Map<String, java.util.function.LongConsumer> timers = new java.util.HashMap<>();
    for (String op : List.of("revoke", "is_revoked")) {
      for (String result : List.of("ok", "error")) {
        timers.put(op + "/" + result, metrics.timer("extauth_redis_duration", "op", op, "result", result));
      }
    }
    return (op, ok, nanos) -> {
      java.util.function.LongConsumer timer = timers.get(op + "/" + (ok ? "ok" : "error"));
      if (timer != null) {
        timer.accept(nanos);
      }
      if (!ok) {
        metrics.increment("extauth_redis_errors", "op", op);
      }
    };
  }

  static AuthorizationService.Metrics metrics(PluginMetrics metrics) {
    java.util.function.LongConsumer allowTime = metrics.timer("extauth_check_duration", "decision", "allow");
    java.util.function.LongConsumer denyTime = metrics.timer("extauth_check_duration", "decision", "deny");
    return (allowed, reason, nanos) -> {
      metrics.increment("extauth_checks", "decision", allowed ? "allow" : "deny", "reason", reason);
      (allowed ? allowTime : denyTime).accept(nanos);
    };
  }
}
