package io.gloo.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.evaluate.RouteDecision;
import io.gloo.core.evaluate.RouteEvaluator;
import io.gloo.core.evaluate.TestRequest;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.testing.Manifests;
import io.gloo.core.translate.Translator;
import io.gloo.core.watch.ManifestParser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * No "5xx while changing" (issue #19, route churn): 500 routes, of which {@value #CHURNING} change, go away and come
 * back at a steady rate ({@value #PER_STEP} changes per publish, {@value #STEPS} publishes) while the route evaluator
 * replays a request for every stable (never changed) route against <em>every</em> snapshot published — what Envoy
 * would do with that request at that moment. Each stable request keeps the decision it had before the churn began
 * (same outcome, cluster, route and source) in every snapshot: a change to other routes never re-orders, drops or
 * misroutes an unchanged one. And a changed route is live in the very snapshot that carries the change: its request
 * is forwarded to its new backend's cluster, which that snapshot's CDS has (never {@code cluster_not_found}, never a
 * 5xx); a removed route's request gets a 404, not a 5xx. Deterministic (seeded), no clock: the timing side, change to
 * ACK at 5,000 routes and 50 changes/s, is {@code XdsFanOutBench ... churn} (bench/README).
 */
class RouteChurnDecisionsTest {

  static final int STABLE = 450;
  static final int CHURNING = 50;
  static final int STEPS = 40;
  static final int PER_STEP = 5;
  static final ResourceKey GATEWAY = new ResourceKey("Gateway", "app", "gw");

  private final ManifestParser parser = new ManifestParser();

  @Test
  void stableRoutesKeepTheirDecisionInEverySnapshotPublishedWhileOthersChange() {
    Map<ResourceKey, HasMetadata> world = new LinkedHashMap<>();
    parse(world, Manifests.gatewayClass() + "---\n" + Manifests.gateway("app", "gw", 8080));
    for (int s = 0; s < 10; s++) {
      parse(world, Manifests.service("app", "svc-" + s, 80) + "---\n"
          + Manifests.endpointSlice("app", "svc-" + s, 8080, "10.0." + s + ".1"));
    }
    for (int i = 0; i < STABLE; i++) {
      parse(world, Manifests.httpRoute("app", "stable-" + i, "gw", "app.example.com", "/stable-" + i,
          "svc-" + i % 10 + ":80"));
    }
    for (int j = 0; j < CHURNING; j++) {
      parse(world, churning(j, 0));
    }
    SnapshotPublisher publisher = new SnapshotPublisher(new SimpleMeterRegistry());
    List<PublishedSnapshot> published = new ArrayList<>();
    publisher.onPublished(published::add);
    Translator translator = new Translator();
    ResourceSnapshot snapshot = ResourceSnapshot.of(world.values(), List.of());
    publisher.publish(translator.translate(snapshot).gateways());

    List<TestRequest> requests = new ArrayList<>();
    for (int i = 0; i < STABLE; i++) {
      // deeper paths too: a prefix of a churning route (/stable-1 vs /stable-10...) must not take them over
      requests.add(TestRequest.builder().port(8080).authority("app.example.com").path("/stable-" + i + "/x").build());
    }
    RouteEvaluator first = new RouteEvaluator(published.get(0).resources());
    Map<TestRequest, String> baseline = new HashMap<>();
    for (TestRequest r : requests) {
      RouteDecision d = first.evaluate(r);
      assertEquals(RouteDecision.Outcome.FORWARD, d.outcome(), d.summary());
      baseline.put(r, decision(d));
    }

    // the cluster of each Service, as the stable routes' baseline decisions name it
    Map<Integer, String> clusterOfService = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      clusterOfService.put(i, first.evaluate(requests.get(i)).cluster());
    }

    Random random = new Random(5);
    int revision = 0;
    int checked = 0;
    int churnChecked = 0;
    for (int step = 1; step <= STEPS; step++) {
      Map<ResourceKey, HasMetadata> changes = new HashMap<>();
      // per churning route changed in this step: its request and the Service it now goes to (-1: removed)
      Map<Integer, Integer> latest = new HashMap<>();
      Map<Integer, TestRequest> churnRequests = new HashMap<>();
      for (int k = 0; k < PER_STEP; k++) {
        int j = random.nextInt(CHURNING);
        Map<ResourceKey, HasMetadata> one = new HashMap<>();
        parse(one, churning(j, ++revision));
        ResourceKey key = one.keySet().iterator().next();
        // now and then a churning route goes away, or comes back
        boolean removed = random.nextInt(6) == 0;
        changes.put(key, removed ? null : one.get(key));
        latest.put(j, removed ? -1 : (j + revision) % 10);
        churnRequests.put(j, TestRequest.builder().port(8080).authority("app.example.com")
            .path(churningPath(j, revision) + "/x").build());
      }
      snapshot = snapshot.withChanges(changes, List.of());
      int before = published.size();
      publisher.publish(translator.translate(snapshot).gateways());
      for (PublishedSnapshot p : published.subList(before, published.size())) {
        RouteEvaluator evaluator = new RouteEvaluator(p.resources());
        for (TestRequest r : requests) {
          assertEquals(baseline.get(r), decision(evaluator.evaluate(r)), "step " + step + ", " + r.path());
          checked++;
        }
      }
      // the last snapshot of the step carries every change of it
      RouteEvaluator now = new RouteEvaluator(published.get(published.size() - 1).resources());
      for (Map.Entry<Integer, Integer> e : latest.entrySet()) {
        TestRequest r = churnRequests.get(e.getKey());
        RouteDecision d = now.evaluate(r);
        if (e.getValue() < 0) {
          assertEquals(RouteDecision.Outcome.NO_ROUTE, d.outcome(), "removed, step " + step + ": " + d.summary());
          assertEquals(404, d.status(), d.summary());
        } else {
          assertEquals(RouteDecision.Outcome.FORWARD, d.outcome(), "changed, step " + step + ": " + d.summary());
          assertEquals(clusterOfService.get(e.getValue()), d.cluster(), "step " + step + ", " + r.path());
        }
        churnChecked++;
      }
    }
    assertTrue(published.size() > STEPS / 2, "the churn was published: " + published.size() + " snapshots");
    assertEquals((published.size() - 1) * STABLE, checked);
    assertTrue(churnChecked >= STEPS, "changed routes checked: " + churnChecked);
  }

  /**
   * A churning route: its path, header match and backend move with {@code revision}, some paths overlapping the
   * stable routes' prefixes ({@code /stable-1} is a prefix of {@code /stable-1x}), so precedence is exercised.
   */
  private static String churning(int j, int revision) {
    return Manifests.httpRoute("app", "churn-" + j, "gw", "app.example.com", churningPath(j, revision),
        "svc-" + (j + revision) % 10 + ":80");
  }

  private static String churningPath(int j, int revision) {
    return revision % 3 == 0 ? "/churn-" + j + "-" + revision : "/stable-" + (j % STABLE) + "x" + revision;
  }

  private static String decision(RouteDecision d) {
    return d.outcome() + " cluster=" + d.cluster() + " route=" + d.route() + " source=" + d.source()
        + " status=" + d.status();
  }

  private void parse(Map<ResourceKey, HasMetadata> into, String yaml) {
    ManifestParser.Result result = parser.parse("test.yaml", yaml);
    assertEquals(List.of(), result.problems());
    for (HasMetadata resource : result.resources()) {
      into.put(ResourceKey.of(resource), resource);
    }
  }
}
