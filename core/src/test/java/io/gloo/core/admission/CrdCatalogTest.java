package io.gloo.core.admission;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The catalog: the copied Gloo CRDs stay equal to the shipped ones; every served version compiles. */
class CrdCatalogTest {

  @Test
  void glooCrdCopiesAreTheShippedCrds() throws IOException {
    Path shipped = Path.of("..", "dist", "src", "install", "crds");
    List<Path> files;
    try (Stream<Path> list = Files.list(shipped)) {
      files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    // 5 of the plugins' kinds, 4 of the Gloo Edge API (core's), Gloo Gateway's DirectResponse (core's)
    assertEquals(10, files.size(), "a new shipped CRD must be added to CrdCatalog.GLOO and copied: " + files);
    for (Path file : files) {
      try (InputStream copy = CrdCatalog.class.getResourceAsStream("/io/gloo/core/admission/gloo/" + file.getFileName())) {
        assertTrue(copy != null, "no copy of " + file);
        assertArrayEquals(Files.readAllBytes(file), copy.readAllBytes(), file + " changed: copy it again");
      }
    }
  }

  @Test
  void everyServedVersionCompilesAndServedVersionsAreThoseOfTheRelease() {
    // 16, the 4 Gloo Edge API kinds, the L4 routes' 7 served versions (TCPRoute and UDPRoute v1alpha2 and v1,
    // TLSRoute v1alpha2, v1alpha3 and v1), DirectResponse v1alpha1 and ListenerSet v1
    assertEquals(29, Admission.standard().compileAll());
    Crd gateway = CrdCatalog.standard().find("gateway.networking.k8s.io", "Gateway").orElseThrow();
    assertEquals(List.of("v1", "v1beta1"), gateway.servedVersions());
    assertEquals("v1", gateway.storageVersion());
    Crd grpc = CrdCatalog.standard().find("gateway.networking.k8s.io", "GRPCRoute").orElseThrow();
    assertEquals(List.of("v1"), grpc.servedVersions());
    Crd gatewayV1 = gateway;
    int[] counts = Admission.standard().ruleCounts(gatewayV1, gatewayV1.served("v1").orElseThrow());
    assertEquals(15, counts[0], "CEL rules of Gateway v1 (spec only)");
  }
}
