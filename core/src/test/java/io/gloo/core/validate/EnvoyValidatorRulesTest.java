package io.gloo.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.common.matcher.v3.Matcher;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SchemeHeaderTransformation;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilterChainMatchPredicate;
import io.envoyproxy.envoy.config.overload.v3.ThresholdTrigger;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.gloo.core.snapshot.TestXds;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One deliberately broken resource per PGV rule kind: rejected, with the right path and rule. */
class EnvoyValidatorRulesTest {

  private final ProtoConstraintValidator validator = new ProtoConstraintValidator();

  private void assertOnly(Message m, String path, String rule) {
    List<Violation> violations = validator.validate(m);
    assertEquals(1, violations.size(), () -> "expected one violation, got " + violations);
    assertEquals(path, violations.get(0).path(), violations::toString);
    assertEquals(rule, violations.get(0).rule(), violations::toString);
  }

  private static RouteConfiguration config(Route route) {
    return RouteConfiguration.newBuilder().setName("rc")
        .addVirtualHosts(VirtualHost.newBuilder().setName("vh").addDomains("*").addRoutes(route))
        .build();
  }

  private static Route.Builder route() {
    return Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster("backend"));
  }

  @Test
  void validResourcesHaveNoViolations() {
    assertEquals(List.of(), validator.validate(TestXds.listener("l", "r")));
    assertEquals(List.of(), validator.validate(TestXds.route("r", "c")));
    assertEquals(List.of(), validator.validate(TestXds.edsCluster("c")));
    assertEquals(List.of(), validator.validate(TestXds.endpoints("c", "10.0.0.1")));
  }

  @Test
  void listenerNameIsNotAProtoConstraint() {
    // Envoy's Listener.name carries no validate rule (an unnamed static listener gets a generated name); over LDS
    // the empty name is caught by the snapshot's name handling, not by PGV.
    Listener unnamed = TestXds.listener("l", "r").toBuilder().clearName().build();
    assertEquals(List.of(), validator.validate(unnamed));
    // ... unlike the HTTP connection manager's stat_prefix (min_len 1), inside the packed typed_config.
    assertOnly(TestXds.listener("", "r"), "filter_chains[0].filters[0].typed_config.stat_prefix", "string.min_len");
  }

  @Test
  void stringMinLen() {
    assertOnly(TestXds.edsCluster("").toBuilder().build(), "name", "string.min_len");
  }

  @Test
  void durationGt() {
    assertOnly(TestXds.edsCluster("c").toBuilder().setConnectTimeout(Duration.newBuilder().setSeconds(-1)).build(),
        "connect_timeout", "duration.gt");
    assertOnly(TestXds.edsCluster("c").toBuilder().setConnectTimeout(Duration.getDefaultInstance()).build(),
        "connect_timeout", "duration.gt");
  }

  @Test
  void oneofRequired() {
    assertOnly(config(route().setMatch(RouteMatch.newBuilder().setCaseSensitive(
        com.google.protobuf.BoolValue.of(true))).build()),
        "virtual_hosts[0].routes[0].match.path_specifier", "oneof.required");
    assertOnly(config(route().clearRoute().build()), "virtual_hosts[0].routes[0].action", "oneof.required");
  }

  @Test
  void messageRequired() {
    assertOnly(config(route().clearMatch().build()), "virtual_hosts[0].routes[0].match", "message.required");
  }

  @Test
  void wellKnownHeaderName() {
    Route r = route().setMatch(RouteMatch.newBuilder().setPrefix("/").addHeaders(HeaderMatcher.newBuilder()
        .setName("x-bad\nname").setStringMatch(StringMatcher.newBuilder().setExact("v")))).build();
    assertOnly(config(r), "virtual_hosts[0].routes[0].match.headers[0].name", "string.well_known_regex");
    assertTrue(RuleChecks.isHeaderName(":authority", true));
    assertTrue(!RuleChecks.isHeaderName("a b", true));
    assertTrue(RuleChecks.isHeaderName("a b", false));
    assertTrue(RuleChecks.isHeaderName("", false));
    assertTrue(!RuleChecks.isHeaderName("", true));
  }

  @Test
  void repeatedMinItemsAndItems() {
    Route r = route().setRoute(RouteAction.newBuilder().setWeightedClusters(WeightedCluster.getDefaultInstance()))
        .build();
    assertOnly(config(r), "virtual_hosts[0].routes[0].route.weighted_clusters.clusters", "repeated.min_items");

    RouteConfiguration noDomains = RouteConfiguration.newBuilder().setName("rc")
        .addVirtualHosts(VirtualHost.newBuilder().setName("vh")).build();
    assertOnly(noDomains, "virtual_hosts[0].domains", "repeated.min_items");
    RouteConfiguration badDomain = RouteConfiguration.newBuilder().setName("rc")
        .addVirtualHosts(VirtualHost.newBuilder().setName("vh").addDomains("ok").addDomains("b\rad")).build();
    assertOnly(badDomain, "virtual_hosts[0].domains[1]", "string.well_known_regex");
  }

  @Test
  void enumDefinedOnly() {
    assertOnly(TestXds.edsCluster("c").toBuilder().setTypeValue(999).build(), "type", "enum.defined_only");
  }

  @Test
  void anyOfUnknownTypeIsRejectedUntilRegistered() {
    // Not an Envoy/xDS type, so it cannot be resolved from the shared API jar: unknown until registered.
    io.grpc.health.v1.HealthCheckRequest foreign = io.grpc.health.v1.HealthCheckRequest.getDefaultInstance();
    Listener l = Listener.newBuilder().setName("l").addFilterChains(FilterChain.newBuilder().addFilters(
        Filter.newBuilder().setName("f").setTypedConfig(Any.pack(foreign)))).build();
    assertOnly(l, "filter_chains[0].filters[0].typed_config", "any.unknown_type");
    assertEquals(List.of(), validator.withTypes(List.of(foreign)).validate(l));
    assertEquals(List.of(), validator.withDescriptors(List.of(io.grpc.health.v1.HealthCheckRequest.getDescriptor())).validate(l));
  }

  @Test
  void anyOfAnEnvoyTypeIsResolvedFromTheApiJarAndValidated() {
    Cluster unnamed = Cluster.newBuilder().setConnectTimeout(Duration.newBuilder().setSeconds(1)).build();
    Listener l = Listener.newBuilder().setName("l").addFilterChains(FilterChain.newBuilder().addFilters(
        Filter.newBuilder().setName("f").setTypedConfig(Any.pack(unnamed)))).build();
    List<Violation> v = validator.validate(l);
    assertEquals(List.of("filter_chains[0].filters[0].typed_config.name"), v.stream().map(Violation::path).toList());
  }

  @Test
  void anyContentOfKnownTypeIsValidated() {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder().setStatPrefix("p")
        .setRouteConfig(config(route().clearMatch().build())).build();
    Listener l = Listener.newBuilder().setName("l").addFilterChains(FilterChain.newBuilder().addFilters(
        Filter.newBuilder().setName("hcm").setTypedConfig(Any.pack(hcm)))).build();
    assertOnly(l, "filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0].match",
        "message.required");
  }

  @Test
  void anyRequired() {
    assertOnly(TypedExtensionConfig.newBuilder().setName("x").build(), "typed_config", "any.required");
  }

  @Test
  void stringPattern() {
    // path_separated_prefix: {pattern: "^[^?#]+[^?#/]$"}: no trailing slash
    assertOnly(config(route().setMatch(RouteMatch.newBuilder().setPathSeparatedPrefix("/v2/")).build()),
        "virtual_hosts[0].routes[0].match.path_separated_prefix", "string.pattern");
    assertEquals(List.of(), validator.validate(
        config(route().setMatch(RouteMatch.newBuilder().setPathSeparatedPrefix("/v2")).build())));
  }

  @Test
  void stringIn() {
    assertOnly(SchemeHeaderTransformation.newBuilder().setSchemeToOverwrite("ftp").build(),
        "scheme_to_overwrite", "string.in");
  }

  @Test
  void uint32Range() {
    Route r = route().clearRoute().setDirectResponse(DirectResponseAction.newBuilder().setStatus(700)).build();
    assertOnly(config(r), "virtual_hosts[0].routes[0].direct_response.status", "uint32.gte_lt");
    assertOnly(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("0.0.0.0")
        .setPortValue(70000)).build(), "socket_address.port_value", "uint32.lte");
  }

  @Test
  void uint32OnWrapper() {
    Cluster c = TestXds.edsCluster("c").toBuilder().setLeastRequestLbConfig(
        Cluster.LeastRequestLbConfig.newBuilder().setChoiceCount(UInt32Value.of(1))).build();
    assertOnly(c, "least_request_lb_config.choice_count", "uint32.gte");
  }

  @Test
  void doubleRange() {
    assertOnly(ThresholdTrigger.newBuilder().setValue(1.5).build(), "value", "double.gte_lte");
    assertEquals(List.of(), validator.validate(ThresholdTrigger.newBuilder().setValue(0.5).build()));
  }

  @Test
  void boolConst() {
    assertOnly(ListenerFilterChainMatchPredicate.newBuilder().setAnyMatch(false).build(), "any_match", "bool.const");
  }

  @Test
  void mapKeysAndMinPairs() {
    Cluster c = TestXds.edsCluster("c").toBuilder().setMetadata(
        Metadata.newBuilder().putFilterMetadata("", Struct.getDefaultInstance())).build();
    assertOnly(c, "metadata.filter_metadata[\"\"]", "string.min_len");
    Matcher m = Matcher.newBuilder().setMatcherTree(Matcher.MatcherTree.newBuilder()
        .setInput(TypedExtensionConfig.newBuilder().setName("i").setTypedConfig(Any.pack(Struct.getDefaultInstance())))
        .setExactMatchMap(Matcher.MatcherTree.MatchMap.getDefaultInstance())).build();
    List<Violation> v = new ProtoConstraintValidator().withTypes(List.of(Struct.getDefaultInstance())).validate(m);
    assertEquals(List.of("map.min_pairs"), v.stream().map(Violation::rule).toList(), v::toString);
    assertEquals("matcher_tree.exact_match_map.map", v.get(0).path());
  }

  @Test
  void pathsOfSourceAttributionParse() {
    assertEquals(List.of("a", 0, "b", new SourceAttribution.KeySegment("x.y"), "c"),
        SourceAttribution.segments("a[0].b[\"x.y\"].c"));
  }
}
