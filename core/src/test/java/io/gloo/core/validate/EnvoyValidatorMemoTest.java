package io.gloo.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A memoizing validator reports exactly what a plain one does, with paths re-rooted where an instance sits now. */
class EnvoyValidatorMemoTest {

  private static VirtualHost vhost(String name, boolean broken) {
    Route.Builder route = Route.newBuilder().setRoute(RouteAction.newBuilder().setCluster("c"));
    if (!broken) {
      route.setMatch(RouteMatch.newBuilder().setPrefix("/"));
    } else {
      route.setMatch(RouteMatch.getDefaultInstance()); // no path specifier: oneof required
    }
    return VirtualHost.newBuilder().setName(name).addDomains(name + ".com").addRoutes(route).build();
  }

  @Test
  void memoizedResultsEqualPlainOnesAcrossRoundsAndPositions() {
    ProtoConstraintValidator plain = new ProtoConstraintValidator();
    ProtoConstraintValidator memo = new ProtoConstraintValidator().withMemo();
    VirtualHost good = vhost("a", false);
    VirtualHost bad = vhost("b", true);

    RouteConfiguration first = RouteConfiguration.newBuilder().setName("rc").addVirtualHosts(good)
        .addVirtualHosts(bad).build();
    List<Violation> expected = plain.validate(first);
    assertFalse(expected.isEmpty());
    assertEquals(expected, memo.validate(first));

    // next round: the same instances, the broken one now at another index
    memo.nextRound();
    RouteConfiguration second = RouteConfiguration.newBuilder().setName("rc").addVirtualHosts(bad)
        .addVirtualHosts(good).build();
    assertEquals(plain.validate(second), memo.validate(second));
    assertEquals("virtual_hosts[0].routes[0].match.path_specifier", memo.validate(second).get(0).path());
  }
}
