package io.gloo.core.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RateLimit;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.gloo.core.evaluate.RouteDecision.Entry;
import io.gloo.core.translate.XdsResources;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The descriptors Envoy's rate-limit filters would send, from Envoy's RateLimit protos alone. */
class RouteEvaluatorRateLimitTest {

  static HttpFilter filter(String name, String domain, int stage) {
    return HttpFilter.newBuilder().setName(name).setTypedConfig(Any.pack(
        io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit.newBuilder().setDomain(domain)
            .setStage(stage).build())).build();
  }

  static RateLimit.Action header(String name, String key) {
    return RateLimit.Action.newBuilder().setRequestHeaders(RateLimit.Action.RequestHeaders.newBuilder()
        .setHeaderName(name).setDescriptorKey(key)).build();
  }

  static RateLimit.Action generic(String value) {
    return RateLimit.Action.newBuilder().setGenericKey(RateLimit.Action.GenericKey.newBuilder()
        .setDescriptorValue(value)).build();
  }

  static XdsResources xds(List<RateLimit> routeLimits, List<RateLimit> vhostLimits) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder().setStatPrefix("t")
        .setRds(Rds.newBuilder().setRouteConfigName("rc"))
        .addHttpFilters(filter("early", "custom", 1))
        .addHttpFilters(filter("default", "custom", 0))
        .build();
    Listener listener = Listener.newBuilder().setName("l")
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setPortValue(80)))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm))))
        .build();
    Route route = Route.newBuilder().setName("r").setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster("backend").addAllRateLimits(routeLimits)).build();
    RouteConfiguration rc = RouteConfiguration.newBuilder().setName("rc").addVirtualHosts(VirtualHost.newBuilder()
        .setName("vh").addDomains("*").addRoutes(route).addAllRateLimits(vhostLimits)).build();
    return new XdsResources(List.of(listener), List.of(rc), List.of(Cluster.newBuilder().setName("backend").build()),
        List.of(), List.of());
  }

  @Test
  void eachFilterSendsTheDescriptorsOfItsStageAndAMissingHeaderDropsTheWholeDescriptor() {
    RateLimit early = RateLimit.newBuilder().setStage(UInt32Value.of(1)).addActions(generic("early")).build();
    RateLimit both = RateLimit.newBuilder().addActions(generic("g")).addActions(header("x-user", "user")).build();
    RateLimit dest = RateLimit.newBuilder().addActions(RateLimit.Action.newBuilder().setDestinationCluster(
        RateLimit.Action.DestinationCluster.getDefaultInstance())).build();
    XdsResources xds = xds(List.of(early, both, dest), List.of(RateLimit.newBuilder().addActions(generic("vh"))
        .build()));

    RouteDecision withUser = RouteEvaluator.evaluate(xds, TestRequest.builder().authority("a").path("/")
        .header("x-user", "alice").build());
    assertEquals(2, withUser.rateLimits().size());
    assertEquals(new RouteDecision.RateLimitCall("early", "custom", 1, List.of(List.of(
        new Entry("generic_key", "early")))), withUser.rateLimits().get(0));
    // the route has rate limits: the virtual host's are not used (vh_rate_limits OVERRIDE)
    assertEquals(List.of(List.of(new Entry("generic_key", "g"), new Entry("user", "alice")),
        List.of(new Entry("destination_cluster", "backend"))), withUser.rateLimits().get(1).descriptors());
    assertTrue(withUser.toJson().toString().contains("\"rateLimits\""));
    assertTrue(withUser.trace().contains("rate-limit filter default (stage 0) asks domain custom about "
        + "[generic_key=g, user=alice] [destination_cluster=backend]"), withUser.trace().toString());

    RouteDecision anonymous = RouteEvaluator.evaluate(xds, TestRequest.get("a", "/"));
    assertEquals(List.of(List.of(new Entry("destination_cluster", "backend"))),
        anonymous.rateLimits().get(1).descriptors());
    assertTrue(anonymous.trace().stream().anyMatch(t -> t.contains("header x-user is absent")), anonymous.trace()
        .toString());
  }

  @Test
  void aRouteWithoutRateLimitsUsesTheVirtualHosts() {
    XdsResources xds = xds(List.of(), List.of(RateLimit.newBuilder().addActions(generic("vh")).build()));
    RouteDecision d = RouteEvaluator.evaluate(xds, TestRequest.get("a", "/"));
    assertEquals(List.of(new RouteDecision.RateLimitCall("default", "custom", 0,
        List.of(List.of(new Entry("generic_key", "vh"))))), d.rateLimits());
  }
}
