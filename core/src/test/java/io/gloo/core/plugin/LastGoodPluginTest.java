package io.gloo.core.plugin;

import static io.gloo.core.plugin.TestPlugins.BAD_REQUIRES;
import static io.gloo.core.plugin.TestPlugins.HEADERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gloo.core.watch.KindRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plugin archive replaced by one that fails to load leaves the previous version serving, and says so. */
class LastGoodPluginTest {

  @TempDir
  Path temp;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final KindRegistry kinds = KindRegistry.withBuiltins();
  private PluginManager manager;

  @AfterEach
  void close() {
    if (manager != null) {
      manager.close();
    }
  }

  private Path dir() {
    return temp.resolve("plugins");
  }

  private PluginManager manager() throws IOException {
    manager = new PluginManager(new PluginManager.Options(dir(), Set.of(), Map.of(), temp.resolve("work"),
        Duration.ofMillis(50)), kinds, meters);
    return manager;
  }

  private double failures(String plugin, String reason) {
    Counter counter = meters.find("gloo.plugin.load.failures").tag("plugin", plugin).tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aReplacementWhoseSpiRangeExcludesUsIsRefusedAndThePreviousVersionKeepsRunning() throws Exception {
    TestPlugins.install(HEADERS, dir());
    manager().rescan();
    ClassLoader running = manager.classLoader(HEADERS);

    TestPlugins.install(BAD_REQUIRES, dir(), HEADERS + ".zip"); // replaced in place by one needing SPI >=99
    LoadedPlugins after = manager.rescan();

    assertTrue(after.get(HEADERS).orElseThrow().started());
    assertSame(running, manager.classLoader(HEADERS), "not even restarted");
    assertTrue(kinds.lookup("example.gloo.io/v1alpha1", "ResponseHeaders").isPresent());
    List<PluginProblem> problems = manager.problems();
    assertEquals(1, problems.size(), problems.toString());
    PluginProblem problem = problems.get(0);
    assertEquals(HEADERS, problem.plugin());
    assertEquals("0.1.0-SNAPSHOT", problem.serving());
    assertEquals("Plugin-Requires >=99.0.0 excludes SPI version " + io.gloo.spi.SpiVersion.CURRENT + "", problem.reason());
    assertEquals("plugin test-headers 0.1.0-SNAPSHOT (test-headers.zip) failed to load: Plugin-Requires >=99.0.0"
        + " excludes SPI version " + io.gloo.spi.SpiVersion.CURRENT + "; version 0.1.0-SNAPSHOT keeps serving", problem.describe());
    assertEquals(1, failures(HEADERS, "requires"));

    manager.rescan();
    assertEquals(1, failures(HEADERS, "requires"), "a refused archive is checked (and counted) once");
    assertSame(running, manager.classLoader(HEADERS));

    TestPlugins.install(HEADERS, dir()); // a good archive again
    manager.rescan();
    assertTrue(manager.problems().isEmpty(), manager.problems().toString());
    assertNotSame(running, manager.classLoader(HEADERS));
  }

  @Test
  void aReplacementThatFailsToLoadBringsThePreviousVersionBack() throws Exception {
    TestPlugins.install(HEADERS, dir());
    manager().rescan();
    ClassLoader first = manager.classLoader(HEADERS);

    // right manifest and SPI range, but no classes: passes the checks made before unloading, fails to load
    Path broken = temp.resolve("broken.zip");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(broken))) {
      zip.putNextEntry(new ZipEntry("classes/META-INF/MANIFEST.MF"));
      OutputStream out = zip;
      out.write(("Manifest-Version: 1.0\nPlugin-Id: " + HEADERS + "\nPlugin-Version: 2.0.0\n"
          + "Plugin-Requires: >=0.1.0\n").getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    Files.move(broken, dir().resolve(HEADERS + ".zip"), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    LoadedPlugins after = manager.rescan();

    LoadedPlugin headers = after.get(HEADERS).orElseThrow();
    assertTrue(headers.started(), headers.describeState());
    assertEquals("0.1.0-SNAPSHOT", headers.version());
    assertTrue(kinds.lookup("example.gloo.io/v1alpha1", "ResponseHeaders").isPresent());
    ClassLoader restored = manager.classLoader(HEADERS);
    assertNotSame(first, restored, "loaded again from its expanded copy");
    PluginProblem problem = manager.problems().get(0);
    assertEquals("2.0.0", problem.version());
    assertEquals("0.1.0-SNAPSHOT", problem.serving());
    assertTrue(problem.reason().startsWith("no io.gloo.spi.GlooPlugin implementation"), problem.reason());
    assertEquals(1, failures(HEADERS, "layout"));

    manager.rescan();
    assertSame(restored, manager.classLoader(HEADERS), "the failed archive is not tried again until it changes");
  }

  @Test
  void aNewArchiveThatFailsIsAProblemWithNothingServingInstead() throws Exception {
    TestPlugins.install(BAD_REQUIRES, dir());
    manager().rescan();
    PluginProblem problem = manager.problems().get(0);
    assertEquals(BAD_REQUIRES, problem.plugin());
    assertEquals(null, problem.serving());
    assertEquals("plugin test-bad-requires 0.1.0-SNAPSHOT failed to load", problem.brief());
    assertEquals(1, failures(BAD_REQUIRES, "requires"));
  }
}
