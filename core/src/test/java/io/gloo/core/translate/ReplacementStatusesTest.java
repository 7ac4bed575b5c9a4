package io.gloo.core.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.gloo.core.report.StatusReport;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.translate.xds.InvalidElements;
import io.gloo.core.validate.Finding;
import io.gloo.core.validate.Violation;
import io.gloo.core.watch.ManifestParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A dropped Envoy listener shows on the Gateway listeners of its port, and only there. */
class ReplacementStatusesTest {

  private static final ResourceKey GW = new ResourceKey("Gateway", "default", "gw");

  @Test
  void aDroppedListenerIsNotProgrammedOnItsPortOnly() {
    ManifestParser.Result parsed = new ManifestParser().parse("test.yaml", """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: gloo-gateway}
        spec: {controllerName: solo.io/gloo-gateway}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          gatewayClassName: gloo-gateway
          listeners:
            - {name: a, protocol: HTTP, port: 8080, hostname: a.example.com}
            - {name: b, protocol: HTTP, port: 8080, hostname: b.example.com}
            - {name: c, protocol: HTTP, port: 9090}
        """);
    ResourceSnapshot snapshot = ResourceSnapshot.of(parsed.resources(), parsed.problems());
    TranslationResult result;
    try (Translator translator = new Translator()) {
      result = translator.translate(snapshot);
    }
    GatewayStatus before = (GatewayStatus) result.statuses().get(GW);
    InvalidElements invalid = new InvalidElements();
    invalid.listener("http~8080", new Finding("type.googleapis.com/envoy.config.listener.v3.Listener", "http~8080",
        new Violation("address.socket_address.port_value", "uint32.lte", "value must be <= 65535"), List.of()));
    StatusReport.Builder statuses = new StatusReport.Builder().putAll(result.statuses().statuses());

    ReplacementStatuses.apply(statuses, snapshot, GW, invalid);

    GatewayStatus after = (GatewayStatus) statuses.build().get(GW);
    assertNotSame(before, after);
    for (ListenerStatus l : after.getListeners()) {
      Condition programmed = l.getConditions().stream().filter(c -> c.getType().equals("Programmed")).findFirst()
          .orElseThrow();
      if (l.getName().equals("c")) {
        assertEquals("True", programmed.getStatus(), l.toString());
      } else {
        assertEquals("False", programmed.getStatus(), l.toString());
        assertEquals("Invalid", programmed.getReason());
        assertTrue(programmed.getMessage().contains("address.socket_address.port_value"), programmed.getMessage());
      }
    }
    for (ListenerStatus l : before.getListeners()) {
      assertTrue(l.getConditions().stream().anyMatch(c -> c.getType().equals("Programmed")
          && c.getStatus().equals("True")), "the translator's status object is not changed in place");
    }
  }
}
