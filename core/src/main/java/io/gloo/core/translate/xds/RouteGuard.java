package io.gloo.core.translate.xds;

import com.google.errorprone.annotations.Immutable;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.gloo.core.validate.SnapshotValidator;
import io.gloo.core.validate.Violation;
import java.util.List;
import java.util.Objects;

/**
 * Validates one Envoy route as the snapshot validator would ({@link SnapshotValidator#validateRoute}) and decides
 * what is served instead of an invalid one ({@link RouteReplacement}): a 500 with the same name, match and source
 * metadata, or nothing. Thread-safe (the validator is).
 */
public final class RouteGuard {

  /** The status a replaced route answers with. */
  public static final int REPLACEMENT_STATUS = 500;

  private final SnapshotValidator validator;
  private final RouteReplacement mode;

  public RouteGuard(SnapshotValidator validator, RouteReplacement mode) {
    this.validator = Objects.requireNonNull(validator, "validator");
    this.mode = Objects.requireNonNull(mode, "mode");
  }

  public SnapshotValidator validator() {
    return validator;
  }

  public RouteReplacement mode() {
    return mode;
  }

  /**
   * A route as it is served.
   *
   * @param route what to serve, null when the route is dropped
   * @param problem why it is not the route as built; null when it was valid
   */
  @Immutable
  @SuppressWarnings("Immutable") // protobuf messages are immutable
  public record Checked(Route route, InvalidRoute problem) {}

  /** Validates {@code route}: itself when valid, else its replacement (or nothing) and why. */
  public Checked check(Route route) {
    List<Violation> violations = validator.validateRoute(route);
    return violations.isEmpty() ? new Checked(route, null) : handle(route, violations);
  }

  /** What to serve instead of {@code route}, which has these violations (paths relative to the route). */
  public Checked handle(Route route, List<Violation> violations) {
    InvalidRoute.Outcome outcome = mode == RouteReplacement.STRICT || matchInvalid(violations)
        ? InvalidRoute.Outcome.DROPPED : InvalidRoute.Outcome.REPLACED;
    InvalidRoute problem = new InvalidRoute(route, SourceMetadata.routeSource(route.getMetadata()), outcome,
        violations);
    return new Checked(outcome == InvalidRoute.Outcome.DROPPED ? null : replacement(route), problem);
  }

  /**
   * A route whose only problem is clusters missing from the snapshot, and which answers 500 for a missing cluster
   * anyway ({@code cluster_not_found_response_code}): the references are pointed at deliberately unresolved clusters
   * ({@value RouteBuilder#UNRESOLVED_CLUSTER_PREFIX}), so a weighted split keeps its healthy shares; mirrors to a
   * missing cluster are removed. Null when that does not apply (then {@link #handle}).
   */
  public Checked unresolve(Route route, List<Violation> violations) {
    if (!route.hasRoute() || route.getRoute().getClusterNotFoundResponseCode()
        != io.envoyproxy.envoy.config.route.v3.RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR
        || violations.isEmpty() || !violations.stream().allMatch(v -> v.rule().equals("cluster.missing"))) {
      return null;
    }
    io.envoyproxy.envoy.config.route.v3.RouteAction.Builder action = route.getRoute().toBuilder();
    java.util.TreeSet<Integer> mirrors = new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
    for (Violation v : violations) {
      java.util.regex.Matcher weighted = WEIGHTED.matcher(v.path());
      java.util.regex.Matcher mirror = MIRROR.matcher(v.path());
      if (v.path().equals("route.cluster")) {
        action.setCluster(RouteBuilder.UNRESOLVED_CLUSTER_PREFIX + route.getName() + "/0");
      } else if (weighted.matches()) {
        int c = Integer.parseInt(weighted.group(1));
        action.getWeightedClustersBuilder().getClustersBuilder(c)
            .setName(RouteBuilder.UNRESOLVED_CLUSTER_PREFIX + route.getName() + "/" + c);
      } else if (mirror.matches()) {
        mirrors.add(Integer.parseInt(mirror.group(1)));
      } else {
        return null;
      }
    }
    mirrors.forEach(action::removeRequestMirrorPolicies);
    return new Checked(route.toBuilder().setRoute(action).build(), new InvalidRoute(route,
        SourceMetadata.routeSource(route.getMetadata()), InvalidRoute.Outcome.UNRESOLVED, violations));
  }

  private static final java.util.regex.Pattern WEIGHTED =
      java.util.regex.Pattern.compile("^route\\.weighted_clusters\\.clusters\\[(\\d+)]\\.name$");
  private static final java.util.regex.Pattern MIRROR =
      java.util.regex.Pattern.compile("^route\\.request_mirror_policies\\[(\\d+)]\\.cluster$");

  /**
   * A match that is itself invalid cannot be kept, and a 500 under a narrower match would answer requests the route
   * never matched; such a route is dropped in either mode.
   */
  private static boolean matchInvalid(List<Violation> violations) {
    for (Violation v : violations) {
      if (v.path().equals("match") || v.path().startsWith("match.")) {
        return true;
      }
    }
    return false;
  }

  /** The route's name, match and source metadata, answering 500; nothing else of the route is kept. */
  static Route replacement(Route route) {
    return Route.newBuilder()
        .setName(route.getName())
        .setMatch(route.getMatch())
        .setMetadata(route.getMetadata())
        .setDirectResponse(DirectResponseAction.newBuilder().setStatus(REPLACEMENT_STATUS))
        .build();
  }
}
