package io.gloo.core.evaluate;

import java.util.List;

/**
 * Where Envoy sends one TCP connection, TLS connection (by its ClientHello's SNI) or UDP datagram, decided by
 * {@link L4Evaluator} from the listeners of a snapshot.
 *
 * @param outcome what happens to the connection
 * @param listener the Envoy listener bound to the port, or null
 * @param filterChain the filter chain selected (TCP, TLS), or null
 * @param clusters the clusters the proxy picks from, with their weights (one of weight 1 for an unweighted proxy)
 * @param terminatesTls whether the proxy completes the TLS handshake itself (a TLS listener in mode Terminate)
 * @param why a one-line explanation for people
 */
public record L4Decision(Outcome outcome, String listener, String filterChain, List<WeightedCluster> clusters,
    boolean terminatesTls, String why) {

  public L4Decision {
    clusters = List.copyOf(clusters);
  }

  /** What happens to the connection or datagram. */
  public enum Outcome {
    /** Proxied to one of {@link #clusters()}. */
    FORWARD,
    /** No listener of that protocol on the port: the connection is refused (the datagram dropped). */
    NO_LISTENER,
    /** A listener, but no filter chain matches (e.g. an SNI no route claims): the connection is closed. */
    NO_FILTER_CHAIN
  }

  /** One cluster and its weight. */
  public record WeightedCluster(String cluster, int weight) {}

  /** The decision as JSON, for {@code gloo route-check --connect}. */
  public tools.jackson.databind.node.ObjectNode toJson() {
    tools.jackson.databind.node.ObjectNode n = tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    n.put("outcome", outcome.name());
    n.put("listener", listener);
    n.put("filterChain", filterChain);
    tools.jackson.databind.node.ArrayNode c = n.putArray("clusters");
    clusters.forEach(w -> c.addObject().put("cluster", w.cluster()).put("weight", w.weight()));
    n.put("terminatesTls", terminatesTls);
    n.put("why", why);
    return n;
  }

  static L4Decision refused(String listener, Outcome outcome, String why) {
    return new L4Decision(outcome, listener, null, List.of(), false, why);
  }

  /**
   * The cluster Envoy picks for a connection given {@code random}: clusters in order, each owning a range of
   * {@code random % totalWeight} as large as its weight (Envoy's weighted cluster selection). Null when not forwarded.
   */
  public String pick(long random) {
    if (outcome != Outcome.FORWARD || clusters.isEmpty()) {
      return null;
    }
    long total = clusters.stream().mapToLong(WeightedCluster::weight).sum();
    if (total <= 0) {
      return clusters.get(0).cluster();
    }
    long point = Math.floorMod(random, total);
    for (WeightedCluster c : clusters) {
      if (point < c.weight()) {
        return c.cluster();
      }
      point -= c.weight();
    }
    return clusters.get(clusters.size() - 1).cluster();
  }
}
