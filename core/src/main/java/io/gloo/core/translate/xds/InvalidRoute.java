package io.gloo.core.translate.xds;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.gloo.core.ir.RouteSource;
import io.gloo.core.validate.Violation;
import java.util.List;
import java.util.Objects;

/**
 * One Envoy route that failed validation while its Gateway was translated, and what was served instead.
 *
 * @param original the route as built (its field values name the offending input)
 * @param source the HTTPRoute/GRPCRoute rule and match it came from (its source metadata); null if it has none
 * @param outcome whether a 500 replaced it or it was left out
 * @param violations what Envoy would reject, with paths relative to the route (e.g. {@code match.safe_regex.regex})
 */
public record InvalidRoute(Route original, RouteSource source, Outcome outcome, List<Violation> violations) {

  /** What was served in place of the route. */
  public enum Outcome {
    /** A {@code direct_response} 500 with the same name, match and metadata. */
    REPLACED,
    /** Nothing: the route was left out. */
    DROPPED,
    /**
     * Served, with its references to missing clusters pointed at deliberately unresolved ones (their share answers
     * 500, as for an unresolved backendRef) and mirrors to them removed: a reference problem, not an invalid rule.
     */
    UNRESOLVED
  }

  public InvalidRoute {
    Objects.requireNonNull(original, "original");
    Objects.requireNonNull(outcome, "outcome");
    violations = List.copyOf(violations);
  }

  /** The Envoy route's name, e.g. {@code httproute/default/bad/0/0}. */
  public String name() {
    return original.getName();
  }

  /** Whether every violation is a missing cluster: a reference problem, not an invalid value. */
  public boolean onlyMissingClusters() {
    return violations.stream().allMatch(v -> v.rule().equals("cluster.missing"));
  }
}
