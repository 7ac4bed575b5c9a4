package io.gloo.core.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.GoldenFiles;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.watch.DirectorySource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** L4 decisions on the golden TCP, TLS and UDP inputs, translated: which clusters a connection or datagram reaches. */
class L4EvaluatorTest {

  private static L4Evaluator gateway(String golden) {
    XdsResources xds = new Translator().translate(
        DirectorySource.load(List.of(GoldenFiles.sourceDir("golden/" + golden).resolve("input.yaml"))))
        .gateways().get(new ResourceKey("Gateway", "default", "gw"));
    assertNotNull(xds, "Gateway default/gw in " + golden);
    return new L4Evaluator(xds);
  }

  @Test
  void tlsPassthroughPicksExactSniBeforeTheWildcardListener() {
    L4Evaluator ev = gateway("l4-tls");
    L4Decision exact = ev.tls(443, "abc.example.com");
    assertEquals(L4Decision.Outcome.FORWARD, exact.outcome());
    assertEquals(List.of(new L4Decision.WeightedCluster("kube_default_b_3000", 1)), exact.clusters());
    assertFalse(exact.terminatesTls(), "passthrough: the backend completes the handshake");
    // any other host under the wildcard listener, at any depth, goes to its route; SNI is case-insensitive
    assertEquals("kube_default_a_3000", ev.tls(443, "other.example.com").pick(0));
    assertEquals("kube_default_a_3000", ev.tls(443, "A.B.Example.COM").pick(0));
    // the bare domain is not under *.example.com, and a connection without SNI matches no chain
    assertEquals(L4Decision.Outcome.NO_FILTER_CHAIN, ev.tls(443, "example.com").outcome());
    assertEquals(L4Decision.Outcome.NO_FILTER_CHAIN, ev.tls(443, null).outcome());
    // the route whose hostnames miss every listener reaches nothing
    assertEquals(L4Decision.Outcome.NO_FILTER_CHAIN, ev.tls(443, "other.org").outcome());
  }

  @Test
  void tlsTerminateDecryptsBeforeProxying() {
    L4Evaluator ev = gateway("l4-tls");
    L4Decision d = ev.tls(8443, "secure.example.com");
    assertEquals("kube_default_a_3000", d.pick(0));
    assertTrue(d.terminatesTls());
    assertEquals(L4Decision.Outcome.NO_FILTER_CHAIN, ev.tls(8443, "abc.example.com").outcome());
  }

  @Test
  void tcpConnectionsSplitByWeightAndTheOldestRouteWins() {
    L4Evaluator ev = gateway("l4-tcp");
    L4Decision d = ev.tcp(9000);
    assertEquals(L4Decision.Outcome.FORWARD, d.outcome());
    Map<String, Integer> counts = new TreeMap<>();
    for (int r = 0; r < 100; r++) {
      counts.merge(d.pick(r), 1, Integer::sum);
    }
    // route "weighted" (older than "newer"): 70/20/10, the 10 to a backend that does not exist; weight 0 left out
    assertEquals(Map.of("kube_default_a_3000", 70, "kube_default_b_3000", 20, "gloo~unresolved-backend", 10),
        counts);
    assertEquals(L4Decision.Outcome.NO_LISTENER, ev.tcp(9001).outcome());
    assertEquals(L4Decision.Outcome.NO_LISTENER, ev.udp(9000).outcome(), "TCP listener, not UDP");
    // port 80 is an HTTP listener: no tcp_proxy there
    assertNull(ev.tcp(80).pick(0));
  }

  @Test
  void udpSessionsSplitByWeightThroughOneCluster() {
    L4Evaluator ev = gateway("l4-udp");
    L4Decision d = ev.udp(5300);
    // udp_proxy names one cluster; its endpoint weights carry the route's 30/70
    assertEquals(List.of(new L4Decision.WeightedCluster("udp~5300~weighted", 1)), d.clusters());
    assertEquals(Map.of("10.0.0.1", 30, "10.0.0.2", 70), sessions(ev, d.pick(0), 100));
    assertEquals(L4Decision.Outcome.NO_LISTENER, ev.tcp(5300).outcome(), "UDP listener, not TCP");
  }

  @Test
  void udpSplitWeighsEachBackendOverItsEndpoints() {
    L4Evaluator ev = gateway("l4-udp-weighted");
    String cluster = ev.udp(5300).pick(0);
    assertEquals("udp~5300~weighted", cluster);
    // a: 60 over 2 endpoints, b: 30 over 3, c: 10 over 1; d (weight 0) and the missing Service get nothing
    Map<String, Integer> byHost = sessions(ev, cluster, 1000);
    assertEquals(Map.of("10.0.0.1", 300, "10.0.0.2", 300, "10.0.1.1", 100, "10.0.1.2", 100, "10.0.1.3", 100,
        "10.0.2.1", 100), byHost);
    // one backend with endpoints beside one without: its own cluster, no split
    assertEquals(List.of(new L4Decision.WeightedCluster("kube_default_c_53", 1)), ev.udp(5301).clusters());
    assertEquals("10.0.2.1", ev.host("kube_default_c_53", 0, 1));
    assertNull(ev.host("kube_default_empty_53", 0, 1), "no endpoints: nothing answers");
  }

  /** How many of {@code n} sessions to {@code cluster} reach each endpoint address. */
  private static Map<String, Integer> sessions(L4Evaluator ev, String cluster, int n) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int s = 0; s < n; s++) {
      counts.merge(ev.host(cluster, s, n), 1, Integer::sum);
    }
    return counts;
  }
}
