package io.gloo.plugins.extauth.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.gloo.plugins.extauth.AuthConfigKind;
import io.gloo.plugins.extauth.compile.AuthConfigCompiler;
import io.gloo.plugins.extauth.model.AuthConfigSpec;
import io.gloo.spi.policy.FieldExtension;
import io.gloo.spi.policy.GroupKind;
import io.gloo.spi.policy.PolicyRef;
import io.gloo.spi.policy.Violation;
import io.gloo.spi.translate.ListenerContext;
import io.gloo.spi.translate.PolicyTranslator;
import io.gloo.spi.translate.RouteContext;
import io.gloo.spi.translate.StagedHttpFilter;
import io.gloo.spi.translate.TranslationContext;
import io.gloo.spi.translate.VirtualHostContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code options.extauth} of RouteOption or VirtualHostOption, translated by this plugin:
 *
 * <ul>
 *   <li>{@code configRef}: our filter enabled with {@code context_extensions{config_id: <ns>.<name>, source_type,
 *       source_name}}, every custom filter disabled. A reference to an AuthConfig that is missing or rejected is an
 *       error on {@code options.extauth.configRef}; a route then answers 403 (direct response, shown on the
 *       HTTPRoute's status), a virtual host still sends its requests to the service under the unknown config id,
 *       which denies them (403): never open.
 *   <li>{@code customAuth}: that server's filter enabled with the given context extensions, ours and other custom
 *       ones disabled. An unknown server name fails closed like a missing reference.
 *   <li>{@code disable: true}: every ext_authz filter disabled here (a route overrides its virtual host's default).
 * </ul>
 * Route-level settings win over virtual-host ones because Envoy uses the most specific per-filter config. Stateless.
 */
public final class ExtAuthExtension implements FieldExtension<ExtAuthOption.Holder> {

  public static final GroupKind ROUTE_OPTION = new GroupKind("gateway.solo.io", "RouteOption");
  public static final GroupKind VIRTUAL_HOST_OPTION = new GroupKind("gateway.solo.io", "VirtualHostOption");
  static final String FIELD = "options.extauth";

  private final GroupKind target;
  private final Supplier<ExtAuthSettings> settings;

  public ExtAuthExtension(GroupKind target, Supplier<ExtAuthSettings> settings) {
    this.target = target;
    this.settings = settings;
  }

  @Override
  public GroupKind target() {
    return target;
  }

  @Override
  public Set<String> fields() {
    return Set.of("extauth");
  }

  @Override
  public Class<ExtAuthOption.Holder> type() {
    return ExtAuthOption.Holder.class;
  }

  @Override
  public List<Violation> validate(ExtAuthOption.Holder value) {
    List<Violation> out = new ArrayList<>();
    value.validate("options", out);
    return out;
  }

  @Override
  public PolicyTranslator<ExtAuthOption.Holder> translator() {
    return new PolicyTranslator<>() {
      @Override
      public void route(RouteContext context, ExtAuthOption.Holder policy, Route.Builder route) {
        Decision d = decide(context, policy.extauth, "route", context.httpRoute());
        if (d.failClosed() != null) {
          context.reportOnRoute(d.failClosed() + "; the rule answers 403");
          route.clearAction().setDirectResponse(DirectResponseAction.newBuilder().setStatus(403));
          // the service would deny too; keep every auth filter off so the direct response is what answers
          d = decide(context, disabledOption(), "route", context.httpRoute());
        }
        d.perFilter().forEach(route::putTypedPerFilterConfig);
      }

      @Override
      public void virtualHost(VirtualHostContext context, ExtAuthOption.Holder policy, VirtualHost.Builder vh) {
        decide(context, policy.extauth, "virtual_host", context.gateway()).perFilter()
            .forEach(vh::putTypedPerFilterConfig);
      }

      @Override
      public List<StagedHttpFilter> httpFilters(ListenerContext context, ExtAuthOption.Holder policy) {
        ExtAuthSettings s = settings.get();
        List<StagedHttpFilter> filters = new ArrayList<>();
        filters.add(ExtAuthzFilters.filter(ExtAuthzFilters.FILTER, ExtAuthzFilters.CLUSTER, 0));
        io.envoyproxy.envoy.config.cluster.v3.Cluster ours = ExtAuthzFilters.cluster(ExtAuthzFilters.CLUSTER,
            s.serviceAddress());
        context.extra().addCluster(!s.tls() ? ours : ours.toBuilder()
            .setTransportSocket(io.gloo.plugins.common.ServiceTls.transportSocket(s.tlsCertDir(), "extauth-server"))
            .build());
        int weight = 1;
        // every configured custom server, so that any route can switch each of them off explicitly
        for (Map.Entry<String, String> server : s.customAuthServers().entrySet()) {
          filters.add(ExtAuthzFilters.filter(ExtAuthzFilters.customFilter(server.getKey()),
              ExtAuthzFilters.customCluster(server.getKey()), weight++));
          context.extra().addCluster(ExtAuthzFilters.cluster(ExtAuthzFilters.customCluster(server.getKey()),
              server.getValue()));
        }
        return filters;
      }
    };
  }

  /** Per-filter configs to set, or why the place must fail closed. */
  private record Decision(Map<String, Any> perFilter, String failClosed) {}

  private static ExtAuthOption disabledOption() {
    ExtAuthOption o = new ExtAuthOption();
    o.disable = true;
    return o;
  }

  private Decision decide(TranslationContext context, ExtAuthOption option, String sourceType, String sourceName) {
    ExtAuthSettings s = settings.get();
    Map<String, Any> perFilter = new LinkedHashMap<>();
    if (option.configRef != null) {
      String namespace = option.configRef.namespaceOr(owner(context).namespace());
      String id = AuthConfigCompiler.configId(namespace, option.configRef.name);
      s.customAuthServers().keySet().forEach(n -> perFilter.put(ExtAuthzFilters.customFilter(n),
          ExtAuthzFilters.disabled()));
      perFilter.put(ExtAuthzFilters.FILTER, ExtAuthzFilters.check(Map.of("config_id", id, "source_type", sourceType,
          "source_name", sourceName)));
      boolean found = context.lookup()
          .policy(AuthConfigKind.GROUP_KIND, AuthConfigSpec.class, namespace, option.configRef.name).isPresent();
      if (!found) {
        String problem = "AuthConfig " + namespace + "/" + option.configRef.name + " not found or rejected";
        context.diagnostics().error(FIELD + ".configRef", problem + "; requests here are denied (403)");
        return new Decision(perFilter, problem);
      }
      return new Decision(perFilter, null);
    }
    if (option.customAuth != null) {
      String name = option.customAuth.name == null || option.customAuth.name.isEmpty() ? "default"
          : option.customAuth.name;
      perFilter.put(ExtAuthzFilters.FILTER, ExtAuthzFilters.disabled());
      s.customAuthServers().keySet().stream().filter(n -> !n.equals(name))
          .forEach(n -> perFilter.put(ExtAuthzFilters.customFilter(n), ExtAuthzFilters.disabled()));
      if (!s.customAuthServers().containsKey(name)) {
        String problem = "no custom auth server '" + name + "' is configured (plugin config extauth.customAuthServers."
            + name + "=HOST:PORT)";
        context.diagnostics().error(FIELD + ".customAuth.name", problem + "; requests here are denied (403)");
        if ("virtual_host".equals(sourceType)) {
          // no filter of that name exists: send the host's requests to our service under an id it never serves
          perFilter.put(ExtAuthzFilters.FILTER, ExtAuthzFilters.check(Map.of("config_id", "customAuth/" + name,
              "source_type", sourceType, "source_name", sourceName)));
        }
        return new Decision(perFilter, problem);
      }
      perFilter.put(ExtAuthzFilters.customFilter(name), ExtAuthzFilters.check(
          option.customAuth.contextExtensions == null ? Map.of() : option.customAuth.contextExtensions));
      return new Decision(perFilter, null);
    }
    if (option.disabled()) {
      perFilter.put(ExtAuthzFilters.FILTER, ExtAuthzFilters.disabled());
      s.customAuthServers().keySet().forEach(n -> perFilter.put(ExtAuthzFilters.customFilter(n),
          ExtAuthzFilters.disabled()));
    }
    return new Decision(perFilter, null);
  }

  /** The policy that set the field (highest priority first). */
  private static PolicyRef owner(TranslationContext context) {
    return context.policies().get(0);
  }
}
