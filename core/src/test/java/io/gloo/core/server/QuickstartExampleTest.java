package io.gloo.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.TranslationResult;
import io.gloo.core.translate.Translator;
import io.gloo.core.translate.XdsResources;
import io.gloo.core.watch.DirectorySource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The quickstart the README points at ({@code examples/quickstart}) translates cleanly and routes as documented. */
class QuickstartExampleTest {

  private static final ResourceKey GW = new ResourceKey("Gateway", "default", "http");

  /** The repository root's examples/quickstart, from core/ (Maven) or the root (an IDE). */
  static Path quickstart() {
    for (Path candidate : List.of(Path.of("../examples/quickstart"), Path.of("examples/quickstart"))) {
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError("examples/quickstart not found from " + Path.of("").toAbsolutePath());
  }

  @Test
  void translatesWithEverythingAcceptedAndResolved() {
    ResourceSnapshot snapshot = DirectorySource.load(List.of(quickstart()));
    assertTrue(snapshot.problems().isEmpty(), snapshot.problems().toString());

    TranslationResult result = new Translator().translate(snapshot);
    Map<ResourceKey, Object> statuses = result.statuses().statuses();
    assertEquals(List.of("Gateway/default/http", "GatewayClass/gloo-gateway", "HTTPRoute/default/api",
            "HTTPRoute/default/echo"),
        statuses.keySet().stream().map(ResourceKey::toString).sorted().toList());

    List<String> problems = new ArrayList<>();
    statuses.forEach((key, status) -> {
      if (status instanceof GatewayClassStatus s) {
        check(problems, key + "", s.getConditions());
      } else if (status instanceof GatewayStatus s) {
        check(problems, key + "", s.getConditions());
        for (ListenerStatus l : s.getListeners()) {
          check(problems, key + " listener " + l.getName(), l.getConditions());
          assertEquals(2, l.getAttachedRoutes(), "both routes attach");
        }
      } else if (status instanceof HTTPRouteStatus s) {
        assertEquals(1, s.getParents().size());
        for (RouteParentStatus p : s.getParents()) {
          check(problems, key + " parent " + p.getParentRef().getName(), p.getConditions());
          assertTrue(p.getConditions().stream().anyMatch(c -> c.getType().equals("ResolvedRefs")), key + "");
        }
      } else {
        problems.add(key + ": unexpected status " + status);
      }
    });
    assertTrue(problems.isEmpty(), String.join("\n", problems));

    // Routed as the README says.
    XdsResources xds = result.gateways().get(GW);
    assertEquals(8080, xds.listeners().get(0).getAddress().getSocketAddress().getPortValue());
    Map<String, Map<String, String>> table = new TreeMap<>();
    for (RouteConfiguration config : xds.routes()) {
      table.putAll(ServeEndToEndTest.routeTable(config));
    }
    assertEquals(Map.of(
            "*", Map.of("/echo", "kube_default_echo_80"),
            "api.example.com", Map.of("/", "kube_default_api-v1_80=90,kube_default_api-v2_80=10")),
        table);
    Route echo = xds.routes().get(0).getVirtualHostsList().stream()
        .filter(vh -> vh.getDomainsList().contains("*")).map(VirtualHost::getRoutesList).findFirst().orElseThrow()
        .get(0);
    assertTrue(echo.getRequestHeadersToAddList().stream()
            .anyMatch(h -> h.getHeader().getKey().equalsIgnoreCase("X-Gloo-Quickstart")
                && h.getHeader().getValue().equals("echo")),
        echo.toString());
    Map<String, List<String>> endpoints = new TreeMap<>();
    xds.endpoints().forEach(cla -> endpoints.put(cla.getClusterName(), cla.getEndpointsList().stream()
        .flatMap(l -> l.getLbEndpointsList().stream())
        .map(e -> e.getEndpoint().getAddress().getSocketAddress())
        .map(a -> a.getAddress() + ":" + a.getPortValue()).toList()));
    assertEquals(Map.of("kube_default_echo_80", List.of("127.0.0.1:9001"),
        "kube_default_api-v1_80", List.of("127.0.0.1:9002"),
        "kube_default_api-v2_80", List.of("127.0.0.1:9003")), endpoints);
  }

  private static void check(List<String> problems, String subject, List<Condition> conditions) {
    assertFalse(conditions.isEmpty(), subject + " has no conditions");
    for (Condition c : conditions) {
      boolean good = c.getType().equals("Conflicted") || c.getType().equals("PartiallyInvalid")
          ? c.getStatus().equals("False") : c.getStatus().equals("True");
      if (!good) {
        problems.add(subject + ": " + c.getType() + "=" + c.getStatus() + " (" + c.getReason() + ") " + c.getMessage());
      }
    }
  }
}
