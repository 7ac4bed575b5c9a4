package io.gloo.core.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gloo.core.store.ResourceSnapshot;
import io.gloo.core.store.SourceProblem;
import io.gloo.core.testing.Manifests;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifests with Gateways but no GatewayClass of ours say so, naming each Gateway and the class it asks for. */
class UnservedGatewaysTest {

  @TempDir
  Path dir;

  private static final String ELSEWHERE = "; no GatewayClass with controllerName solo.io/gloo-gateway is named by any"
      + " Gateway, so nothing is translated";

  @Test
  void gatewaysWhoseClassIsNotDefinedAreReported() {
    Path file = Manifests.write(dir, "gw.yaml", Manifests.docs(Manifests.gateway("default", "a", 8080),
        Manifests.gateway("default", "b", 8081)));

    ResourceSnapshot snapshot = DirectorySource.load(List.of(dir));

    assertEquals(List.of(
        new SourceProblem(file.toString(), 0, 0, "Gateway default/a is not served: its GatewayClass 'gloo-gateway' is"
            + " not defined in these manifests" + ELSEWHERE),
        new SourceProblem(file.toString(), 0, 0, "Gateway default/b is not served: its GatewayClass 'gloo-gateway' is"
            + " not defined in these manifests" + ELSEWHERE)), snapshot.problems());
    assertEquals(2, snapshot.size(), "the Gateways are still served (to the translator)");
  }

  @Test
  void aClassOfAnotherControllerIsNamedAsSuch() {
    Path gw = Manifests.write(dir, "gw.yaml", Manifests.gateway("default", "a", 8080));
    Manifests.write(dir, "class.yaml", Manifests.gatewayClass().replace("solo.io/gloo-gateway", "example.com/other"));

    ResourceSnapshot snapshot = DirectorySource.load(List.of(dir));

    assertEquals(List.of(new SourceProblem(gw.toString(), 0, 0, "Gateway default/a is not served: its GatewayClass"
        + " 'gloo-gateway' has controllerName 'example.com/other'" + ELSEWHERE)), snapshot.problems());
  }

  @Test
  void oneGatewayOfOursIsEnoughAndNoGatewayIsFine() throws Exception {
    Manifests.write(dir, "gw.yaml", Manifests.docs(Manifests.gatewayClass(), Manifests.gateway("default", "a", 8080)));
    Manifests.write(dir, "foreign.yaml", Manifests.gateway("default", "b", 8081).replace("gatewayClassName: gloo-gateway",
        "gatewayClassName: istio"));
    assertEquals(List.of(), DirectorySource.load(List.of(dir)).problems());

    Path noGateway = Manifests.write(java.nio.file.Files.createDirectory(dir.resolve("other")), "class.yaml",
        Manifests.gatewayClass());
    assertEquals(List.of(), DirectorySource.load(List.of(noGateway)).problems());
  }

  @Test
  void theWatchedDirectoryReportsItAndForgetsItOnceTheClassArrives() throws Exception {
    Manifests.write(dir, "gw.yaml", Manifests.gateway("default", "a", 8080));
    ManifestScanner scanner = new ManifestScanner(new ManifestParser(), false);
    scanner.rescan(ManifestFiles.list(List.of(dir)));
    assertEquals(1, scanner.snapshot().problems().size(), scanner.snapshot().problems().toString());

    Manifests.write(dir, "class.yaml", Manifests.gatewayClass());
    scanner.rescan(ManifestFiles.list(List.of(dir)));
    assertEquals(List.of(), scanner.snapshot().problems());
  }
}
