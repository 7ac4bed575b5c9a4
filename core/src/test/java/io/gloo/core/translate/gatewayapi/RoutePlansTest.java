package io.gloo.core.translate.gatewayapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gloo.core.ir.BackendIR;
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
 * What the incremental path redoes after each kind of change: only the routes whose inputs changed are translated
 * again; everything else is applied from its previous plan (equality with a fresh translation is tested over golden
 * files and random edits in {@code io.gloo.core.translate}).
 */
class RoutePlansTest {

  private static final int ROUTES = 40;
  private final ManifestParser parser = new ManifestParser(kinds());
  private final Map<String, HasMetadata> objects = new LinkedHashMap<>();
  private final GatewayApiTranslator translator = new GatewayApiTranslator();

  private static KindRegistry kinds() {
    KindRegistry kinds = KindRegistry.withBuiltins();
    kinds.register("example.io/v1", "Policy", GenericKubernetesResource.class, true);
    return kinds;
  }

  private void put(String slot, String yaml) {
    List<HasMetadata> parsed = parser.parse(slot, yaml).resources();
    assertEquals(1, parsed.size(), yaml);
    objects.put(slot, parsed.get(0));
  }

  /** Route i uses Service svc-(i % 4); every route is in namespace app. */
  @BeforeEach
  void world() {
    put("class", Manifests.gatewayClass());
    put("gateway", gateway(null));
    for (int s = 0; s < 4; s++) {
      put("svc-" + s, Manifests.service("app", "svc-" + s, 80));
      put("slice-" + s, Manifests.endpointSlice("app", "svc-" + s, 8080, "10.0.0." + (s + 1)));
    }
    for (int i = 0; i < ROUTES; i++) {
      put("route-" + i, route(i, "/r" + i));
    }
  }

  private static String gateway(String hostname) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: app}
        spec:
          gatewayClassName: gloo-gateway
          listeners: [{name: http, protocol: HTTP, port: 80%s}]
        """.formatted(hostname == null ? "" : ", hostname: " + hostname);
  }

  private static String route(int i, String path) {
    return Manifests.httpRoute("app", "route-" + i, "gw", "host.example.com", path, "svc-" + (i % 4) + ":80");
  }

  /** Translates the current objects; answers {routes whose plan was reused, routes whose rules were translated}. */
  private int[] translate() {
    translator.translate(ResourceSnapshot.of(objects.values(), List.of()));
    return translator.lastRouteCounts();
  }

  @Test
  void nothingIsRedoneWhenNothingChanged() {
    assertArrayEquals(new int[] {0, ROUTES}, translate());
    assertArrayEquals(new int[] {ROUTES, 0}, translate());
  }

  @Test
  void aChangedRouteIsTheOnlyOneTranslatedAgain() {
    translate();
    put("route-7", route(7, "/changed"));
    assertArrayEquals(new int[] {ROUTES - 1, 1}, translate());
    objects.remove("route-8");
    assertArrayEquals(new int[] {ROUTES - 1, 0}, translate());
    put("route-8", route(8, "/back"));
    assertArrayEquals(new int[] {ROUTES - 1, 1}, translate());
  }

  @Test
  void aChangedServiceRetranslatesTheRoutesThatUseIt() {
    translate();
    put("svc-1", Manifests.service("app", "svc-1", 81)); // port 80 is gone: its routes lose their backend
    assertArrayEquals(new int[] {ROUTES - ROUTES / 4, ROUTES / 4}, translate());
  }

  @Test
  void aChangedEndpointSliceRebuildsItsClusterButNoRoute() {
    translate();
    put("slice-2", Manifests.endpointSlice("app", "svc-2", 8080, "10.9.9.9"));
    GatewayApiTranslator.Result result = translator.translate(ResourceSnapshot.of(objects.values(), List.of()));
    assertArrayEquals(new int[] {ROUTES, 0}, translator.lastRouteCounts());
    assertEquals(List.of(new BackendIR.Endpoint("10.9.9.9", 8080)), backend(result, "kube_app_svc-2_80").endpoints());
    // the other Services' backends are the very same instances (the xDS stage caches cluster protos by them)
    GatewayApiTranslator.Result again = translator.translate(ResourceSnapshot.of(objects.values(), List.of()));
    for (String cluster : List.of("kube_app_svc-0_80", "kube_app_svc-2_80")) {
      assertSame(backend(result, cluster), backend(again, cluster), cluster);
    }
  }

  private static BackendIR backend(GatewayApiTranslator.Result result, String cluster) {
    return result.gateways().get(0).backends().stream().filter(b -> b.clusterName().equals(cluster)).findFirst()
        .orElseThrow();
  }

  @Test
  void aReferenceGrantChangeRetranslatesEveryRoute() {
    translate();
    put("grant", """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: g, namespace: other}
        spec:
          from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: app}]
          to: [{group: "", kind: Service}]
        """);
    assertArrayEquals(new int[] {0, ROUTES}, translate());
  }

  @Test
  void aGatewayChangeReattachesEveryRouteButReusesTheirRules() {
    translate();
    put("gateway", gateway("\"*.example.com\""));
    assertArrayEquals(new int[] {0, 0}, translate());
    assertArrayEquals(new int[] {ROUTES, 0}, translate());
  }

  @Test
  void aRouteAPolicyTargetsIsTranslatedAgainWhileTargeted() {
    translate();
    put("policy", """
        apiVersion: example.io/v1
        kind: Policy
        metadata: {name: p, namespace: app}
        spec:
          targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: route-3}]
        """);
    assertArrayEquals(new int[] {ROUTES - 1, 1}, translate());
    assertArrayEquals(new int[] {ROUTES - 1, 1}, translate());
    objects.remove("policy"); // what was translated while targeted holds again
    assertArrayEquals(new int[] {ROUTES, 0}, translate());
  }
}
