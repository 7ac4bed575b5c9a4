package io.gloo.core.translate.gatewayapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.gloo.core.ir.HeaderEditsIR;
import io.gloo.core.ir.RouteActionIR;
import io.gloo.core.ir.RouteIR;
import io.gloo.core.ir.RouteMatchIR;
import io.gloo.core.ir.RouteSource;
import io.gloo.core.store.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The incremental sort of a virtual host's routes gives exactly what a stable full sort of them (in attachment
 * order) gives, whatever was added or removed since the last translation, ties included (an HTTPRoute and a
 * GRPCRoute of the same name compare equal: the stable sort keeps attachment order, which the merge cannot know).
 */
class VirtualHostCacheTest {

  private static RouteIR route(Random random, String kind, String name, int rule) {
    RouteMatchIR.PathKind pathKind = RouteMatchIR.PathKind.values()[random.nextInt(3)];
    List<RouteMatchIR.ValueMatch> headers = new ArrayList<>();
    for (int h = random.nextInt(3); h > 0; h--) {
      headers.add(new RouteMatchIR.ValueMatch("x-" + h, false, "v"));
    }
    RouteMatchIR match = new RouteMatchIR(new RouteMatchIR.PathMatch(pathKind, "/" + "p".repeat(random.nextInt(4))),
        headers, List.of(), random.nextBoolean() ? "GET" : null);
    RouteActionIR action = random.nextInt(5) == 0
        ? new RouteActionIR.Redirect(null, null, null, null, null, 302)
        : new RouteActionIR.Forward(List.of(new RouteActionIR.WeightedBackend("c" + random.nextInt(5), 1)), null);
    return new RouteIR(kind.toLowerCase() + "/ns/" + name + "/" + rule + "/0", match, action, HeaderEditsIR.NONE,
        HeaderEditsIR.NONE, new RouteSource(new ResourceKey(kind, "ns", name), rule, null, 0), List.of());
  }

  private static List<RouteIR> expected(List<RoutePrecedence.Entry> entries, int port, String scheme) {
    List<RoutePrecedence.Entry> sorted = new ArrayList<>(entries);
    sorted.sort(RoutePrecedence.ORDER);
    List<RouteIR> routes = new ArrayList<>();
    for (RoutePrecedence.Entry e : sorted) {
      RouteIR r = e.route();
      RouteIR local = r.action() instanceof RouteActionIR.Redirect redirect && redirect.forListener(port, scheme)
          != redirect ? r.withAction(redirect.forListener(port, scheme)) : r;
      routes.add(local);
    }
    return routes;
  }

  private static boolean ties(List<RoutePrecedence.Entry> entries) {
    List<RoutePrecedence.Entry> sorted = new ArrayList<>(entries);
    sorted.sort(RoutePrecedence.ORDER);
    for (int i = 1; i < sorted.size(); i++) {
      if (RoutePrecedence.ORDER.compare(sorted.get(i - 1), sorted.get(i)) == 0) {
        return true;
      }
    }
    return false;
  }

  @Test
  void incrementalSortsEqualTheStableFullSortThroughRandomChanges() {
    Random random = new Random(7);
    VirtualHostCache cache = new VirtualHostCache();
    List<RoutePrecedence.Entry> entries = new ArrayList<>();
    int names = 0;
    for (int step = 0; step < 500; step++) {
      int changes = random.nextInt(4) == 0 ? random.nextInt(80) : random.nextInt(3);
      for (int c = 0; c < changes; c++) {
        if (!entries.isEmpty() && random.nextBoolean()) {
          entries.remove(random.nextInt(entries.size()));
        } else if (!entries.isEmpty() && random.nextInt(4) == 0) {
          // the same match as a route already there, of the other kind: compares equal to it
          RoutePrecedence.Entry twin = entries.get(random.nextInt(entries.size()));
          RouteIR r = twin.route();
          String kind = r.source().route().kind().equals("HTTPRoute") ? "GRPCRoute" : "HTTPRoute";
          RouteIR other = new RouteIR(kind.toLowerCase() + r.name().substring(r.name().indexOf('/')), r.match(),
              r.action(), r.requestHeaders(), r.responseHeaders(), new RouteSource(new ResourceKey(kind,
                  r.source().route().namespace(), r.source().route().name()), r.source().rule(), null, 0),
              List.of());
          entries.add(random.nextInt(entries.size() + 1), new RoutePrecedence.Entry(other, twin.creationTimestamp()));
        } else {
          // mostly fresh names; sometimes a GRPCRoute named like an HTTPRoute already there (a tie)
          String name = "r" + (random.nextInt(4) == 0 && names > 0 ? random.nextInt(names) : names++);
          String kind = random.nextInt(3) == 0 ? "GRPCRoute" : "HTTPRoute";
          String created = "2026-01-0" + (1 + random.nextInt(2));
          int at = random.nextInt(entries.size() + 1);
          for (int rule = random.nextInt(2); rule >= 0; rule--) {
            entries.add(at, new RoutePrecedence.Entry(route(random, kind, name, rule), created));
          }
        }
      }
      VirtualHostCache.Sorted sorted = cache.sort("gw~http~80~*", entries, 8080, "http");
      assertEquals(expected(entries, 8080, "http"), sorted.routes, "step " + step);
      cache.finish();
      VirtualHostCache.Sorted again = cache.sort("gw~http~80~*", new ArrayList<>(entries), 8080, "http");
      assertEquals(expected(entries, 8080, "http"), again.routes, "again, step " + step);
      if (!ties(entries)) { // with ties the order depends on the attachment order, which is not kept: sorted anew
        assertSame(sorted, again, "unchanged routes: the same sorted instance, step " + step);
      }
      cache.finish();
    }
  }
}
