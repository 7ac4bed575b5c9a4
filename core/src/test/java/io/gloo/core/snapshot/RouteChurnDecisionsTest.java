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
 * No "5xx while changing": routes are changed, added and removed in {@value #STEPS} steps while the route evaluator
 * replays a request for every stable (never changed) route against <em>every</em> snapshot published — what Envoy
 * would do with that request at that moment. Each stable request keeps the decision it had before the churn began
 * (same outcome, cluster, route and source) in every snapshot: a change to other routes never re-orders, drops or
 * misroutes an unchanged one.
 */
class RouteChurnDecisionsTest {

  static final int STABLE = 60;
  static final int CHURNING = 30;
  static final int STEPS = 60;
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

    Random random = new Random(5);
    int revision = 0;
    int checked = 0;
    for (int step = 1; step <= STEPS; step++) {
      Map<ResourceKey, HasMetadata> changes = new HashMap<>();
      for (int k = 0; k < 5; k++) {
        int j = random.nextInt(CHURNING);
        Map<ResourceKey, HasMetadata> one = new HashMap<>();
        parse(one, churning(j, ++revision));
        ResourceKey key = one.keySet().iterator().next();
        // now and then a churning route goes away, or comes back
        changes.put(key, random.nextInt(6) == 0 ? null : one.get(key));
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
    }
    assertTrue(published.size() > STEPS / 2, "the churn was published: " + published.size() + " snapshots");
    assertEquals((published.size() - 1) * STABLE, checked);
  }

  /**
   * A churning route: its path, header match and backend move with {@code revision}, some paths overlapping the
   * stable routes' prefixes ({@code /stable-1} is a prefix of {@code /stable-1x}), so precedence is exercised.
   */
  private static String churning(int j, int revision) {
    String path = revision % 3 == 0 ? "/churn-" + j + "-" + revision : "/stable-" + (j % STABLE) + "x" + revision;
    return Manifests.httpRoute("app", "churn-" + j, "gw", "app.example.com", path,
        "svc-" + (j + revision) % 10 + ":80");
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
