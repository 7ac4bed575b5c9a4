package io.gloo.plugins.ratelimit.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.ratelimit.v3.RateLimitServiceConfig;
import io.envoyproxy.envoy.config.route.v3.RateLimit;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.gloo.plugins.ratelimit.RateLimitConfigKind;
import io.gloo.plugins.ratelimit.RateLimitSettings;
import io.gloo.plugins.ratelimit.config.RateLimitConfigSpec;
import io.gloo.plugins.ratelimit.service.ConfigGrants;
import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.translate.ListenerContext;
import io.gloo.spi.translate.PolicyTranslator;
import io.gloo.spi.translate.RouteContext;
import io.gloo.spi.translate.StagedHttpFilter;
import io.gloo.spi.translate.TranslationContext;
import io.gloo.spi.translate.VirtualHostContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The rate-limit fields of RouteOption / VirtualHostOption → Envoy: rate-limit actions on the route's action or the
 * virtual host, one {@code envoy.filters.http.ratelimit} per stage in use, and the cluster of the rate-limit service.
 *
 * <p>A referenced RateLimitConfig that is missing or rejected cannot be enforced: the option reports the reference
 * ({@code options.rateLimitConfigs.refs[i]}), the route too, and the route (or every route of the virtual host)
 * fails closed with a 500 — serving it unlimited would silently drop a limit the user asked for.
 */
final class RateLimitTranslator implements PolicyTranslator<RateLimitOptions> {

  /** The cluster Envoy reaches the rate-limit service through. */
  static final String CLUSTER = "gloo-system_rate-limit";
  static final String PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private final Supplier<RateLimitSettings> settings;
  private final Supplier<ConfigGrants> grants;

  RateLimitTranslator(Supplier<RateLimitSettings> settings, Supplier<ConfigGrants> grants) {
    this.settings = settings;
    this.grants = grants;
  }

  @Override
  public void route(RouteContext context, RateLimitOptions options, Route.Builder route) {
    List<RateLimit> limits = rateLimits(context, options, true);
    if (limits.isEmpty()) {
      return;
    }
    if (!route.hasRoute()) {
      context.diagnostics().warning("options", "rate limits apply only to rules that forward to a backend; ignored "
          + "on " + context.httpRoute() + " rule " + context.rule());
      return;
    }
    route.getRouteBuilder().addAllRateLimits(limits);
  }

  @Override
  public void virtualHost(VirtualHostContext context, RateLimitOptions options, VirtualHost.Builder virtualHost) {
    virtualHost.addAllRateLimits(rateLimits(context, options, false));
  }

  /** Every stage's limits: inline ones, then each referenced config's, in reference order. */
  private List<RateLimit> rateLimits(TranslationContext context, RateLimitOptions options, boolean onRoute) {
    List<RateLimit> out = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Stage stage : Stage.values()) {
      RateLimitOptions.Inline inline = options.inline(stage);
      if (inline != null) {
        out.addAll(EnvoyActions.rateLimits(inline.rateLimits, stage.envoyStage, null));
      }
      RateLimitOptions.ConfigRefs configs = options.configs(stage);
      if (configs == null || configs.refs == null) {
        continue;
      }
      for (int i = 0; i < configs.refs.size(); i++) {
        RateLimitOptions.Ref ref = configs.refs.get(i);
        String namespace = ref.namespace == null || ref.namespace.isEmpty() ? namespaceOf(context) : ref.namespace;
        String field = "options." + stage.configsField + ".refs[" + i + "]";
        Optional<RateLimitConfigSpec> config = context.lookup().policy(RateLimitConfigKind.GROUP_KIND,
            RateLimitConfigSpec.class, namespace, ref.name);
        if (config.isEmpty() || config.get().raw == null) {
          String message = "RateLimitConfig " + namespace + "/" + ref.name + " is missing or rejected";
          context.diagnostics().error(field, message);
          if (onRoute) {
            ((RouteContext) context).reportOnRoute(message + " (" + field + "): the route fails closed");
          }
          missing.add(message);
          continue;
        }
        List<RateLimit> fromConfig = EnvoyActions.rateLimits(config.get().raw.rateLimits, stage.envoyStage,
            selector(context, RateLimitConfigKind.domain(namespace, ref.name)));
        if (fromConfig.isEmpty()) {
          context.diagnostics().warning(field, "RateLimitConfig " + namespace + "/" + ref.name
              + " has no raw.rateLimits (client-side actions): nothing is sent to the rate-limit service for it");
        }
        out.addAll(fromConfig);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", missing) + ": rate limits cannot be enforced");
    }
    return out;
  }

  /** The signed selector that gives {@code domain} to the option being translated (see {@link ConfigGrants}). */
  private String selector(TranslationContext context, String domain) {
    List<PolicyRef> policies = context.policies();
    String referrerName = policies.isEmpty() ? "-" : policies.get(0).name();
    return grants.get().grant(domain, namespaceOf(context), referrerName);
  }

  /** The namespace of the option that references the config (RouteOption / VirtualHostOption). */
  private static String namespaceOf(TranslationContext context) {
    List<PolicyRef> policies = context.policies();
    if (!policies.isEmpty()) {
      return policies.get(0).namespace();
    }
    String gateway = context.gateway();
    int slash = gateway.indexOf('/');
    return slash < 0 ? "default" : gateway.substring(0, slash);
  }

  @Override
  public List<StagedHttpFilter> httpFilters(ListenerContext context, RateLimitOptions options) {
    RateLimitSettings s = settings.get();
    List<StagedHttpFilter> filters = new ArrayList<>();
    for (Stage stage : Stage.values()) {
      if (options.uses(stage)) {
        filters.add(new StagedHttpFilter(stage.filterStage, stage.weight, filter(s, stage)));
      }
    }
    if (!filters.isEmpty()) {
      context.extra().addCluster(cluster(s));
    }
    return filters;
  }

  static HttpFilter filter(RateLimitSettings s, Stage stage) {
    io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit.Builder config =
        io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit.newBuilder()
            .setDomain(s.domain())
            .setStage(stage.envoyStage)
            .setTimeout(s.requestTimeout())
            .setFailureModeDeny(s.denyOnFailure())
            .setRateLimitService(RateLimitServiceConfig.newBuilder()
                .setGrpcService(GrpcService.newBuilder()
                    .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(CLUSTER)))
                .setTransportApiVersion(ApiVersion.V3));
    if (s.enableXRatelimitHeaders()) {
      config.setEnableXRatelimitHeaders(io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit
          .XRateLimitHeadersRFCVersion.DRAFT_VERSION_03);
    }
    return HttpFilter.newBuilder().setName(stage.filterName).setTypedConfig(Any.pack(config.build())).build();
  }

  static Cluster cluster(RateLimitSettings s) {
    String address = s.serviceAddress();
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon);
    int port = Integer.parseInt(address.substring(colon + 1));
    boolean ip = host.matches("[0-9.]+") || host.contains(":");
    Cluster.Builder cluster = Cluster.newBuilder();
    if (s.tls()) {
      cluster.setTransportSocket(io.gloo.plugins.common.ServiceTls.transportSocket(s.tlsCertDir(),
          "ratelimit-server"));
    }
    return cluster
        .setName(CLUSTER)
        .setType(ip ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
        .putTypedExtensionProtocolOptions(PROTOCOL_OPTIONS, Any.pack(HttpProtocolOptions.newBuilder()
            .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
            .build()))
        .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName(CLUSTER)
            .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder()
                .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder()
                    .setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port)))))))
        .build();
  }
}
