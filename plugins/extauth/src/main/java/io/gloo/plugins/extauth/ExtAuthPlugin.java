package io.gloo.plugins.extauth;

import io.gloo.plugins.extauth.compile.AuthConfigCompiler;
import io.gloo.plugins.extauth.compile.AuthConfigSet;
import io.gloo.plugins.extauth.service.AuthRuntime;
import io.gloo.plugins.extauth.service.AuthorizationService;
import io.gloo.spi.GlooPlugin;
import io.gloo.spi.PluginContext;
import io.gloo.spi.PluginMetrics;
import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.PolicyKind;
import io.gloo.plugins.extauth.translate.ExtAuthExtension;
import io.gloo.plugins.extauth.translate.ExtAuthSettings;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;

/**
 * The extauth plugin: serves {@code enterprise.gloo.solo.io/v1} AuthConfig, translates {@code options.extauth} of
 * RouteOption and VirtualHostOption into Envoy's ext_authz filter, and runs the ext-auth service
 * ({@code envoy.service.auth.v3.Authorization}) on plugin config {@code port} (default 8083).
 *
 * <p>Plugin config: {@code port}; {@code sessionSecret} (keys OIDC session cookies; generated per control-plane
 * process when absent, and streamed to standalone servers with the configs); {@code serviceAddress} (where Envoy
 * reaches the service, default 127.0.0.1:8083); {@code customAuthServers.<name>=host:port}; {@code mode=standalone}
 * with {@code controlPlane=host:port} for {@code gloo extauth-server}.
 */
public final class ExtAuthPlugin implements GlooPlugin {

  public static final int DEFAULT_PORT = 8083;

  private volatile AuthConfigKind kind;
  private volatile AuthRuntime runtime;
  private volatile ExtAuthSettings settings = ExtAuthSettings.DEFAULTS;
  private final List<FieldExtension<?>> extensions = List.of(
      new ExtAuthExtension(ExtAuthExtension.ROUTE_OPTION, () -> settings),
      new ExtAuthExtension(ExtAuthExtension.VIRTUAL_HOST_OPTION, () -> settings));

  public ExtAuthPlugin() {
    // policyKinds() may be asked before start() in tests that only translate; the sink then feeds nothing
    this.kind = new AuthConfigKind(new AuthConfigCompiler(randomSecret()), set -> publish(set));
  }

  /** A plugin configured without starting its service (translation only: tests, {@code gloo translate}). */
  public ExtAuthPlugin(Map<String, String> config) {
    this();
    this.settings = ExtAuthSettings.from(config);
  }

  @Override
  public void start(PluginContext context) {
    this.settings = ExtAuthSettings.from(context.config());
    byte[] secret = context.config("sessionSecret").map(s -> s.getBytes(StandardCharsets.UTF_8))
        .orElseGet(ExtAuthPlugin::randomSecret);
    int port = context.config("port").map(Integer::parseInt).orElse(DEFAULT_PORT);
    AuthRuntime rt = new AuthRuntime();
    this.runtime = rt;
    this.kind = new AuthConfigKind(new AuthConfigCompiler(secret), this::publish);
    context.registerGrpcService(port, new AuthorizationService(rt, metrics(context.metrics()), context.logger()));
    context.logger().info("ext-auth service on port {}", port);
  }

  private void publish(AuthConfigSet set) {
    AuthRuntime rt = runtime;
    if (rt != null) {
      rt.update(set);
    }
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
    AuthRuntime rt = runtime;
    if (rt != null) {
      rt.close();
    }
  }

  static AuthorizationService.Metrics metrics(PluginMetrics metrics) {
    return (allowed, reason, nanos) -> {
      String decision = allowed ? "allow" : "deny";
      metrics.increment("extauth_checks", "decision", decision, "reason", reason);
      metrics.recordNanos("extauth_check_duration", nanos, "decision", decision);
    };
  }

  private static byte[] randomSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return b;
  }
}
