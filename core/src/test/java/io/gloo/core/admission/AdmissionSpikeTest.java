package io.gloo.core.admission;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

class AdmissionSpikeTest {
  @Test
  void spike() throws Exception {
    Admission a = Admission.standard();
    long t0 = System.nanoTime();
    int n = a.compileAll();
    System.out.println("compiled " + n + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    Crd gw = a.catalog().find("gateway.networking.k8s.io", "Gateway").orElseThrow();
    System.out.println("rules " + java.util.Arrays.toString(a.ruleCounts(gw, gw.served("v1").get())));
    ObjectNode o = (ObjectNode) new YAMLMapper().readTree("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: g, namespace: default}
        spec:
          gatewayClassName: x
          listeners:
          - {name: a, port: 80, protocol: HTTP}
          - {name: b, port: 80, protocol: HTTP}
          - {name: c, port: "abc", protocol: HTTPS, tls: {mode: Passthrough}}
        """);
    System.out.println(a.admit(o, gw, gw.served("v1").get()));
    ((ObjectNode) o.get("spec").get("listeners").get(2)).put("port", 443);
    System.out.println(a.admit(o, gw, gw.served("v1").get()));
  }
}
