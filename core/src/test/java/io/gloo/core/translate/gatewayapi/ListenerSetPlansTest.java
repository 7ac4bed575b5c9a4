package io.gloo.core.translate.gatewayapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.testing.Manifests;
import io.gloo.core.watch.KindRegistry;
import io.gloo.core.watch.ManifestParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The incremental path with ListenerSets: a changed route attached through a ListenerSet is the only one planned
 * again; a changed ListenerSet re-plans every route (it is an input of attachment) but translates no rule again.
 */
class ListenerSetPlansTest {

  private static final int ROUTES = 40;
  private final ManifestParser parser = new ManifestParser(KindRegistry.withBuiltins());
  private final Map<String, HasMetadata> objects = new LinkedHashMap<>();
  private final GatewayApiTranslator translator = new GatewayApiTranslator();

  private void put(String slot, String yaml) {
    List<HasMetadata> parsed = parser.parse(slot, yaml).resources();
    assertEquals(1, parsed.size(), yaml);
    objects.put(slot, parsed.get(0));
  }

  @BeforeEach
  void world() {
    put("class", Manifests.gatewayClass());
    put("gateway", """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: app}
        spec:
          gatewayClassName: gloo-gateway
          allowedListeners: {namespaces: {from: Same}}
          listeners: [{name: http, protocol: HTTP, port: 80, hostname: gw.example.com}]
        """);
    put("ls-0", listenerSet(0, "ls-0.example.com"));
    put("ls-1", listenerSet(1, "ls-1.example.com"));
    put("svc", Manifests.service("app", "svc", 80));
    for (int i = 0; i < ROUTES; i++) {
      put("route-" + i, route(i, "/r" + i));
    }
  }

  private static String listenerSet(int j, String hostname) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: ListenerSet
        metadata: {name: ls-%d, namespace: app}
        spec:
          parentRef: {name: gw}
          listeners: [{name: http, protocol: HTTP, port: 80, hostname: %s}]
        """.formatted(j, hostname);
  }

  private static String route(int i, String path) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: route-%d, namespace: app}
        spec:
          parentRefs: [{kind: ListenerSet, group: gateway.networking.k8s.io, name: ls-%d}]
          rules:
            - matches: [{path: {type: PathPrefix, value: %s}}]
              backendRefs: [{name: svc, port: 80}]
        """.formatted(i, i % 2, path);
  }

  private int[] translate() {
    translator.translate(ResourceSnapshot.of(objects.values(), List.of()));
    return translator.lastRouteCounts();
  }

  @Test
  void aChangedRouteIsTheOnlyOnePlannedAgain() {
    assertArrayEquals(new int[] {0, ROUTES}, translate());
    assertArrayEquals(new int[] {ROUTES, 0}, translate());
    put("route-7", route(7, "/changed"));
    assertArrayEquals(new int[] {ROUTES - 1, 1}, translate());
  }

  @Test
  void aChangedListenerSetReplansEveryRouteButTranslatesNoRule() {
    translate();
    put("ls-1", listenerSet(1, "other.example.com"));
    assertArrayEquals(new int[] {0, 0}, translate());
    assertArrayEquals(new int[] {ROUTES, 0}, translate());
  }
}
