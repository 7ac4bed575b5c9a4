package io.gloo.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gloo validate}: one line per problem with file, field line, object, field path and message; exit codes. */
class ValidateCommandTest {

  private static final String GATEWAY = """
      apiVersion: gateway.networking.k8s.io/v1beta1
      kind: Gateway
      metadata: {name: gw, namespace: default}
      spec:
        gatewayClassName: gloo-gateway
        listeners:
        - {name: http, port: 80, protocol: HTTP}
      """;

  @Test
  void cleanManifestsExitZeroAndPrintNothing(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("gw.yaml"), GATEWAY);
    Files.writeString(dir.resolve("ro.yaml"), """
        apiVersion: gateway.solo.io/v1
        kind: RouteOption
        metadata: {name: ro}
        spec: {options: {prefixRewrite: /}}
        """);
    CliTest.Run run = CliTest.run("validate", "-f", dir.toString());
    assertEquals(0, run.exit(), run.out() + run.err());
    assertEquals("", run.out());
    assertTrue(run.err().contains("2 objects admitted, 0 problems"), run.err());
    // no GatewayClass here: said as a note (Gloo's install creates gloo-gateway), not counted as a rejection
    assertTrue(run.err().contains("note: " + dir.resolve("gw.yaml") + ": Gateway default/gw is not served"), run.err());
  }

  @Test
  void rejectionsPrintFileLineObjectFieldAndMessageAndExitOne(@TempDir Path dir) throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          gatewayClassName: gloo-gateway
          listeners:
          - {name: a, port: 443, protocol: HTTPS, tls: {mode: Passthrough}}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: r, namespace: default}
        spec:
          rules:
          - backendRefs:
            - name: svc
        ---
        apiVersion: gateway.networking.k8s.io/v9
        kind: HTTPRoute
        metadata: {name: r9}
        ---
        apiVersion: gateway.solo.io/v1
        kind: RouteOption
        metadata: {name: ro}
        spec: [not, a, mapping]
        """);
    Path other = Files.writeString(dir.resolve("other.yaml"), GATEWAY.replace("name: gw", "name: gw2"));
    CliTest.Run run = CliTest.run("validate", "-f", bad.toString(), "-f", other.toString());
    assertEquals(1, run.exit(), run.out() + run.err());
    assertEquals(String.join("\n",
        bad + ":6: Gateway default/gw: spec.listeners: tls mode must be Terminate for protocol HTTPS",
        bad + ":15: HTTPRoute default/r: spec.rules[0].backendRefs[0]: Must have port for Service reference",
        bad + ":17: HTTPRoute (gateway.networking.k8s.io/v9): version v9 of HTTPRoute is not served; "
            + "Gateway API v1.6.1 serves v1, v1beta1",
        bad + ":24: RouteOption default/ro: spec: expected a mapping, got a list",
        ""), run.out());
    assertTrue(run.err().contains("1 objects admitted, 4 problems"), run.err());
  }
}
