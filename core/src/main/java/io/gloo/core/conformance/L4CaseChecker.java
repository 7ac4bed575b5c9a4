package io.gloo.core.conformance;

import io.gloo.core.evaluate.L4Decision;
import io.gloo.core.evaluate.L4Evaluator;
import io.gloo.core.translate.XdsResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Evaluates the connection cases of the TLSRoute, TCPRoute and UDPRoute tests with {@link L4Evaluator}: check
 * {@code tcpConnection}, {@code tlsConnection} (with {@code request.sni}) or {@code udpDatagram} to
 * {@code listenerPort} of the case's Gateway. {@code expect} is a backend ({@code backend}, {@code namespace}: the
 * echo Service that answers), {@code connectionFails: true}, or a {@code weightedDistribution} as for HTTP cases;
 * for TLS, {@code tlsTermination} ({@code Passthrough} or {@code Terminate}) says who completes the handshake.
 */
final class L4CaseChecker {

  static final Set<String> CHECKS = Set.of("tcpConnection", "tlsConnection", "udpDatagram");
  private static final int SAMPLES = 1000;

  private final String test;
  private final ConformanceWorld world;
  private final ConformanceWorld.Observed observed;

  L4CaseChecker(String test, ConformanceWorld world, ConformanceWorld.Observed observed) {
    this.test = test;
    this.world = world;
    this.observed = observed;
  }

  static boolean handles(String check) {
    return CHECKS.contains(check);
  }

  CheckResult check(JsonNode c) {
    String name = c.path("name").asString();
    XdsResources xds = observed.gateways().get(c.path("gateway").asString());
    if (xds == null) {
      return CheckResult.fail(test, "case", name, "Gateway " + c.path("gateway").asString()
          + " has no xDS resources (not translated as ours)");
    }
    L4Evaluator.Transport transport = switch (c.path("check").asString()) {
      case "tlsConnection" -> L4Evaluator.Transport.TLS;
      case "udpDatagram" -> L4Evaluator.Transport.UDP;
      default -> L4Evaluator.Transport.TCP;
    };
    String sni = c.path("request").path("sni").asString(null);
    L4Evaluator evaluator = new L4Evaluator(xds);
    L4Decision d = evaluator.connect(transport, c.path("listenerPort").asInt(), sni);
    JsonNode expect = c.path("expect");
    List<String> diffs = new ArrayList<>();
    if (expect.path("connectionFails").asBoolean(false)) {
      String reached = reached(evaluator, d, 0, 1);
      if (reached != null) {
        diffs.add("connection reached " + reached + " (" + d.why() + "), want it to fail");
      }
    } else if (expect.has("weightedDistribution")) {
      weighted(evaluator, d, expect.path("weightedDistribution"), diffs);
    } else {
      String want = expect.path("namespace").asString() + "/" + expect.path("backend").asString();
      String reached = reached(evaluator, d, 0, 1);
      if (!want.equals(reached)) {
        diffs.add("reached " + (reached == null ? "nothing" : reached) + " (" + d.why() + "), want " + want);
      }
    }
    if (expect.has("tlsTermination") && d.outcome() == L4Decision.Outcome.FORWARD) {
      boolean wantTerminate = expect.path("tlsTermination").asString().equals("Terminate");
      if (wantTerminate != d.terminatesTls()) {
        diffs.add("the proxy " + (d.terminatesTls() ? "terminates" : "passes through") + " TLS, want "
            + expect.path("tlsTermination").asString());
      }
    }
    if (!diffs.isEmpty()) {
      return CheckResult.fail(test, "case", name, String.join("; ", diffs));
    }
    return CheckResult.pass(test, "case", name, d.why());
  }

  /**
   * The echo Service the {@code session}-th of {@code sessions} connections reaches, or null: the cluster by that
   * index as Envoy's random value, the host by the cluster's load balancer (a UDP split cluster's weighted hosts).
   */
  private String reached(L4Evaluator evaluator, L4Decision d, int session, int sessions) {
    String cluster = d.pick(session);
    if (cluster == null) {
      return null;
    }
    String address = evaluator.host(cluster, session, sessions);
    return address == null ? null : world.serviceAt(address);
  }

  private void weighted(L4Evaluator evaluator, L4Decision d, JsonNode wd, List<String> diffs) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int r = 0; r < SAMPLES; r++) {
      String service = reached(evaluator, d, r, SAMPLES);
      counts.merge(service == null ? "(connection failed)" : service.substring(service.indexOf('/') + 1), 1,
          Integer::sum);
    }
    WeightedShares.check(counts, SAMPLES, wd, "connections", diffs);
  }
}
