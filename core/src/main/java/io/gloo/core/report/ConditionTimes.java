package io.gloo.core.report;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.util.List;
import java.util.Objects;

/**
 * Stamps {@code lastTransitionTime} on every condition of a status: kept from the previous status when the
 * condition's {@code status} did not change (as Kubernetes conventions require), the current time otherwise.
 */
final class ConditionTimes {

  private ConditionTimes() {}

  static void stamp(Object status, Object previous, String now) {
    if (status instanceof GatewayClassStatus s) {
      GatewayClassStatus p = previous instanceof GatewayClassStatus ps ? ps : null;
      stamp(s.getConditions(), p == null ? null : p.getConditions(), now);
    } else if (status instanceof GatewayStatus s) {
      GatewayStatus p = previous instanceof GatewayStatus ps ? ps : null;
      stamp(s.getConditions(), p == null ? null : p.getConditions(), now);
      for (ListenerStatus l : nullSafe(s.getListeners())) {
        ListenerStatus pl = p == null ? null : nullSafe(p.getListeners()).stream()
            .filter(x -> Objects.equals(x.getName(), l.getName())).findFirst().orElse(null);
        stamp(l.getConditions(), pl == null ? null : pl.getConditions(), now);
      }
    } else if (status instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetStatus s) {
      var p = previous instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetStatus ps ? ps : null;
      stamp(s.getConditions(), p == null ? null : p.getConditions(), now);
      for (var l : nullSafe(s.getListeners())) {
        var pl = p == null ? null : nullSafe(p.getListeners()).stream()
            .filter(x -> Objects.equals(x.getName(), l.getName())).findFirst().orElse(null);
        stamp(l.getConditions(), pl == null ? null : pl.getConditions(), now);
      }
    } else if (status instanceof HTTPRouteStatus s) {
      HTTPRouteStatus p = previous instanceof HTTPRouteStatus ps ? ps : null;
      stampParents(s.getParents(), p == null ? null : p.getParents(), now);
    } else if (status instanceof GRPCRouteStatus s) {
      GRPCRouteStatus p = previous instanceof GRPCRouteStatus ps ? ps : null;
      stampParents(s.getParents(), p == null ? null : p.getParents(), now);
    } else if (status instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRouteStatus s) {
      var p = previous instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRouteStatus ps ? ps : null;
      stampParents(s.getParents(), p == null ? null : p.getParents(), now);
    } else if (status instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteStatus s) {
      var p = previous instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteStatus ps ? ps : null;
      stampParents(s.getParents(), p == null ? null : p.getParents(), now);
    } else if (status instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRouteStatus s) {
      var p = previous instanceof io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRouteStatus ps ? ps : null;
      stampParents(s.getParents(), p == null ? null : p.getParents(), now);
    }
  }

  private static void stampParents(List<RouteParentStatus> parents, List<RouteParentStatus> previous, String now) {
    for (RouteParentStatus parent : nullSafe(parents)) {
      RouteParentStatus pp = nullSafe(previous).stream()
          .filter(x -> Objects.equals(x.getParentRef(), parent.getParentRef())).findFirst().orElse(null);
      stamp(parent.getConditions(), pp == null ? null : pp.getConditions(), now);
    }
  }

  private static void stamp(List<Condition> conditions, List<Condition> previous, String now) {
    for (Condition c : nullSafe(conditions)) {
      Condition before = nullSafe(previous).stream()
          .filter(p -> Objects.equals(p.getType(), c.getType())).findFirst().orElse(null);
      boolean unchanged = before != null && Objects.equals(before.getStatus(), c.getStatus())
          && before.getLastTransitionTime() != null;
      c.setLastTransitionTime(unchanged ? before.getLastTransitionTime() : now);
    }
  }

  private static <T> List<T> nullSafe(List<T> list) {
    return list == null ? List.of() : list;
  }
}
