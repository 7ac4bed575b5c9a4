package io.gloo.core.conformance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A case's {@code weightedDistribution} ({@code weights} by backend name, {@code tolerance}, default 0.05) checked
 * against where sampled requests or connections went: every weighted backend's share within the tolerance, a backend
 * of weight 0 gets nothing, and nothing goes to a backend without a weight. HTTP cases count requests, L4 cases
 * connections; both sample as the upstream tests do. Stateless.
 */
final class WeightedShares {

  private WeightedShares() {}

  /**
   * Adds a line to {@code diffs} for every share off its weight.
   *
   * @param counts samples per backend (or per outcome, e.g. "(status 500)")
   * @param what what was sampled, for the messages: "traffic", "connections"
   */
  static void check(Map<String, Integer> counts, int samples, JsonNode weightedDistribution, String what,
      List<String> diffs) {
    double tolerance = weightedDistribution.path("tolerance").asDouble(0.05);
    Map<String, Double> weights = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> w : weightedDistribution.path("weights").properties()) {
      weights.put(w.getKey(), w.getValue().asDouble());
    }
    for (Map.Entry<String, Double> w : weights.entrySet()) {
      double share = counts.getOrDefault(w.getKey(), 0) / (double) samples;
      if (w.getValue() == 0 && share > 0) {
        diffs.add(w.getKey() + " (weight 0) got " + share + " of the " + what);
      } else if (Math.abs(share - w.getValue()) > tolerance) {
        diffs.add(w.getKey() + " got " + share + " of the " + what + ", want " + w.getValue() + " +/- " + tolerance);
      }
    }
    for (String who : counts.keySet()) {
      if (!weights.containsKey(who)) {
        diffs.add(what + " went to " + who + " (" + counts.get(who) + "/" + samples + "), which has no weight");
      }
    }
  }
}
