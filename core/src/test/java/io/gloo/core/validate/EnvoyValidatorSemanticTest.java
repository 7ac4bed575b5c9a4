package io.gloo.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.gloo.core.snapshot.PublishedSnapshot;
import io.gloo.core.snapshot.SnapshotError;
import io.gloo.core.snapshot.SnapshotPublisher;
import io.gloo.core.snapshot.TestXds;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.translate.xds.RouteBuilder;
import io.gloo.core.translate.xds.SourceMetadata;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Semantic checks, source attribution and the publisher refusing invalid snapshots. */
class EnvoyValidatorSemanticTest {

  private static final ResourceKey HTTPROUTE = new ResourceKey("HTTPRoute", "default", "shop");
  private static final ResourceKey OTHER_ROUTE = new ResourceKey("HTTPRoute", "default", "other");
  private static final ResourceKey SERVICE = new ResourceKey("Service", "default", "backend");

  private final SnapshotValidator validator = new SnapshotValidator();

  private static XdsResources withRoute(Route route) {
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    RouteConfiguration config = RouteConfiguration.newBuilder().setName(TestXds.ROUTE)
        .addVirtualHosts(VirtualHost.newBuilder().setName("all").addDomains("*")
            .setMetadata(SourceMetadata.of(List.of(HTTPROUTE, OTHER_ROUTE)))
            .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPath("/ok"))
                .setRoute(RouteAction.newBuilder().setCluster("backend")))
            .addRoutes(route.toBuilder().setMetadata(SourceMetadata.of(HTTPROUTE))))
        .build();
    return new XdsResources(good.listeners(), List.of(config), good.clusters(), good.endpoints(), List.of());
  }

  private static Route.Builder toCluster(String cluster) {
    return Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster(cluster));
  }

  private List<Finding> findings(XdsResources r) {
    return validator.validate(r);
  }

  private static Finding only(List<Finding> findings) {
    assertEquals(1, findings.size(), findings::toString);
    return findings.get(0);
  }

  @Test
  void goodSnapshotHasNoFindings() {
    assertEquals(List.of(), findings(TestXds.resources("backend", "10.0.0.1")));
    assertEquals(List.of(), findings(withRoute(toCluster("backend").build())));
  }

  /**
   * Route facts are remembered per virtual host instance; the same instance checked against clusters that no longer
   * include its backend must still report it (and again when the cluster is back, nothing).
   */
  @Test
  void aReusedVirtualHostIsCheckedAgainstTheClustersOfEachSnapshot() {
    XdsResources good = withRoute(toCluster("backend").build());
    XdsResources clusterGone = new XdsResources(good.listeners(), good.routes(), List.of(), List.of(), List.of());
    assertEquals(List.of(), findings(good));
    List<Finding> missing = findings(clusterGone);
    assertEquals(2, missing.size(), missing::toString);
    assertTrue(missing.stream().allMatch(f -> f.violation().rule().equals("cluster.missing")), missing::toString);
    assertEquals("virtual_hosts[0].routes[1].route.cluster", missing.get(1).violation().path());
    assertEquals(List.of(), findings(good));
  }

  @Test
  void missingRouteConfiguration() {
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    XdsResources r = new XdsResources(List.of(TestXds.listener("http", "nope")), good.routes(), good.clusters(),
        good.endpoints(), List.of());
    Finding f = only(findings(r));
    assertEquals("rds.missing", f.violation().rule());
    assertEquals("Listener", f.type());
    assertEquals("filter_chains[0].filters[0].typed_config.rds.route_config_name", f.violation().path());
  }

  @Test
  void missingEndpoints() {
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    Cluster c = TestXds.edsCluster("backend").toBuilder().setMetadata(SourceMetadata.of(SERVICE)).build();
    Finding f = only(findings(new XdsResources(good.listeners(), good.routes(), List.of(c), List.of(), List.of())));
    assertEquals("eds.missing", f.violation().rule());
    assertEquals(List.of(SERVICE), f.sources());
  }

  @Test
  void missingClusterVersusDeliberateUnresolved() {
    Finding f = only(findings(withRoute(toCluster("ghost").build())));
    assertEquals("cluster.missing", f.violation().rule());
    assertEquals("virtual_hosts[0].routes[1].route.cluster", f.violation().path());
    assertEquals(List.of(HTTPROUTE), f.sources());

    String unresolved = RouteBuilder.UNRESOLVED_CLUSTER_PREFIX + "x/0";
    Route deliberate = toCluster(unresolved).setRoute(RouteAction.newBuilder().setCluster(unresolved)
        .setClusterNotFoundResponseCode(RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR)).build();
    assertEquals(List.of(), findings(withRoute(deliberate)));
    // without the 500 response code, Envoy would answer 503: not what the Gateway API asks for
    assertEquals("cluster.missing", only(findings(withRoute(toCluster(unresolved).build()))).violation().rule());

    Route weighted = toCluster("x").setRoute(RouteAction.newBuilder().setWeightedClusters(WeightedCluster.newBuilder()
        .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("backend")
            .setWeight(com.google.protobuf.UInt32Value.of(1)))
        .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("ghost")
            .setWeight(com.google.protobuf.UInt32Value.of(1))))).build();
    assertEquals("virtual_hosts[0].routes[1].route.weighted_clusters.clusters[1].name",
        only(findings(withRoute(weighted))).violation().path());
  }

  @Test
  void badRegexes() {
    for (String bad : List.of("(unclosed", "(a)\\1", "foo(?=bar)", "a*+")) {
      Route r = Route.newBuilder().setMatch(RouteMatch.newBuilder()
          .setSafeRegex(RegexMatcher.newBuilder().setRegex(bad))).setRoute(RouteAction.newBuilder()
          .setCluster("backend")).build();
      Finding f = only(findings(withRoute(r)));
      assertEquals("regex.invalid", f.violation().rule(), bad);
      assertEquals("virtual_hosts[0].routes[1].match.safe_regex.regex", f.violation().path());
      assertEquals(List.of(HTTPROUTE), f.sources());
    }
    assertEquals(null, SemanticChecks.regexError("^/api/v[0-9]+/.*$"));
  }

  /** Envoy's HeaderParser: ":-prefixed or host headers may not be modified" (or removed), at every level. */
  @Test
  void hostAndPseudoHeaderEditsAreRefused() {
    io.envoyproxy.envoy.config.core.v3.HeaderValueOption host = io.envoyproxy.envoy.config.core.v3.HeaderValueOption
        .newBuilder().setHeader(io.envoyproxy.envoy.config.core.v3.HeaderValue.newBuilder().setKey("Host")
            .setValue("evil.example.com")).build();
    Finding f = only(findings(withRoute(toCluster("backend").addRequestHeadersToAdd(host).build())));
    assertEquals("header.unmodifiable", f.violation().rule());
    assertEquals("virtual_hosts[0].routes[1].request_headers_to_add[0].header.key", f.violation().path());
    assertEquals(List.of(HTTPROUTE), f.sources());

    f = only(findings(withRoute(toCluster("backend").addResponseHeadersToRemove(":status").build())));
    assertEquals("virtual_hosts[0].routes[1].response_headers_to_remove[0]", f.violation().path());

    XdsResources good = withRoute(toCluster("backend").build());
    RouteConfiguration config = good.routes().get(0).toBuilder().addRequestHeadersToAdd(host).build();
    f = only(findings(new XdsResources(good.listeners(), List.of(config), good.clusters(), good.endpoints(),
        List.of())));
    assertEquals("request_headers_to_add[0].header.key", f.violation().path());

    assertEquals(List.of(), findings(withRoute(toCluster("backend").addRequestHeadersToAdd(host.toBuilder()
        .setHeader(host.getHeader().toBuilder().setKey("x-host"))).addRequestHeadersToRemove("x-forwarded-host")
        .build())), "other headers are fine");
  }

  @Test
  void duplicateDomains() {
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    RouteConfiguration config = RouteConfiguration.newBuilder().setName(TestXds.ROUTE)
        .addVirtualHosts(VirtualHost.newBuilder().setName("a").addDomains("shop.example.com")
            .setMetadata(SourceMetadata.of(List.of(HTTPROUTE))))
        .addVirtualHosts(VirtualHost.newBuilder().setName("b").addDomains("Shop.Example.com")
            .setMetadata(SourceMetadata.of(List.of(OTHER_ROUTE, HTTPROUTE))))
        .build();
    Finding f = only(findings(new XdsResources(good.listeners(), List.of(config), good.clusters(), good.endpoints(),
        List.of())));
    assertEquals("domain.duplicate", f.violation().rule());
    assertEquals("virtual_hosts[1].domains[0]", f.violation().path());
    assertEquals(List.of(OTHER_ROUTE, HTTPROUTE), f.sources(), "a virtual host names every resource it serves");
  }

  @Test
  void duplicateNames() {
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    XdsResources r = new XdsResources(good.listeners(), good.routes(),
        List.of(TestXds.edsCluster("backend"), TestXds.edsCluster("backend")), good.endpoints(), List.of());
    assertEquals("name.duplicate", only(findings(r)).violation().rule());
  }

  @Test
  void tlsSecrets() throws IOException {
    String cert = resource("tls.crt");
    String key = resource("tls.key");
    String other = resource("other.key");
    assertEquals(List.of(), findings(withSecret(secret(cert, key))));
    assertEquals("tls.key_mismatch", only(findings(withSecret(secret(cert, other)))).violation().rule());
    assertEquals("tls.certificate", only(findings(withSecret(secret(
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", key)))).violation().rule());
    assertEquals("tls.private_key", only(findings(withSecret(secret(cert, "not a key")))).violation().rule());
  }

  private static Secret secret(String chain, String key) {
    return Secret.newBuilder().setName("tls").setTlsCertificate(TlsCertificate.newBuilder()
        .setCertificateChain(DataSource.newBuilder().setInlineString(chain))
        .setPrivateKey(DataSource.newBuilder().setInlineString(key))).build();
  }

  private static XdsResources withSecret(Secret s) {
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    return new XdsResources(good.listeners(), good.routes(), good.clusters(), good.endpoints(), List.of(s));
  }

  private static String resource(String name) throws IOException {
    try (var in = EnvoyValidatorSemanticTest.class.getResourceAsStream("/validate/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void constraintFindingNamesTheHttpRouteOfTheBadRoute() {
    Route noPath = Route.newBuilder().setMatch(RouteMatch.getDefaultInstance())
        .setRoute(RouteAction.newBuilder().setCluster("backend")).build();
    Finding f = only(findings(withRoute(noPath)));
    assertEquals("oneof.required", f.violation().rule());
    assertEquals("RouteConfiguration", f.type());
    assertEquals(TestXds.ROUTE, f.resourceName());
    assertEquals(List.of(HTTPROUTE), f.sources());
    assertTrue(f.message().startsWith("HTTPRoute/default/shop: RouteConfiguration 'http-routes' "
        + "virtual_hosts[0].routes[1].match.path_specifier"), f.message());

    // A cluster's finding names its Service.
    XdsResources good = TestXds.resources("backend", "10.0.0.1");
    Cluster bad = TestXds.edsCluster("backend").toBuilder().setMetadata(SourceMetadata.of(SERVICE))
        .setConnectTimeout(Duration.newBuilder().setSeconds(-5)).build();
    Finding c = only(findings(new XdsResources(good.listeners(), good.routes(), List.of(bad), good.endpoints(),
        List.of())));
    assertEquals(List.of(SERVICE), c.sources());
    assertEquals("connect_timeout", c.violation().path());
  }

  @Test
  void publisherRefusesInvalidSnapshotAndKeepsLastGood() {
    SnapshotPublisher publisher = new SnapshotPublisher(new SimpleMeterRegistry());
    ResourceKey gw = TestXds.gateway("default", "gw");
    XdsResources good = withRoute(toCluster("backend").build());
    assertEquals(SnapshotPublisher.Result.PUBLISHED, publisher.publish(Map.of(gw, good)).get(gw));
    PublishedSnapshot lastGood = publisher.current(gw).orElseThrow();

    Route badRegex = Route.newBuilder().setMatch(RouteMatch.newBuilder()
        .setSafeRegex(RegexMatcher.newBuilder().setRegex("(a)\\1")))
        .setRoute(RouteAction.newBuilder().setCluster("backend")).build();
    assertEquals(SnapshotPublisher.Result.INVALID, publisher.publish(Map.of(gw, withRoute(badRegex))).get(gw));
    assertEquals(lastGood, publisher.current(gw).orElseThrow());
    SnapshotError error = publisher.error(gw).orElseThrow();
    assertTrue(error.message().startsWith("HTTPRoute/default/shop: "), error.message());
    assertEquals(List.of(HTTPROUTE), error.findings().get(0).sources());

    assertEquals(SnapshotPublisher.Result.UNCHANGED, publisher.publish(Map.of(gw, good)).get(gw));
    assertTrue(publisher.error(gw).isEmpty());
  }
}
