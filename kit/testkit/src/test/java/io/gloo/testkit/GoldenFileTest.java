package io.gloo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envoyproxy.envoy.config.route.v3.Route;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

class GoldenFileTest {

  @TempDir
  Path dir;

  private final String before = System.getProperty(GoldenFile.UPDATE_PROPERTY);

  @AfterEach
  void restore() {
    if (before == null) {
      System.clearProperty(GoldenFile.UPDATE_PROPERTY);
    } else {
      System.setProperty(GoldenFile.UPDATE_PROPERTY, before);
    }
  }

  @Test
  void aMissingFileFailsNamingTheFlagAndTheFlagWritesIt() throws Exception {
    Path file = dir.resolve("golden/route.json");
    Route route = PluginTestKit.defaultRoute().build();
    System.setProperty(GoldenFile.UPDATE_PROPERTY, "false");
    AssertionFailedError missing = assertThrows(AssertionFailedError.class, () -> GoldenFile.assertMatches(file, route));
    assertTrue(missing.getMessage().contains("-Dgolden.update=true"), missing.getMessage());

    System.setProperty(GoldenFile.UPDATE_PROPERTY, "true");
    GoldenFile.assertMatches(file, route);
    assertTrue(Files.readString(file).contains("\"cluster\" : \"kube_default_test_80\""), Files.readString(file));

    System.setProperty(GoldenFile.UPDATE_PROPERTY, "false");
    GoldenFile.assertMatches(file, route);
    AssertionFailedError differs = assertThrows(AssertionFailedError.class,
        () -> GoldenFile.assertMatches(file, route.toBuilder().setName("other").build()));
    assertTrue(differs.getMessage().contains("differs"), differs.getMessage());
    assertEquals(Files.readString(file), differs.getExpected().getStringRepresentation());
  }
}
