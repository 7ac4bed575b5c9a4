package io.gloo.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code gloo route-check --proxy NS/NAME} evaluates a request against a Gloo Edge proxy, {@code --gateway} against
 * a Gateway API Gateway, in manifests that define both (the edge-golden "gateways" case: Edge proxies edge-a and
 * edge-b beside the Gateway default/http, all on port 8080 or 9090).
 */
class RouteCheckEdgeProxyTest {

  private static final Path CASE = Path.of("src/test/resources/edge-golden/gateways");

  @TempDir
  Path manifests;

  private record Run(int exit, String out, String err) {}

  @BeforeEach
  void copyManifests() throws IOException {
    for (String file : new String[] {"edge.yaml", "gateway-api.yaml", "services.yaml"}) {
      Files.copy(CASE.resolve(file), manifests.resolve(file));
    }
  }

  private Run routeCheck(String... selection) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = GlooCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    String[] args = new String[selection.length + 6];
    args[0] = "route-check";
    args[1] = "-f";
    args[2] = manifests.toString();
    System.arraycopy(selection, 0, args, 3, selection.length);
    args[args.length - 3] = "--plugins-dir";
    args[args.length - 2] = manifests.resolve("no-plugins").toString();
    args[args.length - 1] = "-o=json";
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void theProxyOptionSelectsTheEdgeProxyAndTheGatewayOptionTheGatewayApiGateway() {
    Run edgeA = routeCheck("--proxy", "default/edge-a", "--request", "GET http://pub.example.com:8080/");
    assertEquals(0, edgeA.exit(), edgeA.err());
    assertTrue(edgeA.out().contains("VirtualService/default/pub rule 0"), edgeA.out());

    Run edgeB = routeCheck("--proxy", "default/edge-b", "--request", "GET http://pub.example.com:9090/users");
    assertEquals(0, edgeB.exit(), edgeB.err());
    assertTrue(edgeB.out().contains("VirtualService/default/int rule 0"), edgeB.out());

    Run gateway = routeCheck("--gateway", "default/http", "--request", "GET http://pub.example.com:8080/");
    assertEquals(0, gateway.exit(), gateway.err());
    assertTrue(gateway.out().contains("HTTPRoute/default/web rule 0"), gateway.out());
  }

  @Test
  void anUnknownProxyOrBothOptionsAreOneLineErrors() {
    Run unknown = routeCheck("--proxy", "default/nope", "--request", "GET http://x:8080/");
    assertEquals(2, unknown.exit());
    assertEquals("no Gloo Edge proxy default/nope of our class in the manifests; found: [default/http, proxy"
        + " default/edge-a, proxy default/edge-b]\n", unknown.err());
    Run gatewayAsProxy = routeCheck("--proxy", "default/http", "--request", "GET http://x:8080/");
    assertEquals(2, gatewayAsProxy.exit(), "a Gateway API Gateway is not an Edge proxy");
    Run both = routeCheck("--gateway", "default/http", "--proxy", "default/edge-a", "--request", "GET http://x/");
    assertEquals(2, both.exit());
    assertEquals("gloo route-check: give --gateway or --proxy, not both\n", both.err());
  }
}
